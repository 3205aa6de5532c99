//! Fetching the revision a build takes: a git2 clone into the build's own
//! directory (https and ssh with the source's credentials, `file://` and
//! local paths where allowed), then a checkout of the branch, tag or
//! commit. Nothing of the credentials reaches the log: URLs are shown
//! without their user part, and libgit2's messages do not carry secrets.

use super::model::{Credentials, GitRef, RefKind};
use git2::build::RepoBuilder;
use git2::{Cred, CredentialType, FetchOptions, RemoteCallbacks};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a clone produced.
#[derive(Debug)]
pub(super) struct Checkout {
    /// The full commit id checked out.
    pub(super) commit: String,
    /// Its summary line.
    pub(super) summary: String,
}

/// Clones `url` into `into` (an empty directory) and checks out
/// `reference`. `cancel` aborts the transfer (time limit, stop). Blocking.
pub(super) fn clone(
    url: &str,
    reference: &GitRef,
    credentials: Option<&Credentials>,
    into: &Path,
    cancel: &Arc<AtomicBool>,
) -> Result<Checkout, String> {
    let mut callbacks = RemoteCallbacks::new();
    let mut asked = 0;
    callbacks.credentials(move |_url, username, allowed| {
        asked += 1;
        if asked > 1 {
            // libgit2 asks again after a refusal: do not loop.
            return Err(git2::Error::from_str("the repository refused the source's credentials"));
        }
        offer(credentials, username, allowed)
    });
    let stop = cancel.clone();
    callbacks.transfer_progress(move |_| !stop.load(Ordering::Relaxed));
    let mut fetch = FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    let mut builder = RepoBuilder::new();
    if reference.kind == RefKind::Branch {
        // Only the branch's newest commit is needed (libgit2's local
        // transport cannot fetch shallow, and needs not).
        if !(url.starts_with("file://") || url.starts_with('/')) {
            fetch.depth(1);
        }
        builder.branch(&reference.name);
    }
    builder.fetch_options(fetch);
    let repo = builder.clone(url, into).map_err(|e| {
        if cancel.load(Ordering::Relaxed) { "the clone was cancelled".to_string() } else { clone_error(&e, reference) }
    })?;
    let commit = match reference.kind {
        RefKind::Branch => repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| e.message().to_string())?,
        RefKind::Tag => repo
            .revparse_single(&format!("refs/tags/{}", reference.name))
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| format!("the repository has no tag `{}`", reference.name))?,
        RefKind::Commit => repo
            .revparse_single(&reference.name)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| format!("the repository has no commit `{}` on its branches or tags", reference.name))?,
    };
    if reference.kind != RefKind::Branch {
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        repo.checkout_tree(commit.as_object(), Some(&mut checkout)).map_err(|e| e.message().to_string())?;
        repo.set_head_detached(commit.id()).map_err(|e| e.message().to_string())?;
    }
    Ok(Checkout {
        commit: commit.id().to_string(),
        summary: commit.summary().ok().flatten().unwrap_or_default().to_string(),
    })
}

/// The credential libgit2 asks for, from the source's.
fn offer(
    credentials: Option<&Credentials>,
    username: Option<&str>,
    allowed: CredentialType,
) -> Result<Cred, git2::Error> {
    match credentials {
        Some(Credentials::Password { username, password }) if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) => {
            Cred::userpass_plaintext(username, password)
        }
        Some(c @ Credentials::SshKey { private_key, passphrase, .. }) if allowed.contains(CredentialType::SSH_KEY) => {
            Cred::ssh_key_from_memory(username.unwrap_or(c.username()), None, private_key, passphrase.as_deref())
        }
        Some(c) if allowed.contains(CredentialType::USERNAME) => Cred::username(username.unwrap_or(c.username())),
        Some(c) => Err(git2::Error::from_str(&format!(
            "the repository asks for another kind of credentials than the source's {}",
            c.kind()
        ))),
        None => Err(git2::Error::from_str("the repository asks for credentials and the source has none")),
    }
}

