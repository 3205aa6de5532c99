//! Misbehaving guest: tries to leave its sandbox — read a host file, read
//! an environment variable, list the arguments, open a socket — and
//! reports what it saw as JSON. A correctly sandboxed run sees nothing.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Default)]
struct Escape;

impl BasicProcessor for Escape {
    fn process(&self, _ctx: &TaskContext) -> ProcessResult {
        let file = match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => format!("read {} bytes", text.len()),
            Err(e) => format!("denied: {e}"),
        };
        let dir = match std::fs::read_dir("/") {
            Ok(entries) => format!("listed {} entries", entries.count()),
            Err(e) => format!("denied: {e}"),
        };
        let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
        let home = std::env::var("HOME").ok();
        let args: Vec<String> = std::env::args().collect();
        let socket = match std::net::TcpStream::connect("127.0.0.1:5432") {
            Ok(_) => "connected".to_string(),
            Err(e) => format!("denied: {e}"),
        };
        let report = serde_json::json!({
            "file": file,
            "dir": dir,
            "envCount": vars.len(),
            "home": home,
            "args": args,
            "socket": socket,
        });
        log::info(format!("escape attempts: {report}"));
        let escaped = !file.starts_with("denied")
            || !dir.starts_with("denied")
            || !vars.is_empty()
            || !args.is_empty()
            || !socket.starts_with("denied");
        ProcessResult { success: !escaped, msg: report.to_string() }
    }
}

wasmjob_sdk::export_basic!(Escape);
