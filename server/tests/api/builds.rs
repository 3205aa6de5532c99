//! Builds from git through the API, on every database: builds are off
//! unless enabled; a git source is validated and its credentials sealed
//! (never returned, never stored in the clear); a build runs in the
//! background, its log readable while and after it runs; a build that
//! cannot clone fails with the reason and stores nothing. The successful
//! build of a real guest, deployed and run, is the CLI's end-to-end test.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use wasmjob_server::db::DbText;

on_every_backend!(
    builds_are_off_unless_enabled,
    apps_set_sources_only_where_the_server_lets_them,
    a_source_is_checked_and_its_credentials_sealed,
    a_build_that_cannot_clone_fails_with_its_reason,
    without_a_sandbox_a_build_fails_and_runs_nothing,
    a_cancelled_build_kills_its_compiler_and_stores_nothing,
    a_deleted_containers_builds_are_not_found
);

async fn enabled(backend: Backend) -> (TestEnv, tempfile::TempDir) {
    enabled_with(backend, |_| {}).await
}

/// A server with builds enabled (local repositories allowed) in a data
/// directory of its own, and more `[builds]` settings from `edit`.
async fn enabled_with(
    backend: Backend,
    edit: impl FnOnce(&mut wasmjob_server::containers::BuildConfig) + Send + 'static,
) -> (TestEnv, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let env = TestEnv::with_config(backend, move |config| {
        config.data_dir = dir;
        config.builds.enabled = true;
        config.builds.allow_local_repositories = true;
        edit(&mut config.builds);
    })
    .await;
    (env, data)
}

