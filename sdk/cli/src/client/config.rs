//! The login stored by `wasmjob login`: `{server, token}` in a JSON file only its owner can read.

use super::CliError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A stored login. Its `Debug` never shows the token.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredLogin {
    /// The server's URL, normalized (see [`normalize_server`]).
    pub server: String,
    /// The bearer token.
    pub token: String,
    /// When the token stops working, Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
}

impl std::fmt::Debug for StoredLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredLogin")
            .field("server", &self.server)
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where the login is stored: `$WASMJOB_CLI_CONFIG`, else
/// `$XDG_CONFIG_HOME/wasmjob/cli.json`, else `~/.config/wasmjob/cli.json`.
pub fn path() -> Result<PathBuf, CliError> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(file) = var("WASMJOB_CLI_CONFIG") {
        return Ok(file);
    }
    if let Some(dir) = var("XDG_CONFIG_HOME").filter(|d| d.is_absolute()) {
        return Ok(dir.join("wasmjob").join("cli.json"));
    }
    if let Some(home) = var("HOME") {
        return Ok(home.join(".config").join("wasmjob").join("cli.json"));
    }
    Err(CliError::Usage("cannot tell where to store the login: set WASMJOB_CLI_CONFIG to a file path".into()))
}

/// The stored login, if there is one.
pub fn load(path: &Path) -> Result<Option<StoredLogin>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::Failed(format!("cannot read {}: {e}", path.display()))),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        CliError::NotLoggedIn(format!(
            "{} is not a stored login ({e}): run `wasmjob login` to write it again",
            path.display()
        ))
    })
}

/// Stores a login: written to a new file with mode 0600 and renamed over
/// the old one, so the token is never readable by others, not even briefly.
pub fn save(path: &Path, login: &StoredLogin) -> Result<(), CliError> {
    let fail = |what: &str, e: std::io::Error| CliError::Failed(format!("cannot {what} {}: {e}", path.display()));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_dir(dir).map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cli.json".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let text = serde_json::to_string_pretty(login).map_err(|e| CliError::Failed(e.to_string()))?;
    let written = (|| {
        let mut file = private_file(&temp)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(fail("write", e));
    }
    Ok(())
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// A server URL as stored and used: `http://host:port` without a trailing
/// `/` or `/api/v1`. A bare `host:port` gets `http://`.
pub fn normalize_server(url: &str) -> Result<String, CliError> {
    let url = url.trim();
    if url.starts_with("https://") {
        return Err(CliError::Usage(format!(
            "{url}: this build of wasmjob speaks plain http only; use an http:// URL"
        )));
    }
    let url = if url.contains("://") { url.to_string() } else { format!("http://{url}") };
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(CliError::Usage(format!("{url}: the server URL must start with http://")));
    };
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix("/api/v1").unwrap_or(rest).trim_end_matches('/');
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(CliError::Usage(format!("`{url}` is not a server URL such as http://127.0.0.1:7700")));
    }
    Ok(format!("http://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_normalized() {
        assert_eq!(normalize_server("127.0.0.1:7700").unwrap(), "http://127.0.0.1:7700");
        assert_eq!(normalize_server("http://h:1/").unwrap(), "http://h:1");
        assert_eq!(normalize_server("http://h:1/api/v1/").unwrap(), "http://h:1");
        assert_eq!(normalize_server("http://h/base").unwrap(), "http://h/base");
        assert!(normalize_server("https://h").is_err());
        assert!(normalize_server("ftp://h").is_err());
        assert!(normalize_server("http://").is_err());
    }

    #[test]
    fn the_token_is_private_and_never_debugged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/cli.json");
        let login = StoredLogin { server: "http://h:1".into(), token: "sekrit".into(), expires_at: Some(5) };
        save(&path, &login).unwrap();
        save(&path, &login).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.token, "sekrit");
        assert!(!format!("{back:?}").contains("sekrit"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
        assert!(load(&dir.path().join("absent.json")).unwrap().is_none());
    }
}
