//! Checking a git source and a build request before anything is stored:
//! every problem is named with its field.

use super::model::{Credentials, GitRef, GitSourceInput, RefKind};
use crate::error::FieldError;

/// How a URL reaches its repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transport {
    Https,
    Ssh,
    Local,
}

fn problem(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// The transport of `url`, or what is wrong with it.
pub(super) fn check_url(url: &str, allow_local: bool) -> Result<Transport, String> {
    if url.is_empty() || url.len() > 2048 {
        return Err("must be 1 to 2048 characters".into());
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    if url.starts_with('-') {
        return Err("must not start with `-`".into());
    }
    let local = url.starts_with("file://") || url.starts_with('/');
    if local {
        return if allow_local {
            Ok(Transport::Local)
        } else {
            Err("local repositories (file:// URLs and paths) are not allowed on this server: use https:// or ssh://"
                .into())
        };
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority = rest.split('/').next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() || rest.len() <= authority.len() + 1 {
            return Err("must name a host and a repository path".into());
        }
        if authority.rsplit_once('@').is_some_and(|(user, _)| user.contains(':')) {
            return Err("must not carry a password: put it in `credentials`, where it is stored sealed".into());
        }
        return match scheme {
            "https" => Ok(Transport::Https),
            "http" => {
                Err("plain http:// is refused (credentials and code would travel unencrypted): use https://".into())
            }
            "ssh" | "git+ssh" => Ok(Transport::Ssh),
            _ => Err(format!("the scheme `{scheme}` is not supported: use https://, ssh:// or user@host:path")),
        };
    }
    // scp-like `user@host:path`
    match url.split_once(':') {
        Some((user_host, path)) if !user_host.contains('/') && !user_host.is_empty() && !path.is_empty() => {
            Ok(Transport::Ssh)
        }
        _ => Err("must be an https://, ssh:// or user@host:path URL".into()),
    }
}

/// `reference` checked (a commit id in lowercase).
pub(super) fn check_ref(reference: &GitRef) -> Result<GitRef, String> {
    let name = reference.name.trim();
    match reference.kind {
        RefKind::Commit => {
            if !(7..=40).contains(&name.len()) || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err("a commit is 7 to 40 hex digits".into());
            }
            Ok(GitRef { kind: RefKind::Commit, name: name.to_ascii_lowercase() })
        }
        RefKind::Branch | RefKind::Tag => {
            if name.is_empty() || name.len() > 255 {
                return Err("must be 1 to 255 characters".into());
            }
            let bad = name.starts_with('-')
                || name.contains("..")
                || name.ends_with('/')
                || name.ends_with(".lock")
                || name.chars().any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c));
            if bad {
                return Err(format!("`{name}` is not a valid git {} name", reference.kind.as_str().to_lowercase()));
            }
            Ok(GitRef { kind: reference.kind, name: name.to_string() })
        }
    }
}

/// The crate's directory, normalised (no leading or trailing `/`).
pub(super) fn check_path(path: &str) -> Result<String, String> {
    let path = path.trim().trim_matches('/');
    if path.len() > 1024 {
        return Err("must be at most 1024 characters".into());
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return Err("must be a relative path with `/` between directories".into());
    }
    if path.split('/').any(|part| part == ".." || part == "." || (part.is_empty() && !path.is_empty())) {
        return Err("must stay inside the repository: no `.`, `..` or empty parts".into());
    }
    Ok(path.to_string())
}

fn check_credentials(credentials: &Credentials, transport: Transport) -> Result<(), FieldError> {
    let field = "credentials";
    match (credentials, transport) {
        (_, Transport::Local) => Err(problem(field, "a local repository takes no credentials")),
        (Credentials::Password { username, password }, Transport::Https) => {
            if username.is_empty() || username.len() > 255 {
                return Err(problem("credentials.username", "must be 1 to 255 characters"));
            }
            if password.is_empty() || password.len() > 4096 {
                return Err(problem("credentials.password", "must be 1 to 4096 characters"));
            }
            Ok(())
        }
        (Credentials::SshKey { username, private_key, passphrase }, Transport::Ssh) => {
            if username.as_ref().is_some_and(|u| u.is_empty() || u.len() > 255) {
                return Err(problem("credentials.username", "must be 1 to 255 characters"));
            }
            if private_key.len() > 16 << 10 || !private_key.contains("PRIVATE KEY") {
                return Err(problem(
                    "credentials.privateKey",
                    "must be a private key's text (`-----BEGIN ... PRIVATE KEY-----`), at most 16 KiB",
                ));
            }
            if passphrase.as_ref().is_some_and(|p| p.len() > 1024) {
                return Err(problem("credentials.passphrase", "must be at most 1024 characters"));
            }
            Ok(())
        }
        (Credentials::Password { .. }, _) => {
            Err(problem(field, "PASSWORD credentials go with an https:// URL; use SSH_KEY for ssh"))
        }
        (Credentials::SshKey { .. }, _) => {
            Err(problem(field, "SSH_KEY credentials go with an ssh URL; use PASSWORD for https"))
        }
    }
}

