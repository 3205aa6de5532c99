//! The official processors against real parts: child processes, a real
//! HTTP server on 127.0.0.1, real SQLite, PostgreSQL (127.0.0.1:5432,
//! database `test`) and MariaDB (127.0.0.1:3306, database `test`), real
//! files.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use wasmjob_official::{Datasource, OfficialConfig, OfficialKind, OfficialProcessors};
use wasmjob_runtime::testing::KeptLogs;
use wasmjob_runtime::{LogSource, TaskCall, TaskControl, TaskLimits, TaskProcessor, TaskRequest, TaskRun, TaskSpec};
use wasmjob_vocab::ExecuteType;

/// The runtime the processors do their I/O on.
fn io_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap())
}

fn processors(config: &OfficialConfig) -> OfficialProcessors {
    OfficialProcessors::new(config, io_runtime().handle().clone()).expect("official processors")
}

fn enabled(kinds: &[OfficialKind]) -> OfficialConfig {
    OfficialConfig { enable: kinds.to_vec(), ..OfficialConfig::default() }
}

fn request(params: &str, control: TaskControl, logs: Arc<KeptLogs>, timeout: Option<Duration>) -> TaskRequest {
    TaskRequest {
        kind: ExecuteType::Standalone,
        call: TaskCall::Process,
        spec: TaskSpec::root(1, 42, params, ""),
        limits: TaskLimits { timeout, ..TaskLimits::default() },
        control,
        log: logs,
        subtasks: None,
    }
}

/// Runs `kind` once with `params`; the run and its log.
fn run(processors: &OfficialProcessors, kind: &str, params: &str) -> (TaskRun, Arc<KeptLogs>) {
    let processor = processors.get(kind.parse().unwrap()).unwrap_or_else(|| panic!("{kind} is not enabled"));
    let logs = Arc::new(KeptLogs::default());
    let run = processor.run(request(params, TaskControl::new(), logs.clone(), None));
    (run, logs)
}

fn outcome(run: &TaskRun) -> (bool, String) {
    (run.succeeded(), run.message())
}

/// Whether a live (not zombie) process is in group `pgid`.
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid pgrp ...
        let Some((_, rest)) = stat.rsplit_once(") ") else { return false };
        let fields: Vec<&str> = rest.split(' ').collect();
        fields.first() != Some(&"Z") && fields.get(2).and_then(|g| g.parse::<i32>().ok()) == Some(pgid)
    })
}

#[test]
fn powerful_processors_are_off_unless_enabled() {
    let default = processors(&OfficialConfig::default());
    for off in ["SHELL", "PYTHON", "FILE_CLEANUP"] {
        assert!(default.get(off.parse().unwrap()).is_none(), "{off} is off by default");
    }
    for on in ["HTTP", "SQL", "CONFIG", "INJECT_WORKFLOW_CONTEXT"] {
        assert!(default.get(on.parse().unwrap()).is_some(), "{on} is on by default");
    }
    assert!(!default.advertised().contains(&"SHELL".to_string()));
    let shell = processors(&enabled(&[OfficialKind::Shell]));
    assert!(shell.advertised().contains(&"SHELL".to_string()));
}

#[test]
fn a_shell_script_streams_its_output_and_its_exit_code_decides() {
    let p = processors(&enabled(&[OfficialKind::Shell]));
    let (ok, logs) = run(&p, "SHELL", "echo hello; echo warning >&2; sleep 0.1; echo \"task $WASMJOB_TASK_ID\"");
    assert!(ok.succeeded(), "{}", ok.message());
    assert!(ok.message().ends_with("task 0"), "the result carries the output's tail: {}", ok.message());
    let lines = logs.lines();
    assert!(lines.iter().any(|l| l.message == "hello" && l.source == LogSource::Stdout), "{lines:?}");
    assert!(lines.iter().any(|l| l.message == "warning" && l.source == LogSource::Stderr), "{lines:?}");
    let (failed, _) = run(&p, "SHELL", "echo partial; exit 3");
    assert_eq!(outcome(&failed), (false, "exit code 3; output: partial".into()));
    // The worker's environment (its app secret) never reaches a script.
    let (env, _) = run(&p, "SHELL", "env | grep -c WASMJOB_APP_SECRET || true");
    assert_eq!(env.message(), "0");
}

