//! `wasmjob login`: exchanges a user's password or an app's secret for a token and stores it.

use super::config::{self, StoredLogin};
use super::{CliError, Client, output};
use clap::{ArgGroup, Args};
use std::process::ExitCode;
use wasmjob_server::auth::{LoginRequest, LoginResponse};

/// Arguments of `login`. Not `Debug`: they hold a password.
#[derive(Args)]
#[command(group(ArgGroup::new("who").required(true).args(["username", "app"])))]
pub struct LoginArgs {
    /// The server's URL, e.g. http://127.0.0.1:7700 (default: the one of the stored login).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// Log in as this user account.
    #[arg(long, value_name = "NAME")]
    username: Option<String>,
    /// The account's password; better given through WASMJOB_PASSWORD.
    #[arg(long, requires = "username")]
    password: Option<String>,
    /// Log in as this app: the token reaches that app's jobs and instances only.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// The app's secret; better given through WASMJOB_SECRET.
    #[arg(long, requires = "app")]
    secret: Option<String>,
}

/// `wasmjob login`.
pub fn run(args: LoginArgs) -> ExitCode {
    super::finish(login(args))
}

fn from_env(flag: Option<String>, var: &str, what: &str) -> Result<String, CliError> {
    flag.or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .ok_or_else(|| CliError::Usage(format!("give --{what} or set {var}")))
}

fn login(args: LoginArgs) -> Result<(), CliError> {
    let path = config::path()?;
    let server = match &args.server {
        Some(url) => config::normalize_server(url)?,
        None => match config::load(&path) {
            Ok(Some(stored)) => stored.server,
            _ => return Err(CliError::Usage("give the server's URL with --server URL".into())),
        },
    };
    let (body, who) = match (args.username, args.app) {
        (Some(username), _) => {
            let password = from_env(args.password, "WASMJOB_PASSWORD", "password")?;
            let who = format!("user {username}");
            (LoginRequest { username: Some(username), password: Some(password), app: None, secret: None }, who)
        }
        (None, Some(app)) => {
            let secret = from_env(args.secret, "WASMJOB_SECRET", "secret")?;
            let who = format!("app {app}");
            (LoginRequest { username: None, password: None, app: Some(app), secret: Some(secret) }, who)
        }
        (None, None) => return Err(CliError::Usage("give --username or --app".into())),
    };
    let client = Client::anonymous(server.clone());
    let LoginResponse { token, expires_at } = client.post("/auth/login", &body)?.parse()?;
    config::save(&path, &StoredLogin { server: server.clone(), token, expires_at: Some(expires_at) })?;
    tracing::debug!(config = %path.display(), "login stored");
    let until = i64::try_from(expires_at).map(|t| format!(" until {}", output::iso_time(t))).unwrap_or_default();
    output::lines(&format!("Logged in to {server} as {who}{until}."))
}