/// A checked source.
#[derive(Debug)]
pub(super) struct CheckedSource {
    pub(super) url: String,
    pub(super) reference: GitRef,
    pub(super) path: String,
}

/// Checks every field of `input`; all problems at once.
pub(super) fn check_source(input: &GitSourceInput, allow_local: bool) -> Result<CheckedSource, Vec<FieldError>> {
    let mut problems = Vec::new();
    let url = input.url.trim();
    let transport = check_url(url, allow_local).map_err(|m| problems.push(problem("url", m))).ok();
    let default = GitRef { kind: RefKind::Branch, name: "main".into() };
    let reference = check_ref(input.reference.as_ref().unwrap_or(&default))
        .map_err(|m| problems.push(problem("reference.name", m)))
        .ok();
    let path =
        check_path(input.path.as_deref().unwrap_or_default()).map_err(|m| problems.push(problem("path", m))).ok();
    if let (Some(credentials), Some(transport)) = (&input.credentials, transport)
        && let Err(p) = check_credentials(credentials, transport)
    {
        problems.push(p);
    }
    if input.credentials.is_some() && input.clear_credentials {
        problems.push(problem("clearCredentials", "give new credentials or clear them, not both"));
    }
    match (reference, path) {
        (Some(reference), Some(path)) if problems.is_empty() => {
            Ok(CheckedSource { url: url.to_string(), reference, path })
        }
        _ => Err(problems),
    }
}

/// The body's own rules; whether local repositories are allowed is the
/// server's, checked by the route.
impl crate::json::Validate for GitSourceInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        check_source(self, true).map(|_| ())
    }
}

impl crate::json::Validate for super::model::BuildRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.reference {
            Some(reference) => check_ref(reference).map(|_| ()).map_err(|m| vec![problem("reference.name", m)]),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert_eq!(check_url("https://example.com/org/repo.git", false), Ok(Transport::Https));
        assert_eq!(check_url("ssh://git@example.com/org/repo", false), Ok(Transport::Ssh));
        assert_eq!(check_url("git@example.com:org/repo.git", false), Ok(Transport::Ssh));
        assert!(check_url("file:///tmp/repo", false).unwrap_err().contains("not allowed"));
        assert_eq!(check_url("file:///tmp/repo", true), Ok(Transport::Local));
        assert!(check_url("https://u:secret@example.com/r", false).unwrap_err().contains("password"));
        assert!(check_url("ftp://example.com/r", false).unwrap_err().contains("ftp"));
        assert!(check_url("http://example.com/o/r.git", false).unwrap_err().contains("https://"));
        assert!(check_url("https://example.com", false).is_err());
        assert!(check_url("--upload-pack=evil", false).is_err());
        assert!(check_url("", false).is_err());
        assert!(check_url("https://example.com/a b", false).is_err());
    }

    #[test]
    fn refs_and_paths_are_checked() {
        let r = |kind, name: &str| check_ref(&GitRef { kind, name: name.into() });
        assert_eq!(r(RefKind::Commit, "ABCDEF1").unwrap().name, "abcdef1");
        assert!(r(RefKind::Commit, "xyz").is_err());
        assert!(r(RefKind::Branch, "feature/x").is_ok());
        assert!(r(RefKind::Branch, "a..b").is_err());
        assert!(r(RefKind::Tag, "-x").is_err());
        assert!(r(RefKind::Branch, "").is_err());
        assert_eq!(check_path("/guests/hello/").unwrap(), "guests/hello");
        assert_eq!(check_path("").unwrap(), "");
        assert!(check_path("../etc").is_err());
        assert!(check_path("a//b").is_err());
    }

    #[test]
    fn credentials_must_match_the_url() {
        let input = |url: &str, credentials| GitSourceInput {
            url: url.into(),
            reference: None,
            path: None,
            builder: None,
            credentials: Some(credentials),
            clear_credentials: false,
        };
        let password = Credentials::Password { username: "ci".into(), password: "token".into() };
        assert!(check_source(&input("https://example.com/o/r", password.clone()), false).is_ok());
        let problems = check_source(&input("git@example.com:o/r", password), false).unwrap_err();
        assert_eq!(problems[0].field, "credentials");
        let key = Credentials::SshKey { username: None, private_key: "junk".into(), passphrase: None };
        let problems = check_source(&input("ssh://example.com/o/r", key), false).unwrap_err();
        assert_eq!(problems[0].field, "credentials.privateKey");
    }
}
