//! A git build runs the repository's code (build scripts, procedural
//! macros). The attack: a repository whose `build.rs` reads the server's
//! data directory (the key that seals every app's git credentials, the
//! database), writes a marker outside its build directory, opens a socket
//! to the server and looks for the server's process. In the sandbox
//! every attempt fails, the build still succeeds, and its log shows each
//! refusal; nothing outside the build changed.

use crate::support::{Mode, Server, report, str_of};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A build compiles a guest and its dependencies in release mode.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "attacker")
        .env("GIT_AUTHOR_EMAIL", "attacker@example.com")
        .env("GIT_COMMITTER_NAME", "attacker")
        .env("GIT_COMMITTER_EMAIL", "attacker@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The build script: every attempt is reported as a cargo warning, which
/// the build log shows, and none of them fails the build.
fn hostile_build_script(data_dir: &Path, marker: &Path, port: u16) -> String {
    let data = data_dir.display();
    format!(
        r#"use std::io::Write;
fn report(what: &str, outcome: Result<String, std::io::Error>) {{
    match outcome {{
        Ok(done) => println!("cargo:warning=ATTACK SUCCEEDED {{what}}: {{done}}"),
        Err(e) => println!("cargo:warning=attack refused {{what}}: {{e}}"),
    }}
}}
fn main() {{
    report("read secret.key", std::fs::read("{data}/secret.key").map(|b| format!("{{}} bytes", b.len())));
    report("read wasmjob.db", std::fs::read("{data}/wasmjob.db").map(|b| format!("{{}} bytes", b.len())));
    report("list the data directory", std::fs::read_dir("{data}").map(|d| format!("{{}} entries", d.count())));
    report("write a marker", std::fs::File::create("{marker}").and_then(|mut f| f.write_all(b"pwned")).map(|()| "written".into()));
    report("write into the data directory", std::fs::write("{data}/pwned", b"pwned").map(|()| "written".into()));
    report("connect to the server", std::net::TcpStream::connect("127.0.0.1:{port}").map(|_| "connected".into()));
    report("connect to PostgreSQL", std::net::TcpStream::connect("127.0.0.1:5432").map(|_| "connected".into()));
    report("read /etc/shadow", std::fs::read("/etc/shadow").map(|b| format!("{{}} bytes", b.len())));
    let server = std::fs::read_dir("/proc").map(|d| d.flatten().filter_map(|p| std::fs::read_to_string(p.path().join("cmdline")).ok()).filter(|c| c.contains("127.0.0.1:{port}")).count());
    report("see the server's process", server.and_then(|n| if n > 0 {{ Ok(format!("{{n}} found")) }} else {{ Err(std::io::Error::other("no process of the server is visible")) }}));
}}
"#,
        marker = marker.display(),
    )
}

#[test]
fn a_build_script_cannot_read_the_server_write_outside_or_reach_the_network() {
    let cargo_home = crate::support::build_cargo_home();
    let server = Server::start(
        Mode::Standalone,
        &[
            ("WASMJOB_BUILDS__ENABLED", "true"),
            ("WASMJOB_BUILDS__ALLOW_LOCAL_REPOSITORIES", "true"),
            ("WASMJOB_BUILDS__CARGO_HOME", &cargo_home),
        ],
    );
    let (app, _) = server.app("hostile-builds");
    let data_dir = server.data_dir();
    // The key exists before the build (sealing a credential makes it).
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("marker-written-by-build-rs");
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();

    let repo = tempfile::tempdir().unwrap();
    let out = Command::new("bash").arg(repo_root().join("guest-examples/make-repo.sh")).arg(repo.path()).output();
    assert!(out.as_ref().unwrap().status.success(), "make-repo.sh: {out:?}");
    std::fs::write(repo.path().join("guest/build.rs"), hostile_build_script(&data_dir, &marker, port)).unwrap();
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "a build script that attacks the server"]);

    let base = format!("/api/v1/apps/{app}/containers/hostile");
    let url = format!("file://{}", repo.path().display());
    let source = server.api.call("PUT", &format!("{base}/source"), Some(&json!({"url": url, "path": "guest"})));
    assert_eq!(source.0, 200, "{}", source.1);
    let key_before = std::fs::read(data_dir.join("secret.key")).ok();
    let build = server.api.post(&format!("{base}/builds"), &json!({}));

    let (status, log) = follow(&server, &format!("{base}/builds/{}", str_of(&build["id"])));
    assert!(!log.contains("ATTACK SUCCEEDED"), "an attempt got through:\n{log}");
    for attempt in [
        "read secret.key",
        "read wasmjob.db",
        "list the data directory",
        "write a marker",
        "write into the data directory",
        "connect to the server",
        "connect to PostgreSQL",
        "read /etc/shadow",
        "see the server's process",
    ] {
        assert!(log.contains(&format!("attack refused {attempt}")), "`{attempt}` is not in the log:\n{log}");
    }
    assert!(log.contains("in the sandbox, without network"), "{log}");
    let refusals: Vec<&str> = log.lines().filter(|l| l.contains("attack refused")).collect();
    report(format!("the build script's attempts, as its log shows them:\n{}", refusals.join("\n")));
    assert_eq!(status["status"], "SUCCEEDED", "the build itself succeeds: {status}\n{log}");
    assert!(!marker.exists(), "the marker was written outside the build");
    assert!(!data_dir.join("pwned").exists(), "the data directory was written");
    assert_eq!(std::fs::read(data_dir.join("secret.key")).ok(), key_before, "the key is unchanged");
}

/// Follows a build's log until it ends: the build and its log's text.
fn follow(server: &Server, build: &str) -> (Value, String) {
    let mut lines = Vec::new();
    let mut after = 0;
    let deadline = Instant::now() + BUILD_PATIENCE;
    loop {
        let page = server.api.get(&format!("{build}/log?after={after}&waitMs=5000"));
        let got = page["lines"].as_array().unwrap().clone();
        after = page["next"].as_i64().unwrap();
        let ended = got.is_empty() && (page["status"] == "SUCCEEDED" || page["status"] == "FAILED");
        lines.extend(got.iter().map(|l| str_of(&l["line"])));
        if ended {
            return (server.api.get(build), lines.join("\n"));
        }
        assert!(Instant::now() < deadline, "the build did not end:\n{}", server.log_tail());
    }
}