#[test]
fn ten_thousand_lines_arrive_in_order() {
    let p = processors(&enabled(&[OfficialKind::Shell]));
    let (done, logs) = run(&p, "SHELL", "seq 1 10000");
    assert!(done.succeeded(), "{}", done.message());
    let numbers: Vec<String> =
        logs.lines().into_iter().filter(|l| l.source == LogSource::Stdout).map(|l| l.message).collect();
    assert_eq!(numbers, (1..=10_000).map(|n| n.to_string()).collect::<Vec<_>>());
}

#[test]
fn a_line_without_end_is_logged_in_bounded_pieces() {
    let p = processors(&enabled(&[OfficialKind::Shell]));
    let (done, logs) = run(&p, "SHELL", "head -c 20000 /dev/zero | tr '\\0' x");
    assert!(done.succeeded(), "{}", done.message());
    let pieces: Vec<usize> =
        logs.lines().into_iter().filter(|l| l.source == LogSource::Stdout).map(|l| l.message.len()).collect();
    assert_eq!(pieces, vec![8192, 8192, 3616]);
}

#[test]
fn a_stop_ends_the_whole_process_group_within_a_second() {
    let p = processors(&enabled(&[OfficialKind::Shell]));
    let shell = p.get(wasmjob_vocab::ProcessorType::Shell).unwrap();
    let logs = Arc::new(KeptLogs::default());
    let control = TaskControl::new();
    let script = "echo $$; sleep 60 & sleep 60; wait";
    let running = {
        let (logs, control) = (logs.clone(), control.clone());
        std::thread::spawn(move || shell.run(request(script, control, logs, None)))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let pgid = loop {
        if let Some(line) = logs.lines().into_iter().find(|l| l.source == LogSource::Stdout) {
            break line.message.parse::<i32>().unwrap();
        }
        assert!(Instant::now() < deadline, "the script never started");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(group_alive(pgid));
    let asked = Instant::now();
    control.stop();
    let run = running.join().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(1), "{:?}", asked.elapsed());
    assert_eq!(run.message(), "the task was stopped on request");
    let gone = Instant::now() + Duration::from_secs(1);
    while group_alive(pgid) {
        assert!(Instant::now() < gone, "process group {pgid} outlived its task");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_time_limit_kills_the_script() {
    let p = processors(&enabled(&[OfficialKind::Shell]));
    let logs = Arc::new(KeptLogs::default());
    let started = Instant::now();
    let timeout = Some(Duration::from_millis(300));
    let run =
        p.get(wasmjob_vocab::ProcessorType::Shell).unwrap().run(request("sleep 30", TaskControl::new(), logs, timeout));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(outcome(&run), (false, "the task exceeded its time limit of 300 ms".into()));
}

/// A tiny HTTP/1.1 server: `/ok` 200, `/created` 201, `/fail` 500,
/// `/slow` after 3 s, `/script.py` a Python script, anything else 404.
fn http_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap_or_default();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = first.split(' ').nth(1).unwrap_or("/").to_string();
                let (status, body) = match path.as_str() {
                    "/ok" => ("200 OK", "all good".to_string()),
                    "/created" => ("201 Created", "made it".to_string()),
                    "/fail" => ("500 Internal Server Error", "it broke".to_string()),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(3));
                        ("200 OK", "late".to_string())
                    }
                    "/script.py" => ("200 OK", "import sys\nprint('from python', sys.version_info[0])\n".to_string()),
                    _ => ("404 Not Found", "no".to_string()),
                };
                let mut stream = stream;
                let reply =
                    format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = stream.write_all(reply.as_bytes());
            });
        }
    });
    base
}

