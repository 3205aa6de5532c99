//! Inspection is bounded. The attack: `POST …/containers/inspect` kept
//! the compiled code of everything it inspected, in memory and on disk
//! (60 distinct variants of a guest grew a server by 28 MiB of memory and
//! 23 MiB of compiled files), and anyone with an app's token could ask
//! for as many as they liked. Now inspection keeps nothing, each app may
//! ask for a limited number a minute (429 with `Retry-After` beyond), and
//! standalone mode checks uploads with its embedded worker's engine
//! instead of building a second one.

use crate::support::{Mode, Server, dist, report, rss_kib, str_of};
use std::path::Path;
use std::time::Duration;

/// `bytes` with a custom section of its own appended: the same component,
/// with a digest of its own.
fn variant(bytes: &[u8], n: usize) -> Vec<u8> {
    fn leb(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let name = b"wasmjob-variant";
    let mut section = Vec::new();
    leb(name.len(), &mut section);
    section.extend_from_slice(name);
    section.extend_from_slice(&n.to_le_bytes());
    let mut out = bytes.to_vec();
    out.push(0); // a custom section
    leb(section.len(), &mut out);
    out.extend_from_slice(&section);
    out
}

/// `POST path` with wasm bytes: the status, `Retry-After` and the JSON answer.
fn post_wasm(url: &str, token: &str, path: &str, bytes: &[u8]) -> (u16, Option<String>, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut response = agent
        .post(format!("{url}{path}"))
        .content_type("application/wasm")
        .header("Authorization", format!("Bearer {token}"))
        .send(bytes)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (response.status().as_u16(), retry_after, serde_json::from_str(&text).unwrap_or_default())
}

/// Files under `dir` and their total size in bytes.
fn files_in(dir: &Path) -> (usize, u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return (0, 0) };
    let mut found = (0, 0);
    for entry in entries {
        let path = entry.unwrap().path();
        let (n, size) = if path.is_dir() { files_in(&path) } else { (1, std::fs::metadata(&path).unwrap().len()) };
        found = (found.0 + n, found.1 + size);
    }
    found
}

/// Inspects distinct variants of a guest (60, as the attack did; set
/// `WASMJOB_ATTACK_VARIANTS` for more): nothing lands in the compiled-code
/// directory, and the server's memory is reported before and after.
#[test]
fn inspecting_distinct_variants_leaves_the_server_as_it_was() {
    let variants: usize = std::env::var("WASMJOB_ATTACK_VARIANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let server = Server::start(Mode::Server, &[("WASMJOB_INSPECTIONS_PER_MINUTE", "100000")]);
    let (app, token) = server.app_token("inspected");
    let guest = std::fs::read(dist("standalone")).unwrap();
    let path = format!("/api/v1/apps/{app}/containers/inspect");
    let compiled = server.data_dir().join("compiled");
    let pid = server.process.pid();

    // A first inspection builds the engine: measure from there.
    let (status, _, body) = post_wasm(&server.url, &token, &path, &variant(&guest, 0));
    assert_eq!(status, 200, "{body}");
    let (rss_before, files_before) = (rss_kib(pid), files_in(&compiled));
    let mut rss_half = 0;
    for n in 1..=variants {
        let (status, _, body) = post_wasm(&server.url, &token, &path, &variant(&guest, n));
        assert_eq!(status, 200, "variant {n}: {body}\n{}", server.log_tail());
        if n == variants / 2 {
            rss_half = rss_kib(pid);
        }
    }
    let (rss_after, files_after) = (rss_kib(pid), files_in(&compiled));
    report(format!(
        "inspection: {variants} distinct variants of a {} KiB guest: RSS {} MiB before, {} MiB halfway, {} MiB after; \
         compiled directory {files_before:?} before, {files_after:?} after (files, bytes)",
        guest.len() / 1024,
        rss_before / 1024,
        rss_half / 1024,
        rss_after / 1024,
    ));
    assert_eq!(files_after, (0, 0), "inspection compiled nothing to disk");
}

/// Each app may inspect a limited number of components a minute: beyond,
/// 429 with `Retry-After`, and another app keeps its allowance.
#[test]
fn inspections_beyond_an_apps_allowance_are_refused() {
    let server = Server::start(Mode::Server, &[("WASMJOB_INSPECTIONS_PER_MINUTE", "2")]);
    let (app, token) = server.app_token("greedy");
    let (other, other_token) = server.app_token("modest");
    let path = format!("/api/v1/apps/{app}/containers/inspect");
    for n in 0..2 {
        let (status, _, body) = post_wasm(&server.url, &token, &path, b"not wasm");
        assert_eq!(status, 422, "inspection {n}: {body}");
    }
    let guest = std::fs::read(dist("standalone")).unwrap();
    let (status, retry_after, body) = post_wasm(&server.url, &token, &path, &guest);
    assert_eq!(status, 429, "{body}");
    let retry_after: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    assert!(str_of(&body["message"]).contains("2 components a minute"), "{body}");
    let (status, _, body) =
        post_wasm(&server.url, &other_token, &format!("/api/v1/apps/{other}/containers/inspect"), b"not wasm");
    assert_eq!(status, 422, "another app keeps its allowance: {body}");
}

/// Standalone mode: the server checks uploads with the embedded worker's
/// engine. Every engine has an epoch thread of its own: after an upload,
/// the process has one.
#[test]
fn standalone_builds_one_engine() {
    let server = Server::standalone();
    let (app, token) = server.app_token("engines");
    let (status, _, body) = post_wasm(
        &server.url,
        &token,
        &format!("/api/v1/apps/{app}/containers/echo/versions"),
        &std::fs::read(dist("standalone")).unwrap(),
    );
    assert_eq!(status, 201, "{body}");
    let pid = server.process.pid();
    let epoch_threads = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter(|task| {
            let comm = std::fs::read_to_string(task.as_ref().unwrap().path().join("comm")).unwrap_or_default();
            comm.trim() == "wasmjob-epoch"
        })
        .count();
    assert_eq!(epoch_threads, 1, "one wasmtime engine (one epoch thread) in the process\n{}", server.log_tail());
}