async fn builds_are_off_unless_enabled(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("no-builds").await;
    let path = format!("/api/v1/apps/{app}/containers/c/source");
    let refused = env.call(Method::PUT, &path, Some(&token), Some(json!({"url": "https://example.com/r.git"}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    assert!(refused.body["message"].as_str().unwrap().contains("builds from git are disabled"), "{refused:?}");
    let build = env.call(Method::POST, &format!("/api/v1/apps/{app}/containers/c/builds"), Some(&token), None).await;
    assert_eq!(build.status, StatusCode::FORBIDDEN);
}

async fn apps_set_sources_only_where_the_server_lets_them(backend: Backend) {
    let (env, _data) = enabled_with(backend, |builds| {
        builds.apps_may_set_sources = true;
        builds.allow_private_hosts = vec!["10.0.0.8".into()];
    })
    .await;
    let (app, token) = env.app("self-served").await;
    let path = format!("/api/v1/apps/{app}/containers/mine/source");
    let set = env.call(Method::PUT, &path, Some(&token), Some(json!({"url": "https://example.com/o/r.git"}))).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    // A private host the configuration names is allowed; others are not.
    let listed = json!({"url": "https://10.0.0.8:3000/o/r.git"});
    assert_eq!(env.call(Method::PUT, &path, Some(&token), Some(listed)).await.status, StatusCode::OK);
    let other = env.call(Method::PUT, &path, Some(&token), Some(json!({"url": "https://10.0.0.9/o/r.git"}))).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{other:?}");
    let shown = env.call(Method::GET, &path, Some(&token), None).await;
    assert_eq!(shown.body["url"], "https://10.0.0.8:3000/o/r.git", "the refusal changed nothing");
}

async fn a_source_is_checked_and_its_credentials_sealed(backend: Backend) {
    let (env, _data) = enabled(backend).await;
    let (app, token) = env.app("sealed").await;
    let (_, other) = env.app("other").await;
    let path = format!("/api/v1/apps/{app}/containers/private/source");
    let secret = "ghp-7c1d2e3f4a5b6c7d8e9f-secret";

    for (body, field) in [
        (json!({"url": "https://ci:pw@example.com/r.git"}), "url"),
        (json!({"url": "ftp://example.com/r.git"}), "url"),
        (
            json!({"url": "https://example.com/r.git", "reference": {"kind": "COMMIT", "name": "nothex"}}),
            "reference.name",
        ),
        (json!({"url": "https://example.com/r.git", "path": "../outside"}), "path"),
        (
            json!({"url": "git@example.com:o/r.git", "credentials": {"kind": "PASSWORD", "username": "u", "password": "p"}}),
            "credentials",
        ),
        (json!({"url": "https://example.com/r.git", "builder": "make"}), "builder"),
        // Clear-text transport, and hosts only the server can reach.
        (json!({"url": "http://example.com/r.git"}), "url"),
        (json!({"url": "https://127.0.0.1/r.git"}), "url"),
        (json!({"url": "https://localhost:3000/r.git"}), "url"),
        (json!({"url": "git@169.254.169.254:o/r.git"}), "url"),
        (json!({"url": "ssh://git@[::1]/o/r.git"}), "url"),
    ] {
        let refused = env.call(Method::PUT, &path, Some(&env.admin), Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {refused:?}");
        let fields: Vec<&str> =
            refused.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.iter().any(|f| f.starts_with(field)), "{body}: {refused:?}");
    }
    let nothing = env.call(Method::GET, &path, Some(&token), None).await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND, "nothing was stored: {nothing:?}");

    let body = json!({"url": "https://example.com/org/private.git", "reference": {"kind": "TAG", "name": "v1.2.0"},
        "path": "guests/hello/", "builder": "cargo",
        "credentials": {"kind": "PASSWORD", "username": "ci-bot", "password": secret}});
    let forbidden = env.call(Method::PUT, &path, Some(&other), Some(body.clone())).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    // Setting a source is the administrators' unless the server lets apps.
    let own = env.call(Method::PUT, &path, Some(&token), Some(body.clone())).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{own:?}");
    assert!(own.body["message"].as_str().unwrap().contains("apps_may_set_sources"), "{own:?}");
    let set = env.call(Method::PUT, &path, Some(&env.admin), Some(body)).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    assert_eq!(set.body["path"], "guests/hello");
    assert_eq!(set.body["reference"], json!({"kind": "TAG", "name": "v1.2.0"}));
    assert_eq!(set.body["credentials"], json!({"kind": "PASSWORD", "username": "ci-bot"}));
    let shown = env.call(Method::GET, &path, Some(&token), None).await;
    assert_eq!(shown.body, set.body);
    assert!(!shown.body.to_string().contains(secret));

    // Stored sealed, not in the clear.
    let sealed: Option<DbText> =
        sqlx::query_scalar(&env.state.db.sql("SELECT credential_sealed FROM container_git_source"))
            .fetch_one(env.state.db.pool())
            .await
            .unwrap();
    let sealed = sealed.expect("credentials are stored").0;
    assert!(!sealed.contains(secret) && !sealed.contains("ci-bot"), "{sealed}");

    // The container exists, with no version yet.
    let container = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/private"), Some(&token), None).await;
    assert_eq!(container.status, StatusCode::OK, "{container:?}");
    assert_eq!(container.body["versions"], json!([]));
}

async fn a_build_that_cannot_clone_fails_with_its_reason(backend: Backend) {
    let (env, _data) = enabled(backend).await;
    let (app, token) = env.app("unreachable").await;
    let base = format!("/api/v1/apps/{app}/containers/missing");
    let set = env
        .call(
            Method::PUT,
            &format!("{base}/source"),
            Some(&env.admin),
            Some(json!({"url": "file:///nonexistent/repo"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let bad = env
        .call(
            Method::POST,
            &format!("{base}/builds"),
            Some(&token),
            Some(json!({"reference": {"kind": "COMMIT", "name": "z"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");

    let queued = env.call(Method::POST, &format!("{base}/builds"), Some(&token), Some(json!({}))).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{queued:?}");
    assert_eq!(queued.body["status"], "QUEUED");
    assert_eq!(queued.body["reference"], json!({"kind": "BRANCH", "name": "main"}));
    let build = format!("{base}/builds/{}", queued.body["id"].as_str().unwrap());

    let ended = ended(&env, &build, &token).await;
    assert_eq!(ended["status"], "FAILED", "{ended}");
    assert!(ended["message"].as_str().unwrap().starts_with("cannot clone"), "{ended}");
    assert_eq!(ended["versionId"], Value::Null);
    assert!(ended["finishedAt"].as_i64().is_some(), "{ended}");

    let log = env.call(Method::GET, &format!("{build}/log"), Some(&token), None).await;
    assert_eq!(log.status, StatusCode::OK, "{log:?}");
    assert_eq!(log.body["status"], "FAILED");
    let lines: Vec<&str> = log.body["lines"].as_array().unwrap().iter().map(|l| l["line"].as_str().unwrap()).collect();
    assert!(lines[0].starts_with("cloning file:///nonexistent/repo"), "{lines:?}");
    assert!(lines.last().unwrap().starts_with("build failed: cannot clone"), "{lines:?}");
    let next = log.body["next"].as_i64().unwrap();
    let rest = env.call(Method::GET, &format!("{build}/log?after={next}&waitMs=100"), Some(&token), None).await;
    assert_eq!(rest.body["lines"], json!([]), "the log is complete once the build ended: {rest:?}");

    for (query, field) in [("limit=0", "limit"), ("waitMs=999999", "waitMs")] {
        let refused = env.call(Method::GET, &format!("{build}/log?{query}"), Some(&token), None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {refused:?}");
        assert_eq!(refused.body["fields"][0]["field"], field);
    }
    let unknown = env.call(Method::GET, &format!("{base}/builds/12345"), Some(&token), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let (_, other) = env.app("someone-else").await;
    let forbidden = env.call(Method::GET, &build, Some(&other), None).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let listed = env.call(Method::GET, &format!("{base}/builds"), Some(&token), None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{listed:?}");
    let container = env.call(Method::GET, &base, Some(&token), None).await;
    assert_eq!(container.body["versions"], json!([]), "a failed build stores nothing");
    assert_eq!(container.body["deployedLabel"], Value::Null);
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
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

/// A git repository (branch `main`, one commit) holding a `cdylib` crate
/// named `package` whose build script is `build_rs`.
fn crate_repository(package: &str, build_rs: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n[workspace]\n"
    );
    std::fs::write(repo.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::write(repo.path().join("build.rs"), build_rs).unwrap();
    std::fs::write(repo.path().join("src/lib.rs"), "").unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", package]);
    repo
}

/// The build at `build` once it has ended (`Null` if not within a minute).
async fn ended(env: &TestEnv, build: &str, token: &str) -> Value {
    for _ in 0..600 {
        let got = env.call(Method::GET, build, Some(token), None).await;
        if got.body["status"] == "FAILED" || got.body["status"] == "SUCCEEDED" {
            return got.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Value::Null
}

/// Live processes whose command line mentions `text`.
fn processes_mentioning(text: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(text).then_some(cmdline)
        })
        .collect()
}

async fn a_cancelled_build_kills_its_compiler_and_stores_nothing(backend: Backend) {
    let (env, data) = enabled(backend).await;
    let (app, token) = env.app("cancelled").await;
    // A crate whose build script never ends on its own, named for this
    // run: inside the sandbox its processes see none of the host's paths,
    // so they are found by the crate's name.
    let package = format!("sleeper-{backend:?}-{}", std::process::id()).to_lowercase();
    let repo = crate_repository(&package, "fn main() { std::thread::sleep(std::time::Duration::from_secs(600)); }\n");
    let base = format!("/api/v1/apps/{app}/containers/sleeper");
    let url = format!("file://{}", repo.path().display());
    let set = env.call(Method::PUT, &format!("{base}/source"), Some(&env.admin), Some(json!({"url": url}))).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let queued = env.call(Method::POST, &format!("{base}/builds"), Some(&token), Some(json!({}))).await;
    let build = format!("{base}/builds/{}", queued.body["id"].as_str().unwrap());

    // Wait until cargo runs the build script.
    let (marker, sandbox) = (package.clone(), data.path().to_string_lossy().into_owned());
    let mut seen = false;
    for _ in 0..1200 {
        if processes_mentioning(&marker).iter().any(|p| p.contains("build-script-build")) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the build script never ran");
    let cancelled = env.call(Method::POST, &format!("{build}/cancel"), Some(&token), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{cancelled:?}");
    assert_eq!(cancelled.body["status"], "FAILED", "{cancelled:?}");
    assert_eq!(cancelled.body["message"], "the build was cancelled");
    // Neither the build's processes nor the sandbox holding them are left.
    let left_over = || [processes_mentioning(&marker), processes_mentioning(&sandbox)].concat();
    let mut left = left_over();
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = left_over();
    }
    assert!(left.is_empty(), "the compiler's processes outlived the cancel: {left:?}");
    let again = env.call(Method::POST, &format!("{build}/cancel"), Some(&token), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    let log = env.call(Method::GET, &format!("{build}/log"), Some(&token), None).await;
    let last = log.body["lines"].as_array().unwrap().last().unwrap()["line"].as_str().unwrap().to_string();
    assert_eq!(last, "build failed: the build was cancelled");
    let container = env.call(Method::GET, &base, Some(&token), None).await;
    assert_eq!(container.body["versions"], json!([]), "a cancelled build stores nothing");
}

/// A server that cannot enter the sandbox (bubblewrap missing here) fails
/// the build before any of the repository's code runs, saying why.
async fn without_a_sandbox_a_build_fails_and_runs_nothing(backend: Backend) {
    let (env, _data) = enabled_with(backend, |builds| builds.bubblewrap = "/nonexistent/bwrap".into()).await;
    let (app, token) = env.app("no-sandbox").await;
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("ran");
    let script = format!("fn main() {{ std::fs::write({:?}, b\"ran\").unwrap(); }}\n", marker.display().to_string());
    let repo = crate_repository("unconfined", &script);
    let base = format!("/api/v1/apps/{app}/containers/unconfined");
    let url = format!("file://{}", repo.path().display());
    let set = env.call(Method::PUT, &format!("{base}/source"), Some(&env.admin), Some(json!({"url": url}))).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let queued = env.call(Method::POST, &format!("{base}/builds"), Some(&token), Some(json!({}))).await;
    let build = format!("{base}/builds/{}", queued.body["id"].as_str().unwrap());
    let ended = ended(&env, &build, &token).await;
    assert_eq!(ended["status"], "FAILED", "{ended}");
    let message = ended["message"].as_str().unwrap();
    assert!(message.contains("bubblewrap") && message.contains("unsandboxed = true"), "{message}");
    assert!(!marker.exists(), "the repository's code ran without a sandbox");
}

/// Once a container is deleted (or never was), its builds are not found,
/// rather than listed as none.
async fn a_deleted_containers_builds_are_not_found(backend: Backend) {
    let (env, _data) = enabled(backend).await;
    let (app, token) = env.app("forgetful").await;
    let source = json!({"url": "https://example.com/r.git"});
    let set =
        env.call(Method::PUT, &format!("/api/v1/apps/{app}/containers/c/source"), Some(&env.admin), Some(source)).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let builds = format!("/api/v1/apps/{app}/containers/c/builds");
    let listed = env.call(Method::GET, &builds, Some(&token), None).await;
    assert_eq!((listed.status, listed.body.clone()), (StatusCode::OK, json!([])), "{listed:?}");
    let deleted = env.call(Method::DELETE, &format!("/api/v1/apps/{app}/containers/c"), Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:?}");
    let listed = env.call(Method::GET, &builds, Some(&token), None).await;
    assert_eq!(listed.status, StatusCode::NOT_FOUND, "{listed:?}");
    let never = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/never/builds"), Some(&token), None).await;
    assert_eq!(never.status, StatusCode::NOT_FOUND, "{never:?}");
}