#[test]
fn a_python_script_runs_from_a_url_and_an_unreachable_url_fails_clearly() {
    let base = http_server();
    let p = processors(&enabled(&[OfficialKind::Python]));
    let (done, _) = run(&p, "PYTHON", &format!("{base}/script.py"));
    assert_eq!(outcome(&done), (true, "from python 3".into()));
    let (missing, _) = run(&p, "PYTHON", &format!(r#"{{"url":"{base}/missing.py"}}"#));
    assert_eq!(
        missing.message(),
        format!("cannot fetch the script from {base}/missing.py: the server answered 404 Not Found")
    );
    let (unreachable, _) = run(&p, "PYTHON", "http://127.0.0.1:1/job.py");
    let msg = unreachable.message();
    assert!(
        !unreachable.succeeded() && msg.starts_with("cannot fetch the script from http://127.0.0.1:1/job.py: "),
        "{msg}"
    );
}

#[test]
fn http_requests_succeed_on_2xx_or_the_expected_codes() {
    let base = http_server();
    let p = processors(&OfficialConfig::default());
    let call = |params: String| outcome(&run(&p, "HTTP", &params).0);
    assert_eq!(call(format!(r#"{{"url":"{base}/ok"}}"#)), (true, "HTTP 200; body: all good".into()));
    assert_eq!(
        call(format!(r#"{{"url":"{base}/fail","method":"post","body":"{{}}","mediaType":"application/json"}}"#)),
        (false, "HTTP 500, expected a 2xx status; body: it broke".into())
    );
    assert_eq!(
        call(format!(r#"{{"url":"{base}/fail","expectedStatus":[500]}}"#)),
        (true, "HTTP 500; body: it broke".into())
    );
    assert_eq!(
        call(format!(r#"{{"url":"{base}/created","bodyContains":"nope"}}"#)),
        (false, "HTTP 201, but the body does not contain \"nope\"; body: made it".into())
    );
    let started = Instant::now();
    assert_eq!(
        call(format!(r#"{{"url":"{base}/slow","timeout":1}}"#)),
        (false, "no answer within the timeout of 1 s".into())
    );
    assert!(started.elapsed() < Duration::from_millis(2500));
    let (bad, _) = run(&p, "HTTP", r#"{"url":"ftp://x"}"#);
    assert_eq!(bad.message(), "`ftp://x` is not an http or https URL");
}

/// Runs the SQL acceptance cases on one database.
fn sql_on(url: &str, sleep: &str) {
    let config = OfficialConfig {
        datasources: vec![Datasource { name: "db".into(), url: url.into() }],
        ..OfficialConfig::default()
    };
    let p = processors(&config);
    let sql = |statement: &str, extra: &str| {
        let params = serde_json::json!({"datasource": "db", "sql": statement}).to_string();
        let params = format!("{}{extra}}}", &params[..params.len() - 1]);
        run(&p, "SQL", &params)
    };
    let table = format!("wj_official_{}", std::process::id());
    let (setup, _) = sql(&format!("CREATE TABLE {table} (id INTEGER, name VARCHAR(32))"), "");
    assert!(setup.succeeded(), "{}", setup.message());
    let (inserted, _) = sql(&format!("INSERT INTO {table} (id, name) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy')"), "");
    assert_eq!(outcome(&inserted), (true, "0 rows returned, 3 rows affected".into()));
    let (updated, _) = sql(&format!("UPDATE {table} SET name = 'bo' WHERE id >= 2"), "");
    assert_eq!(outcome(&updated), (true, "0 rows returned, 2 rows affected".into()));
    let (selected, logs) = sql(&format!("SELECT id, name FROM {table} ORDER BY id"), r#","showResult":true"#);
    assert_eq!(outcome(&selected), (true, "3 rows returned, 0 rows affected".into()));
    let shown: Vec<String> = logs.lines().into_iter().map(|l| l.message).collect();
    assert_eq!(shown[0].split('|').map(str::trim).collect::<Vec<_>>(), ["id", "name"], "{shown:?}");
    assert_eq!(shown[2].split('|').map(str::trim).collect::<Vec<_>>(), ["1", "ada"], "{shown:?}");
    assert_eq!(shown.len(), 5, "{shown:?}");
    let (dropped, _) = sql(&format!("drop  TABLE {table}"), "");
    assert_eq!(
        outcome(&dropped),
        (
            false,
            "the statement was refused by this worker's SQL check: it holds a `drop` statement \
             (refused here: drop, truncate, attach, dynamic)"
                .into()
        )
    );
    let started = Instant::now();
    let (slow, _) = sql(sleep, r#","timeout":1"#);
    assert_eq!(outcome(&slow), (false, "the statement did not finish within its timeout of 1 s".into()));
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let (missing, _) = run(&p, "SQL", r#"{"datasource":"elsewhere","sql":"SELECT 1"}"#);
    assert_eq!(missing.message(), r#"this worker has no datasource `elsewhere` (it has ["db"])"#);
    let (dynamic, _) = run(&p, "SQL", &serde_json::json!({"url": url, "sql": "SELECT 1"}).to_string());
    assert_eq!(dynamic.message(), "this worker does not run SQL on connection URLs from jobs (sql-dynamic is off)");
    // Clean up with a worker that allows everything.
    let cleaner = processors(&OfficialConfig { sql_refuse: Vec::new(), ..config });
    let params = serde_json::json!({"datasource": "db", "sql": format!("DROP TABLE {table}")}).to_string();
    assert!(run(&cleaner, "SQL", &params).0.succeeded());
}

/// Statements that try to get a DROP or TRUNCATE past the check, on any
/// database; `{t}` is the victim table.
const BYPASSES: &[&str] = &[
    "DROP TABLE {t}",
    "drop table {t}",
    "DrOp TaBlE {t}",
    "DROP/**/TABLE {t}",
    "DROP/* a comment */TABLE/**/{t}",
    "DROP -- a comment\nTABLE {t}",
    "DROP\n\tTABLE\r\n{t}",
    "  DROP   TABLE   IF EXISTS {t}  ",
    "SELECT 1; DROP TABLE {t}",
    "SELECT 'x';DROP TABLE {t};",
    "SELECT 1;\n\nDROP TABLE {t}",
    "DELETE FROM {t} WHERE 1 = 0; DROP TABLE {t}",
    "TRUNCATE TABLE {t}",
    "truncate {t}",
    "/* x */ TRUNCATE {t}",
    "SELECT 1 /* ; */ ; DROP TABLE {t}",
    "DROP",
    "DROP TABLE",
];

/// Of each database: more ways around, and its dialect's own.
const PG_BYPASSES: &[&str] = &[
    "DO $$ BEGIN EXECUTE 'DROP TABLE {t}'; END $$",
    "BEGIN; DROP TABLE {t}; COMMIT",
    "DROP /* nested /* comment */ */ TABLE {t}",
];
const MY_BYPASSES: &[&str] = &[
    "SELECT 1 /*! ; DROP TABLE {t} */",
    "SELECT 1 /*!50000 ; DROP TABLE {t} */",
    "SELECT 1 /*M! ; DROP TABLE {t} */",
    "PREPARE s FROM 'DROP TABLE {t}'; EXECUTE s",
    "SET @q = 'DROP TABLE {t}'; PREPARE s FROM @q; EXECUTE s",
    "SELECT 1 # comment\n; DROP TABLE {t}",
];
const LITE_BYPASSES: &[&str] = &["ATTACH DATABASE '/tmp/wj-attached.db' AS a", "DETACH DATABASE a"];

/// Keywords where they do no harm: these run.
const HARMLESS: &[&str] = &[
    "SELECT 'drop table {t}'",
    "SELECT 'truncate' AS x -- drop table {t}",
    "SELECT count(*) FROM {t} /* drop table {t} */",
    "INSERT INTO {t} (id, name) VALUES (9, 'drop table')",
    "UPDATE {t} SET name = 'truncate' WHERE id = 9",
    "DELETE FROM {t} WHERE name = 'truncate'",
];

/// Every bypass attempt is refused and the victim table keeps its row;
/// harmless keywords in strings and comments run; a read-only worker
/// writes nothing, even through a function.
fn sql_corpus_on(url: &str, own: &[&str]) {
    let source = vec![Datasource { name: "db".into(), url: url.into() }];
    let p = processors(&OfficialConfig { datasources: source.clone(), ..OfficialConfig::default() });
    let t = format!("wj_victim_{}", std::process::id());
    let sql = |p: &OfficialProcessors, statement: &str| {
        let statement = statement.replace("{t}", &t);
        run(p, "SQL", &serde_json::json!({"datasource": "db", "sql": statement}).to_string()).0
    };
    let count = |p: &OfficialProcessors| {
        let counted = sql(p, "SELECT count(*) FROM {t}");
        assert!(counted.succeeded(), "the victim table is gone: {}", counted.message());
        counted
    };
    let unchecked = processors(&OfficialConfig {
        datasources: source.clone(),
        sql_refuse: Vec::new(),
        ..OfficialConfig::default()
    });
    let _ = sql(&unchecked, "DROP TABLE IF EXISTS {t}");
    assert!(sql(&p, "CREATE TABLE {t} (id INTEGER, name VARCHAR(32))").succeeded());
    assert!(sql(&p, "INSERT INTO {t} (id, name) VALUES (1, 'kept')").succeeded());
    for attempt in BYPASSES.iter().chain(own) {
        let refused = sql(&p, attempt);
        assert!(
            !refused.succeeded()
                && refused.message().starts_with("the statement was refused by this worker's SQL check"),
            "{url}: `{attempt}` was not refused: {}",
            refused.message()
        );
        count(&p);
    }
    for harmless in HARMLESS {
        let ran = sql(&p, harmless);
        assert!(ran.succeeded(), "{url}: `{harmless}`: {}", ran.message());
    }
    // Read-only: queries run; writes are refused by the check, and what
    // the check cannot see by the database.
    let read_only =
        processors(&OfficialConfig { datasources: source, sql_read_only: true, ..OfficialConfig::default() });
    let counted = count(&read_only);
    assert_eq!(counted.message(), "1 rows returned, 0 rows affected");
    for write in [
        "INSERT INTO {t} (id, name) VALUES (2, 'x')",
        "UPDATE {t} SET name = 'gone'",
        "DELETE FROM {t}",
        "SELECT 1; DELETE FROM {t}",
        "CREATE TABLE {t}_2 (a INTEGER)",
        "COMMIT; DELETE FROM {t}",
        "PRAGMA query_only = OFF; DELETE FROM {t}",
    ] {
        let refused = sql(&read_only, write);
        assert!(refused.message().starts_with("the statement was refused"), "{url}: `{write}`: {}", refused.message());
    }
    if url.starts_with("postgres") {
        let _ = sql(&unchecked, "CREATE SEQUENCE IF NOT EXISTS {t}_seq");
        let blocked = sql(&read_only, "SELECT nextval('{t}_seq')");
        assert!(blocked.message().contains("read-only transaction"), "{}", blocked.message());
        let _ = sql(&unchecked, "DROP SEQUENCE {t}_seq");
    }
    assert_eq!(count(&read_only).message(), "1 rows returned, 0 rows affected");
    let remaining = sql(&p, "SELECT name FROM {t} WHERE name = 'kept'");
    assert_eq!(remaining.message(), "1 rows returned, 0 rows affected");
    assert!(sql(&unchecked, "DROP TABLE {t}").succeeded());
}

#[test]
fn sql_bypass_corpus_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    sql_corpus_on(&format!("sqlite://{}?mode=rwc", dir.path().join("corpus.db").display()), LITE_BYPASSES);
    assert!(!std::path::Path::new("/tmp/wj-attached.db").exists(), "ATTACH made no file");
}

#[test]
fn sql_bypass_corpus_on_postgres() {
    sql_corpus_on("postgres://postgres@127.0.0.1:5432/test", PG_BYPASSES);
}

#[test]
fn sql_bypass_corpus_on_mariadb() {
    sql_corpus_on("mysql://root@127.0.0.1:3306/test", MY_BYPASSES);
}

#[test]
fn sql_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("official.db").display());
    let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    sql_on(&url, slow);
}

#[test]
fn sql_on_postgres() {
    sql_on("postgres://postgres@127.0.0.1:5432/test", "SELECT pg_sleep(5)");
}

#[test]
fn sql_on_mariadb() {
    sql_on("mysql://root@127.0.0.1:3306/test", "SELECT SLEEP(5)");
}

#[test]
fn sql_on_a_url_runs_only_where_enabled() {
    let p = processors(&enabled(&[OfficialKind::SqlDynamic]));
    let params = serde_json::json!({"url": "postgres://postgres@127.0.0.1:5432/test", "sql": "SELECT 41 + 1 AS answer", "showResult": true});
    let (done, logs) = run(&p, "SQL", &params.to_string());
    assert_eq!(outcome(&done), (true, "1 rows returned, 0 rows affected".into()));
    assert!(logs.lines().iter().any(|l| l.message.trim() == "42"), "{:?}", logs.lines());
    let (bad, _) = run(&p, "SQL", r#"{"url":"postgres://nobody:secret@127.0.0.1:1/x","sql":"SELECT 1"}"#);
    assert!(!bad.message().contains("secret"), "{}", bad.message());
}

#[test]
fn file_cleanup_removes_old_matching_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3 * 3600);
    let make = |name: &str, aged: bool| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(10).unwrap();
        if aged {
            file.set_modified(old).unwrap();
        }
        path
    };
    let stale = make("app.log", true);
    let nested = make("sub/old.log", true);
    let fresh = make("new.log", false);
    let other = make("keep.txt", true);
    let p = processors(&cleaner_under(&[dir.path()]));
    let rules = serde_json::json!([{"dirPath": dir.path(), "filePattern": r".*\.log", "retentionTime": 2}]);
    let (done, logs) = run(&p, "FILE_CLEANUP", &rules.to_string());
    assert_eq!(outcome(&done), (true, "removed 2 files (20 bytes); 0 could not be removed".into()));
    assert!(!stale.exists() && !nested.exists() && fresh.exists() && other.exists());
    assert!(logs.contains("removed ") && logs.contains("old.log"));
    let (bad, _) = run(&p, "FILE_CLEANUP", r#"[{"dirPath":"relative","filePattern":"x","retentionTime":1}]"#);
    assert_eq!(bad.message(), "dirPath `relative` is not an absolute path");
}

/// A worker with FILE_CLEANUP allowed under `roots`.
fn cleaner_under(roots: &[&std::path::Path]) -> OfficialConfig {
    OfficialConfig {
        cleanup_roots: roots.iter().map(|r| r.to_path_buf()).collect(),
        ..enabled(&[OfficialKind::FileCleanup])
    }
}

/// An old file matching `.*` at `path`.
fn old_file(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(3 * 3600)).unwrap();
}

fn rule(dir: impl AsRef<std::path::Path>) -> String {
    serde_json::json!([{"dirPath": dir.as_ref(), "filePattern": ".*", "retentionTime": 1}]).to_string()
}

#[test]
fn file_cleanup_stays_under_the_directories_the_worker_allows() {
    let base = tempfile::tempdir().unwrap();
    let allowed = base.path().join("x");
    let outside = base.path().join("etc");
    let victim = outside.join("passwd");
    old_file(&victim);
    old_file(&allowed.join("old.log"));
    // No directory allowed: refused, naming the setting.
    let none = processors(&enabled(&[OfficialKind::FileCleanup]));
    let (refused, _) = run(&none, "FILE_CLEANUP", &rule(&allowed));
    assert!(!refused.succeeded() && refused.message().contains("--cleanup-root"), "{}", refused.message());
    assert!(allowed.join("old.log").exists());
    // `/` is never a root.
    let root = OfficialProcessors::new(&cleaner_under(&[std::path::Path::new("/")]), io_runtime().handle().clone());
    assert!(root.unwrap_err().to_string().contains("the filesystem's root"));
    let dotted =
        OfficialProcessors::new(&cleaner_under(&[std::path::Path::new("/tmp/..")]), io_runtime().handle().clone());
    assert!(dotted.is_err());
    let p = processors(&cleaner_under(&[&allowed]));
    // Cleaning `/`, `/etc`, and the outside through `..`.
    for (dir, why) in [
        ("/".to_string(), "is the filesystem's root"),
        ("/tmp/../".to_string(), "is the filesystem's root"),
        ("/etc".to_string(), "is not under a directory this worker allows"),
        (outside.display().to_string(), "is not under a directory this worker allows"),
        (format!("{}/../etc", allowed.display()), "is not under a directory this worker allows"),
    ] {
        let (refused, _) = run(&p, "FILE_CLEANUP", &rule(&dir));
        assert!(!refused.succeeded() && refused.message().contains(why), "{dir}: {}", refused.message());
    }
    assert!(victim.exists() && std::path::Path::new("/etc/passwd").exists());
    // One rule outside refuses the whole job: nothing goes.
    let both = serde_json::json!([
        {"dirPath": &allowed, "filePattern": ".*", "retentionTime": 1},
        {"dirPath": &outside, "filePattern": ".*", "retentionTime": 1}
    ]);
    assert!(!run(&p, "FILE_CLEANUP", &both.to_string()).0.succeeded());
    assert!(allowed.join("old.log").exists() && victim.exists());
    // Symbolic links inside the allowed directory, to the outside: neither
    // followed by the walk nor accepted as a dirPath; the targets survive.
    std::os::unix::fs::symlink(&outside, allowed.join("link")).unwrap();
    std::os::unix::fs::symlink(&victim, allowed.join("passwd.log")).unwrap();
    let (done, _) = run(&p, "FILE_CLEANUP", &rule(&allowed));
    assert_eq!(done.message(), "removed 1 files (0 bytes); 0 could not be removed");
    assert!(!allowed.join("old.log").exists(), "the allowed directory's own file went");
    let (through, _) = run(&p, "FILE_CLEANUP", &rule(allowed.join("link")));
    assert!(through.message().contains("is not under a directory this worker allows"), "{}", through.message());
    assert!(victim.exists() && outside.is_dir(), "the link's target survives");
    assert!(allowed.join("link").exists() && allowed.join("passwd.log").exists(), "links are not deleted either");
}

#[test]
fn config_is_kept_and_written_and_context_is_injected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pushed.json");
    let p = processors(&OfficialConfig { config_file: Some(file.clone()), ..OfficialConfig::default() });
    let (done, _) = run(&p, "CONFIG", r#"{"batch":100,"mode":"fast"}"#);
    assert!(done.succeeded(), "{}", done.message());
    assert_eq!(p.pushed().get().unwrap()["batch"], 100);
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["mode"], "fast");
    let (not_object, _) = run(&p, "CONFIG", "[1,2]");
    assert!(not_object.message().starts_with("the parameters must be JSON like"), "{}", not_object.message());
    let (injected, _) = run(&p, "INJECT_WORKFLOW_CONTEXT", r#"{"region":"eu","limit":5}"#);
    assert_eq!(
        injected.workflow_appends,
        [("limit".to_string(), "5".to_string()), ("region".to_string(), "eu".to_string())]
    );
}
