//! The worker's bearer token: an app's name and secret exchanged at
//! `POST /api/v1/auth/login` (again when the token nears its expiry or is
//! refused), or an administrator's token given as is. Tokens and secrets
//! never reach a log line or a `Debug` output.

use super::{Credentials, now_ms};
use serde::{Deserialize, Serialize};
use std::fmt;
use tokio::sync::Mutex;
use wasmjob_runtime::error_chain;

/// Log in again this long before the token expires.
const EXPIRY_MARGIN_MS: i64 = 60_000;

/// Why no token could be had.
#[derive(Debug)]
pub(crate) enum AuthError {
    /// The server refused the credentials: retrying cannot help.
    Refused(String),
    /// The server could not be reached or failed: try again later.
    Unavailable(String),
}

/// Hands out the current token, logging in when needed.
pub(crate) struct Auth {
    login_url: String,
    credentials: Credentials,
    http: reqwest::Client,
    current: Mutex<Option<Token>>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").field("login_url", &self.login_url).field("credentials", &self.credentials).finish()
    }
}

/// A token and when it expires (Unix ms).
#[derive(Clone)]
struct Token {
    value: String,
    expires_at: i64,
}

#[derive(Serialize)]
struct LoginRequest<'a> {
    app: &'a str,
    secret: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginResponse {
    token: String,
    expires_at: i64,
}

impl Auth {
    pub(crate) fn new(server: &str, credentials: Credentials, http: reqwest::Client) -> Self {
        Self { login_url: format!("{server}/api/v1/auth/login"), credentials, http, current: Mutex::new(None) }
    }

    /// The token to send now: the cached one unless it is about to
    /// expire, else a fresh login.
    pub(crate) async fn token(&self) -> Result<String, AuthError> {
        let (name, secret) = match &self.credentials {
            Credentials::Token(token) => return Ok(token.clone()),
            Credentials::App { name, secret } => (name, secret),
        };
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref().filter(|t| t.expires_at - EXPIRY_MARGIN_MS > now_ms()) {
            return Ok(token.value.clone());
        }
        let token = self.login(name, secret).await?;
        let value = token.value.clone();
        *current = Some(token);
        Ok(value)
    }

    /// Forgets `refused` (a token the server answered 401 to), so the next
    /// [`Auth::token`] logs in again. Returns `false` when no other token
    /// can be had (an administrator's token was refused).
    pub(crate) async fn refused(&self, refused: &str) -> bool {
        if matches!(self.credentials, Credentials::Token(_)) {
            return false;
        }
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.value == refused) {
            *current = None;
        }
        true
    }

    async fn login(&self, app: &str, secret: &str) -> Result<Token, AuthError> {
        tracing::debug!(app, "logging in");
        let response = self
            .http
            .post(&self.login_url)
            .json(&LoginRequest { app, secret })
            .send()
            .await
            .map_err(|e| AuthError::Unavailable(format!("cannot reach {}: {}", self.login_url, error_chain(&e))))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(AuthError::Refused("the server refused the app's name or secret".into()));
        }
        if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(AuthError::Refused(format!("the server answered {status} to the login")));
        }
        if !status.is_success() {
            return Err(AuthError::Unavailable(format!("the server answered {status} to the login")));
        }
        let body: LoginResponse = response
            .json()
            .await
            .map_err(|e| AuthError::Unavailable(format!("unreadable login answer: {}", error_chain(&e))))?;
        tracing::info!(app, "logged in");
        Ok(Token { value: body.token, expires_at: body.expires_at })
    }
}
