//! Builds from git end to end, against real processes: a `wasmjob
//! standalone` server (builds enabled, local repositories allowed), git
//! repositories the tests create and serve as `file://` URLs, the real
//! cargo toolchain, and a job that runs what was built.

#[allow(dead_code)]
mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::{ADMIN_PASSWORD, Cli, Mode, Server, report, str_of};

/// A build compiles a guest and its dependencies in release mode.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "builds test")
        .env("GIT_AUTHOR_EMAIL", "builds@example.com")
        .env("GIT_COMMITTER_NAME", "builds test")
        .env("GIT_COMMITTER_EMAIL", "builds@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A git repository holding the `standalone` guest example in `guest/`,
/// with the SDK and WIT it builds against, as a user's repository would
/// (written by guest-examples/make-repo.sh, which the console's end-to-end
/// run uses too).
fn guest_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out =
        Command::new("bash").arg(repo_root().join("guest-examples/make-repo.sh")).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "make-repo.sh: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn server() -> Server {
    server_with(&[])
}

/// A server with builds enabled, local repositories allowed and more
/// `WASMJOB_*` settings.
fn server_with(more: &[(&str, &str)]) -> Server {
    let cargo_home = support::build_cargo_home();
    let mut env = vec![
        ("WASMJOB_BUILDS__ENABLED", "true"),
        ("WASMJOB_BUILDS__ALLOW_LOCAL_REPOSITORIES", "true"),
        ("WASMJOB_BUILDS__CARGO_HOME", cargo_home.as_str()),
    ];
    env.extend_from_slice(more);
    Server::start(Mode::Standalone, &env)
}

/// Waits for a build to end, following its log; the build and every line.
fn follow(server: &Server, app: &str, container: &str, build: &Value) -> (Value, Vec<Value>) {
    let base = format!("/api/v1/apps/{app}/containers/{container}/builds/{}", str_of(&build["id"]));
    let mut lines = Vec::new();
    let mut after = 0;
    let deadline = std::time::Instant::now() + BUILD_PATIENCE;
    loop {
        let page = server.api.get(&format!("{base}/log?after={after}&waitMs=5000"));
        let got = page["lines"].as_array().unwrap().clone();
        after = page["next"].as_i64().unwrap();
        let ended = got.is_empty() && (page["status"] == "SUCCEEDED" || page["status"] == "FAILED");
        lines.extend(got);
        if ended {
            return (server.api.get(&base), lines);
        }
        assert!(std::time::Instant::now() < deadline, "the build did not end:\n{}", server.log_tail());
    }
}