fn clone_error(error: &git2::Error, reference: &GitRef) -> String {
    if reference.kind == RefKind::Branch && error.code() == git2::ErrorCode::NotFound {
        return format!("the repository has no branch `{}` ({})", reference.name, error.message());
    }
    format!("cannot clone: {}", error.message())
}

/// `url` as logs show it: without a user or password part.
pub(super) fn display_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        return if path.is_empty() { format!("{scheme}://{host}") } else { format!("{scheme}://{host}/{path}") };
    }
    // scp-like `user@host:path`
    match url.split_once('@') {
        Some((_, rest)) if !rest.contains('/') || rest.find(':') < rest.find('/') => rest.to_string(),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// A repository with two commits on `main` (the first tagged `v1`)
    /// and a branch `next` with a third.
    fn repository() -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        std::fs::write(d.join("file"), "one").unwrap();
        git(d, &["add", "file"]);
        git(d, &["commit", "-q", "-m", "first"]);
        git(d, &["tag", "v1"]);
        let first =
            String::from_utf8(Command::new("git").args(["rev-parse", "HEAD"]).current_dir(d).output().unwrap().stdout)
                .unwrap()
                .trim()
                .to_string();
        std::fs::write(d.join("file"), "two").unwrap();
        git(d, &["commit", "-q", "-am", "second"]);
        git(d, &["checkout", "-q", "-b", "next"]);
        std::fs::write(d.join("file"), "three").unwrap();
        git(d, &["commit", "-q", "-am", "third"]);
        git(d, &["checkout", "-q", "main"]);
        let url = format!("file://{}", d.display());
        (dir, url, first)
    }

    fn fetch(url: &str, kind: RefKind, name: &str) -> Result<(Checkout, String), String> {
        let into = tempfile::tempdir().unwrap();
        let reference = GitRef { kind, name: name.into() };
        let checkout = clone(url, &reference, None, &into.path().join("src"), &Arc::new(AtomicBool::new(false)))?;
        let file = std::fs::read_to_string(into.path().join("src/file")).unwrap();
        Ok((checkout, file))
    }

    #[test]
    fn branches_tags_and_commits_are_checked_out() {
        let (_repo, url, first) = repository();
        let (main, file) = fetch(&url, RefKind::Branch, "main").unwrap();
        assert_eq!((main.summary.as_str(), file.as_str()), ("second", "two"));
        assert_eq!(fetch(&url, RefKind::Branch, "next").unwrap().1, "three");
        let (tag, file) = fetch(&url, RefKind::Tag, "v1").unwrap();
        assert_eq!((tag.commit.as_str(), file.as_str()), (first.as_str(), "one"));
        assert_eq!(fetch(&url, RefKind::Commit, &first).unwrap().1, "one");
        assert!(fetch(&url, RefKind::Branch, "nope").unwrap_err().contains("no branch `nope`"));
        assert!(fetch(&url, RefKind::Tag, "v9").unwrap_err().contains("no tag `v9`"));
        let absent = "0".repeat(40);
        assert!(fetch(&url, RefKind::Commit, &absent).unwrap_err().contains("no commit"));
        assert!(fetch("file:///nonexistent/repo", RefKind::Branch, "main").unwrap_err().starts_with("cannot clone"));
    }

    #[test]
    fn shown_urls_carry_no_user_part() {
        assert_eq!(display_url("https://user:token@example.com/org/repo.git"), "https://example.com/org/repo.git");
        assert_eq!(display_url("ssh://git@example.com:22/org/repo"), "ssh://example.com:22/org/repo");
        assert_eq!(display_url("git@example.com:org/repo.git"), "example.com:org/repo.git");
        assert_eq!(display_url("file:///tmp/repo"), "file:///tmp/repo");
    }
}
