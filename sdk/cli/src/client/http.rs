//! HTTP to the server's `/api/v1`: the bearer token, JSON bodies, and the
//! mapping of error responses and connection failures to [`CliError`].

use super::config::{self, StoredLogin};
use super::{CliError, ClientOpts};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::time::Duration;
use ureq::http::Response;
use ureq::{Agent, Body, RequestBuilder};
use wasmjob_server::error::FieldError;

/// Long enough for a log read that waits 10 s for new lines.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A server's successful response: its text, printed as it came for
/// `--json`, and read into the API's own type with [`Reply::parse`].
#[derive(Debug)]
pub struct Reply {
    /// The body as received.
    pub text: String,
    /// `GET /apps`: what was asked, for error messages.
    request: String,
    /// The server's URL, for error messages.
    server: String,
}

impl Reply {
    /// The body read as `T`, the type the server's handler wrote it from.
    /// A body of another shape (a server of another version) is an error
    /// naming the field at fault, never a blank or a panic.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, CliError> {
        // `finish` checked that the text is one JSON document.
        let mut deserializer = serde_json::Deserializer::from_str(&self.text);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            CliError::Failed(format!(
                "the server at {} answered {} with something this CLI does not understand (version mismatch?): {e}",
                self.server, self.request
            ))
        })
    }
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

    /// `POST path` with a JSON body.
    pub fn post(&self, path: &str, body: &impl Serialize) -> Result<Reply, CliError> {
        let request = self.authorize(self.agent.post(self.url(path)));
        self.finish("POST", path, request.send_json(body))
    }

    /// `POST path` without a body.
    pub fn post_empty(&self, path: &str) -> Result<Reply, CliError> {
        let request = self.authorize(self.agent.post(self.url(path)));
        self.finish("POST", path, request.send_empty())
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
    pub fn put(&self, path: &str, body: &impl Serialize) -> Result<Reply, CliError> {
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
        if status >= 400 {
            return Err(self.api_error(status, &text));
        }
        if let (false, Err(e)) = (text.trim().is_empty(), serde_json::from_str::<IgnoredAny>(&text)) {
            return Err(CliError::Failed(format!(
                "the server's response to {method} {path} is not JSON ({e}); is {} a wasmjob server?",
                self.server
            )));
        }
        Ok(Reply { text, request: format!("{method} {path}"), server: self.server.clone() })
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

    fn api_error(&self, status: u16, text: &str) -> CliError {
        // What `wasmjob_server::error::ErrorBody` writes; anything else (a
        // proxy's page) is shown as it came.
        #[derive(serde::Deserialize)]
        struct ErrorReply {
            message: Option<String>,
            #[serde(default)]
            fields: Vec<FieldError>,
        }
        let body = serde_json::from_str::<ErrorReply>(text).unwrap_or(ErrorReply { message: None, fields: Vec::new() });
        let fields: Vec<(String, String)> = body.fields.into_iter().map(|f| (f.field, f.message)).collect();
        let message = body.message.unwrap_or_else(|| {
            let snippet: String = text.trim().chars().take(200).collect();
            if snippet.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {snippet}") }
        });
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
