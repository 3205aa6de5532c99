//! A real S3-compatible server for tests: `s3s-fs` (installed by
//! `scripts/s3-server.sh install`, which `scripts/test.sh` runs) as a child
//! process on a free port of 127.0.0.1, with its data in a temporary
//! directory, killed when dropped (also when a test panics). It checks
//! request signatures against the access key `test` and secret `testtest`.
//! s3s-fs keeps an object `KEY` of bucket `B` at `<data_dir>/B/KEY`.
//!
//! Shared by the server's store tests and the CLI's end-to-end test (which
//! includes this file with `#[path]`).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The access key id s3s-fs accepts.
pub const ACCESS_KEY: &str = "test";
/// The secret access key s3s-fs accepts.
pub const SECRET_KEY: &str = "testtest";
/// How long s3s-fs may take to accept connections (it takes ~30 ms).
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running `s3s-fs` with one bucket.
#[derive(Debug)]
pub struct S3sServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket created at start.
    pub bucket: String,
    child: Child,
    log: PathBuf,
    data: tempfile::TempDir,
}

impl S3sServer {
    /// Starts s3s-fs on a free port with the bucket `bucket` (at least 3
    /// characters, as S3 requires) and waits until it accepts connections.
    /// Panics, saying how to install it, when s3s-fs is not installed.
    pub fn start(bucket: &str) -> S3sServer {
        assert!(bucket.len() >= 3, "S3 bucket names have at least 3 characters: `{bucket}`");
        let binary = binary();
        let data = tempfile::tempdir().unwrap();
        let root = data.path().join("objects");
        // A bucket of s3s-fs is a directory of its root (what its
        // CreateBucket does); it must exist before the first listing.
        std::fs::create_dir_all(root.join(bucket)).unwrap();
        let log = data.path().join("s3s-fs.log");
        // A free port can be taken between our probe and s3s-fs's bind:
        // try again on another one.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let file = std::fs::File::create(&log).unwrap();
            let mut child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(&root)
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(file.try_clone().unwrap())
                .stderr(file)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
            if wait_until_ready(&mut child, port, &log) {
                let endpoint = format!("http://127.0.0.1:{port}");
                return S3sServer { endpoint, bucket: bucket.to_string(), child, log, data };
            }
        }
        panic!("s3s-fs did not start on any of 5 free ports:\n{}", tail(&log));
    }

    /// The directory s3s-fs stores the bucket's objects in.
    pub fn bucket_dir(&self) -> PathBuf {
        self.data.path().join("objects").join(&self.bucket)
    }

    /// The output of s3s-fs, for failure messages.
    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

impl Drop for S3sServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether s3s-fs accepts connections on `port`; false when it exited
/// (the port was taken); panics if it does neither for a minute.
fn wait_until_ready(child: &mut Child, port: u16, log: &Path) -> bool {
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("s3s-fs did not accept connections within {READY_WITHIN:?}:\n{}", tail(log));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The last 40 lines of s3s-fs's output.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    format!("--- s3s-fs ({}) ---\n{}", log.display(), lines[lines.len().saturating_sub(40)..].join("\n"))
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// The s3s-fs binary: on `PATH`, else in cargo's bin directory. Panics
/// with the install command when it is in neither.
fn binary() -> PathBuf {
    let on_path =
        std::env::var_os("PATH").into_iter().flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    on_path
        .chain(cargo_home.map(|home| home.join("bin")))
        .map(|dir| dir.join("s3s-fs"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "s3s-fs is not installed (looked on PATH and in ~/.cargo/bin); the S3 tests need it. Install it with \
                 `scripts/s3-server.sh install` (= `cargo install s3s-fs@0.14.1 --features binary --locked`, ~5 minutes)"
            )
        })
}
