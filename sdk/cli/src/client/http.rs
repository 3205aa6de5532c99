//! HTTP to the server's `/api/v1`: the bearer token, JSON bodies, and the
//! mapping of error responses and connection failures to [`CliError`].

use super::config::{self, StoredLogin};
use super::{CliError, ClientOpts};
use serde_json::Value;
use std::time::Duration;
use ureq::http::Response;
use ureq::{Agent, Body, RequestBuilder};

/// Long enough for a log read that waits 10 s for new lines.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A server's response: its text (for `--json`) and the parsed JSON
/// (`null` for an empty body).
#[derive(Debug)]
pub struct Reply {
    /// The body as received.
    pub text: String,
    /// The body parsed.
    pub json: Value,
}

/// A client of one server, with or without a token.
pub struct Client {
    agent: Agent,
    server: String,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("server", &self.server).field("logged_in", &self.token.is_some()).finish()
    }
}

fn not_logged_in(detail: &str) -> CliError {
    CliError::NotLoggedIn(format!("{detail}: run `wasmjob login --server URL --username NAME` (or `--app NAME`) first"))
}

impl Client {
    /// A client without a token (for logging in).
    pub fn anonymous(server: String) -> Self {
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(Duration::from_secs(10)))
            .user_agent(concat!("wasmjob-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, server, token: None }
    }

    /// A client holding `token` (an embedder's own, e.g. standalone mode's).
    pub fn with_token(server: String, token: String) -> Self {
        Client { token: Some(token), ..Self::anonymous(server) }
    }

    /// A client with the stored login. The token is only ever sent to the
    /// server it came from: a `--server` naming another one is refused
    /// rather than handed the token.
    pub fn logged_in(opts: &ClientOpts) -> Result<Self, CliError> {
        let path = config::path()?;
        let Some(StoredLogin { server, token, expires_at }) = config::load(&path)? else {
            return Err(not_logged_in(&format!("not logged in (no login stored in {})", path.display())));
        };
        if let Some(url) = &opts.server {
            let asked = config::normalize_server(url)?;
            if asked != server {
                return Err(not_logged_in(&format!("the stored login is for {server}, not {asked}")));
            }
        }
        if let Some(expires_at) = expires_at {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            if u128::from(expires_at) <= now.as_millis() {
                let when = super::output::iso_time(i64::try_from(expires_at).unwrap_or(i64::MAX));
                return Err(not_logged_in(&format!("the login stored in {} expired at {when}", path.display())));
            }
        }
        Ok(Client { token: Some(token), ..Client::anonymous(server) })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.server)
    }

    fn authorize<B>(&self, request: RequestBuilder<B>) -> RequestBuilder<B> {
        match &self.token {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    /// `GET path?query`; query pairs are percent-encoded.
    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Reply, CliError> {
        let mut request = self.authorize(self.agent.get(self.url(path)));
        for (key, value) in query {
            request = request.query(key, value);
        }
        self.finish("GET", path, request.call())
    }

    /// `POST path` with a JSON body, or with none.
    pub fn post(&self, path: &str, body: Option<&Value>) -> Result<Reply, CliError> {
        let request = self.authorize(self.agent.post(self.url(path)));
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.send_empty(),
        };
        self.finish("POST", path, result)
    }

    /// `POST path?query` with raw bytes of `content_type` as the body.
    pub fn post_bytes(
        &self,
        path: &str,
        query: &[(&str, String)],
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Reply, CliError> {
        let mut request = self.authorize(self.agent.post(self.url(path))).content_type(content_type);
        for (key, value) in query {
            request = request.query(key, value);
        }
        self.finish("POST", path, request.send(bytes))
    }

    /// `PUT path` with a JSON body.
    pub fn put(&self, path: &str, body: &Value) -> Result<Reply, CliError> {
        let request = self.authorize(self.agent.put(self.url(path)));
        self.finish("PUT", path, request.send_json(body))
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Result<Reply, CliError> {
        let request = self.authorize(self.agent.delete(self.url(path)));
        self.finish("DELETE", path, request.call())
    }

    fn finish(&self, method: &str, path: &str, result: Result<Response<Body>, ureq::Error>) -> Result<Reply, CliError> {
        let mut response = result.map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        tracing::debug!(method, path, status, "API call");
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| CliError::Failed(format!("cannot read the response of {method} {path}: {e}")))?;
        let json = if text.trim().is_empty() { Ok(Value::Null) } else { serde_json::from_str::<Value>(&text) };
        if status >= 400 {
            return Err(self.api_error(status, &text, json.ok()));
        }
        let json = json.map_err(|e| {
            CliError::Failed(format!(
                "the server's response to {method} {path} is not JSON ({e}); is {} a wasmjob server?",
                self.server
            ))
        })?;
        Ok(Reply { text, json })
    }

    fn transport_error(&self, error: ureq::Error) -> CliError {
        let detail = match &error {
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused (is the server running?)".to_string()
            }
            ureq::Error::Io(e) => e.to_string(),
            ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
            other => other.to_string(),
        };
        CliError::Connect { server: self.server.clone(), detail }
    }

    fn api_error(&self, status: u16, text: &str, json: Option<Value>) -> CliError {
        let body = json.unwrap_or(Value::Null);
        let message = match body.get("message").and_then(Value::as_str) {
            Some(message) => message.to_string(),
            None => {
                let snippet: String = text.trim().chars().take(200).collect();
                if snippet.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {snippet}") }
            }
        };
        let fields: Vec<(String, String)> = body
            .get("fields")
            .and_then(Value::as_array)
            .map(|fields| fields.iter().map(|f| (output_str(&f["field"]), output_str(&f["message"]))).collect())
            .unwrap_or_default();
        // A validation message repeats the field lines that follow it.
        let repeated = format!(
            "invalid input: {}",
            fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
        );
        let message = if !fields.is_empty() && message == repeated { "invalid input".to_string() } else { message };
        let hint = (status == 401 && self.token.is_some()).then(|| {
            format!("the server refused the stored login: run `wasmjob login --server {}` again", self.server)
        });
        CliError::Api { message, fields, hint }
    }
}

fn output_str(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}