fn text(lines: &[Value]) -> String {
    lines.iter().map(|l| str_of(&l["line"])).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_commit_builds_deploys_and_runs_and_a_broken_commit_changes_nothing() {
    let server = server();
    let (app, _) = server.app("built");
    let repo = guest_repository();
    let url = format!("file://{}", repo.path().display());
    let source = server.api.call(
        "PUT",
        &format!("/api/v1/apps/{app}/containers/hello/source"),
        Some(&json!({"url": url, "reference": {"kind": "BRANCH", "name": "main"}, "path": "guest"})),
    );
    assert_eq!(source.0, 200, "{}", source.1);
    let commit = git(repo.path(), &["rev-parse", "HEAD"]);

    let started = std::time::Instant::now();
    let build = server.api.post(&format!("/api/v1/apps/{app}/containers/hello/builds"), &json!({}));
    assert_eq!(build["status"], "QUEUED", "{build}");
    let (built, lines) = follow(&server, &app, "hello", &build);
    let took = started.elapsed();
    assert_eq!(built["status"], "SUCCEEDED", "{built}\n{}", text(&lines));
    assert_eq!(built["commit"], commit.as_str());
    assert_eq!(built["label"], commit.as_str(), "the version is labelled with the commit id");
    let log = text(&lines);
    assert!(log.contains(&format!("checked out {commit}")), "{log}");
    assert!(log.contains("Compiling standalone"), "cargo's output is in the log: {log}");

    let container = server.api.get(&format!("/api/v1/apps/{app}/containers/hello"));
    assert_eq!(container["deployedLabel"], commit.as_str(), "{container}");
    let version = &container["versions"][0];
    assert_eq!(version["source"]["type"], "GIT", "{version}");
    assert_eq!(version["source"]["commit"], commit.as_str(), "{version}");
    assert!(version["worlds"].as_array().unwrap().contains(&json!("basic")), "validated like an upload: {version}");

    // The built version runs in a job.
    let job = server.job(
        &app,
        &json!({"name": "built-echo", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "hello", "jobParams": "{\"greeting\":\"from-git\"}"}),
    );
    let instance = str_of(&server.run(&job, &json!({}))["id"]);
    let done = server.wait("the built job's instance ends", Duration::from_secs(120), || {
        let i = server.instance(&instance);
        (i["status"] == "SUCCEED" || i["status"] == "FAILED").then_some(i)
    });
    assert_eq!(done["status"], "SUCCEED", "{done}");
    assert!(str_of(&done["result"]).contains("from-git"), "{done}");

    // A commit that does not compile: the build fails with the compiler's
    // error in its log, and what is deployed does not change.
    let lib = repo.path().join("guest/src/lib.rs");
    let mut code = std::fs::read_to_string(&lib).unwrap();
    code.push_str("\nfn broken() -> u32 { \"not a number\" }\n");
    std::fs::write(&lib, code).unwrap();
    git(repo.path(), &["commit", "-q", "-am", "broken"]);
    let build = server.api.post(&format!("/api/v1/apps/{app}/containers/hello/builds"), &json!({}));
    let (failed, lines) = follow(&server, &app, "hello", &build);
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert_eq!(failed["versionId"], Value::Null);
    let log = text(&lines);
    assert!(log.contains("error[E0308]: mismatched types"), "the compiler's error is in the log: {log}");
    assert!(str_of(&failed["message"]).contains("compiler failed"), "{failed}");
    let after = server.api.get(&format!("/api/v1/apps/{app}/containers/hello"));
    assert_eq!(after["deployedLabel"], commit.as_str(), "nothing new is deployed: {after}");
    assert_eq!(after["versions"].as_array().unwrap().len(), 1, "nothing new is stored: {after}");

    let builds = server.api.get(&format!("/api/v1/apps/{app}/containers/hello/builds"));
    let statuses: Vec<&str> = builds.as_array().unwrap().iter().map(|b| b["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["FAILED", "SUCCEEDED"], "newest first: {builds}");
    let cli = Cli::new();
    cli.ok(&["login", "--server", &server.url, "--username", "admin", "--password", ADMIN_PASSWORD]);
    let listed = cli.ok(&["build", "list", "hello", "--app", &app]);
    assert!(listed.contains("FAILED") && listed.contains(&commit[..12]), "{listed}");
    let log = cli.ok(&["build", "log", "hello", &str_of(&build["id"]), "--app", &app]);
    assert!(log.contains("error[E0308]"), "{log}");
    report(format!("git build: commit {commit} built, stored and deployed in {took:?}"));
}

#[test]
fn credentials_never_leave_the_server() {
    // The loopback address is internal: this server allows it by name.
    let server = server_with(&[("WASMJOB_BUILDS__ALLOW_PRIVATE_HOSTS", "[\"127.0.0.1\"]")]);
    let (app, _) = server.app("secretive");
    let secret = "tok-3f9a1c77e2d54b08-very-secret";
    let path = format!("/api/v1/apps/{app}/containers/private/source");
    // Nothing listens on port 9: the clone fails, after using the credentials.
    let body = json!({"url": "https://127.0.0.1:9/org/private.git",
        "credentials": {"kind": "PASSWORD", "username": "ci-bot", "password": secret}});
    let (status, source) = server.api.call("PUT", &path, Some(&body));
    assert_eq!(status, 200, "{source}");
    assert_eq!(source["credentials"], json!({"kind": "PASSWORD", "username": "ci-bot"}));
    let build = server.api.post(&format!("/api/v1/apps/{app}/containers/private/builds"), &json!({}));
    let (failed, lines) = follow(&server, &app, "private", &build);
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(str_of(&failed["message"]).contains("cannot clone"), "{failed}");

    // Changing only the branch keeps the credentials; a new URL drops them.
    let (status, kept) = server.api.call(
        "PUT",
        &path,
        Some(&json!({"url": "https://127.0.0.1:9/org/private.git",
            "reference": {"kind": "TAG", "name": "v1.0"}})),
    );
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["credentials"]["username"], "ci-bot", "{kept}");
    let (_, moved) = server.api.call("PUT", &path, Some(&json!({"url": "https://example.com/elsewhere.git"})));
    assert_eq!(moved["credentials"], Value::Null, "a new URL never gets the old credentials: {moved}");

    // Bad input: named, nothing changed.
    let (status, refused) = server.api.call("PUT", &path, Some(&json!({"url": "https://u:pw@example.com/r.git"})));
    assert_eq!(status, 422, "{refused}");
    assert!(str_of(&refused["message"]).contains("password"), "{refused}");
    let (status, refused) = server.api.call("PUT", &path, Some(&json!({"url": "ftp://example.com/r"})));
    assert_eq!(status, 422, "{refused}");
    let (status, _) = server.api.call(
        "PUT",
        &path,
        Some(&json!({"url": "https://example.com/r.git", "reference": {"kind": "COMMIT", "name": "xyz"}})),
    );
    assert_eq!(status, 422);
    let unchanged = server.api.get(&path);
    assert_eq!(unchanged["url"], "https://example.com/elsewhere.git", "{unchanged}");

    let everything = [
        source.to_string(),
        failed.to_string(),
        text(&lines),
        kept.to_string(),
        server.api.get(&format!("/api/v1/apps/{app}/containers/private")).to_string(),
        server.api.get(&format!("/api/v1/apps/{app}/containers/private/builds")).to_string(),
        server.api.get(&path).to_string(),
        std::fs::read_to_string(server.process.log_path()).unwrap(),
    ]
    .join("\n");
    assert!(!everything.contains(secret), "the secret leaked:\n{everything}");
}
