//! HTTP: one request from the parameters — `{"method", "url", "headers",
//! "body", "mediaType", "timeout"}` (seconds, PowerJob's unit) — that
//! succeeds on a 2xx answer, or on the `expectedStatus` codes given, and,
//! when `bodyContains` is given, only if the answer's body contains it.
//! The result carries the status and the start of the body.

use super::{Ended, Official, Outcome, Run, Task};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use wasmjob_runtime::{LogLevel, LogSource};

/// Bytes of the answer's body kept in the result.
const BODY_KEPT: usize = 2048;
/// Bytes of the answer's body read at most (to match `bodyContains`).
const BODY_READ: usize = 1 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Params {
    #[serde(default = "get")]
    method: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    /// Seconds.
    #[serde(default = "sixty")]
    timeout: u64,
    #[serde(default)]
    expected_status: Vec<u16>,
    #[serde(default)]
    body_contains: Option<String>,
}

fn get() -> String {
    "GET".into()
}

fn sixty() -> u64 {
    60
}

const EXAMPLE: &str =
    r#"{"method":"POST","url":"https://host/hook","body":"{}","mediaType":"application/json","timeout":10}"#;

/// Decodes and checks the parameters.
fn parse(params: &str) -> Result<(Params, reqwest::Method), String> {
    let p: Params = super::params::json(params, EXAMPLE)?;
    let method = reqwest::Method::from_bytes(p.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", p.method))?;
    if !(p.url.starts_with("http://") || p.url.starts_with("https://")) {
        return Err(format!("`{}` is not an http or https URL", p.url));
    }
    if p.timeout == 0 || p.timeout > 86_400 {
        return Err("timeout is in seconds, from 1 to 86400".into());
    }
    Ok((p, method))
}

/// Checks parameters without running anything.
pub(crate) fn check(params: &str) -> Result<(), String> {
    parse(params).map(|_| ())
}

/// The HTTP processor.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
}

impl Http {
    pub(crate) fn new() -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::ConfigError(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self { client })
    }

    async fn request(&self, task: &Task<'_>) -> Outcome {
        let (p, method) = parse(task.params)?;
        let mut request = self.client.request(method.clone(), &p.url).timeout(Duration::from_secs(p.timeout));
        for (name, value) in &p.headers {
            request = request.header(name, value);
        }
        if let Some(media) = &p.media_type {
            request = request.header(reqwest::header::CONTENT_TYPE, media);
        }
        if let Some(body) = p.body {
            request = request.body(body);
        }
        task.log(LogLevel::Info, LogSource::Host, &format!("{method} {}", p.url));
        let mut response = request.send().await.map_err(|e| describe(&e, p.timeout))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e, p.timeout))? {
            let room = BODY_READ.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        let text = String::from_utf8_lossy(&body);
        let status_ok = if p.expected_status.is_empty() {
            status.is_success()
        } else {
            p.expected_status.contains(&status.as_u16())
        };
        let body_ok = p.body_contains.as_ref().is_none_or(|needle| text.contains(needle.as_str()));
        let kept = wasmjob_runtime::truncate(&text, BODY_KEPT);
        task.log(LogLevel::Info, LogSource::Host, &format!("answered {status}"));
        let mut msg = format!("HTTP {}", status.as_u16());
        if !status_ok {
            let wanted = if p.expected_status.is_empty() {
                "a 2xx status".to_string()
            } else {
                format!("{:?}", p.expected_status)
            };
            msg = format!("{msg}, expected {wanted}");
        } else if !body_ok {
            msg = format!("{msg}, but the body does not contain {:?}", p.body_contains.unwrap_or_default());
        }
        if !kept.is_empty() {
            msg = format!("{msg}; body: {kept}");
        }
        Ok(Ended::new(status_ok && body_ok, msg))
    }
}

impl Official for Http {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(self.request(task))
    }
}

fn describe(error: &reqwest::Error, timeout: u64) -> String {
    if error.is_timeout() {
        return format!("no answer within the timeout of {timeout} s");
    }
    format!("the request failed: {}", wasmjob_runtime::error_chain(error))
}
