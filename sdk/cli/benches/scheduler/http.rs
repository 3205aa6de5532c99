//! A small blocking client of the server's HTTP API.

use super::*;

/// A small blocking API client (one connection pool per instance).
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) agent: ureq::Agent,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Api {
    pub(crate) fn login(base: &str) -> Result<Api> {
        let mut api = Api { agent: agent(), base: base.to_string(), token: String::new() };
        let reply = api.post("/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD}))?;
        api.token = reply["token"].as_str().ok_or_else(|| anyhow!("login returned no token: {reply}"))?.to_string();
        Ok(api)
    }

    /// The same login on a connection pool of its own (one per thread).
    pub(crate) fn fork(&self) -> Api {
        Api { agent: agent(), ..self.clone() }
    }

    pub(crate) fn get(&self, path: &str) -> Result<Value> {
        let request = self.agent.get(format!("{}/api/v1{path}", self.base)).header("Authorization", self.bearer());
        read("GET", path, request.call())
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let request = self.agent.post(format!("{}/api/v1{path}", self.base)).header("Authorization", self.bearer());
        read("POST", path, request.send_json(body))
    }

    pub(crate) fn post_bytes(&self, path: &str, bytes: &[u8]) -> Result<Value> {
        let request = self
            .agent
            .post(format!("{}/api/v1{path}", self.base))
            .header("Authorization", self.bearer())
            .content_type("application/wasm");
        read("POST", path, request.send(bytes))
    }

    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .max_idle_connections_per_host(16)
        .build()
        .into()
}

pub(crate) fn read(
    method: &str,
    path: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Value> {
    let mut response = result.with_context(|| format!("{method} {path}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .with_context(|| format!("reading the answer to {method} {path}"))?;
    if status >= 400 {
        bail!("{method} {path}: HTTP {status}: {text}");
    }
    if text.trim().is_empty() { Ok(Value::Null) } else { Ok(serde_json::from_str(&text)?) }
}
