//! Every template builds as is, outside this repository, into a
//! component of its world that does what its README says when the host
//! runs it.
//!
//! Rust projects build with `cargo build --release --target wasm32-wasip2`
//! (crates.io is needed for `wit-bindgen`), all into one shared target
//! directory under `target/tmp` so dependencies build once. Python projects
//! build with their own `build.sh` when componentize-py is available:
//! `$COMPONENTIZE_PY`, `guest-examples/.venv` (which
//! `guest-examples/build.sh` creates) or `PATH`. Without it they fail,
//! saying how to install it; only `WASMJOB_SKIP_PYTHON=1` skips them (as
//! it skips the Python guest in `guest-examples/build.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use wasmjob_runtime::local::{LocalInstance, LocalOutcome};
use wasmjob_runtime::{DiscardLogSink, Processor, Runtime, RuntimeConfig, TaskControl, TaskLimits};
use wasmjob_templates::{Lang, render, wasm_path};
use wasmjob_vocab::{ExecuteType, Word};

/// The repository's root.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Writes the project `name` into a fresh temporary directory outside the
/// repository (so it cannot be taken for a member of its workspace).
fn project(name: &str, kind: ExecuteType, lang: Lang) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    assert!(!dir.starts_with(repo_root()), "{} is inside the repository", dir.display());
    for file in render(name, kind, lang).unwrap() {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.contents).unwrap();
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    (temp, dir)
}

/// Runs `program args` in `dir`; panics with its output when it fails.
fn run(mut command: Command, dir: &Path) {
    let shown = format!("{command:?}");
    let output = command.current_dir(dir).output().unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert!(
        output.status.success(),
        "{shown} in {} failed ({}):\n{}\n{}",
        dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `cargo ARGS`, with the shared target directory and without flags from
/// the environment that would override the project's `.cargo/config.toml`.
fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(args)
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("template-builds"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    command
}

/// Builds a rendered Rust project; returns its component.
fn build_rust(name: &str, kind: ExecuteType) -> Vec<u8> {
    let (_temp, dir) = project(name, kind, Lang::Rust);
    run(cargo(&["build", "--release", "--target", "wasm32-wasip2", "--quiet"]), &dir);
    // The shared target directory, not the project's.
    let relative = wasm_path(name, Lang::Rust).unwrap();
    let built =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("template-builds").join(relative.strip_prefix("target/").unwrap());
    std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()))
}

/// The componentize-py to build Python projects with; none when
/// `WASMJOB_SKIP_PYTHON=1` (as for `guest-examples/build.sh`): each
/// Python component is ~18 MB that a debug-built host compiles for a
/// minute or more, and no two builds are alike, so nothing is cached.
fn componentize_py() -> Option<PathBuf> {
    if std::env::var_os("WASMJOB_SKIP_PYTHON").is_some_and(|v| v == "1") {
        return None;
    }
    if let Some(path) = std::env::var_os("COMPONENTIZE_PY") {
        return Some(path.into());
    }
    let venv = repo_root().join("guest-examples/.venv/bin/componentize-py");
    if venv.is_file() {
        return Some(venv);
    }
    let on_path = Command::new("componentize-py").arg("--version").output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "componentize-py is not installed: run guest-examples/build.sh (it installs it in guest-examples/.venv), \
         set COMPONENTIZE_PY, or skip the Python templates with WASMJOB_SKIP_PYTHON=1"
    );
    Some("componentize-py".into())
}

/// Builds a rendered Python project with its `build.sh`; `None` when
/// `WASMJOB_SKIP_PYTHON=1`.
#[allow(clippy::print_stderr)]
fn build_python(name: &str, kind: ExecuteType) -> Option<Vec<u8>> {
    let Some(componentize) = componentize_py() else {
        eprintln!("skipped: WASMJOB_SKIP_PYTHON=1");
        return None;
    };
    let (_temp, dir) = project(name, kind, Lang::Python);
    let mut build = Command::new(dir.join("build.sh"));
    build.env("COMPONENTIZE_PY", componentize);
    run(build, &dir);
    let built = dir.join(wasm_path(name, Lang::Python).unwrap());
    Some(std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display())))
}

/// One runtime for the binary; compiled code is cached across runs.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let cache_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("template-compiled");
        Runtime::new(RuntimeConfig { cache_dir, ..RuntimeConfig::default() }).expect("runtime")
    })
}

/// Loads a component and checks, with the host's own inspector, that it
/// satisfies the kind's world and may run as the kind.
fn load(bytes: &[u8], kind: ExecuteType) -> Arc<Processor> {
    let processor = runtime().load(bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let info = processor.info();
    assert!(
        info.worlds.iter().any(|w| w.to_string() == kind.world().name()),
        "{kind}: satisfies {:?}, not `{}`",
        info.worlds,
        kind.world().name()
    );
    assert!(info.imports.iter().any(|i| i.starts_with("wasmjob:processor/host@0.1.")), "{:?}", info.imports);
    processor.check_kind(kind).unwrap();
    processor
}

/// Runs one instance as `run-local` does.
fn instance(processor: &Arc<Processor>, kind: ExecuteType, params: &str, instance_params: &str) -> LocalOutcome {
    let run = LocalInstance {
        job_id: 7,
        instance_id: 9,
        kind,
        workers: 3,
        job_params: params.into(),
        instance_params: instance_params.into(),
        workflow_context: Vec::new(),
        task_retry: 0,
        limits: TaskLimits::default(),
        control: TaskControl::new(),
        log: Arc::new(DiscardLogSink),
    };
    run.run(processor)
}

fn check_standalone(processor: &Arc<Processor>) {
    let greeted =
        instance(processor, ExecuteType::Standalone, r#"{"name":"job","shout":true}"#, r#"{"name":"templates"}"#);
    assert!(greeted.success, "{greeted:?}");
    assert_eq!(greeted.msg, "HELLO, TEMPLATES");
    let default = instance(processor, ExecuteType::Standalone, "", "");
    assert_eq!((default.success, default.msg.as_str()), (true, "hello, world"));
    let bad = instance(processor, ExecuteType::Standalone, "{oops", "");
    assert!(!bad.success && bad.msg.starts_with("invalid job params"), "{bad:?}");
}

fn check_broadcast(processor: &Arc<Processor>) {
    let present = instance(processor, ExecuteType::Broadcast, r#"{"minWorkers":2}"#, "");
    assert!(present.success, "{present:?}");
    assert_eq!(present.msg, "3 of 3 workers present");
    assert_eq!(present.tasks.total, 3);
    let short = instance(processor, ExecuteType::Broadcast, r#"{"minWorkers":4}"#, "");
    assert!(!short.success);
    assert_eq!(short.msg, "3 of 3 workers present; at least 4 needed");
}

fn check_map(processor: &Arc<Processor>) {
    let outcome = instance(processor, ExecuteType::Map, r#"{"end":1000,"batchSize":100}"#, "");
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, "all 11 tasks succeeded");
    assert_eq!((outcome.tasks.total, outcome.tasks.succeeded), (11, 11));
}

fn check_map_reduce(processor: &Arc<Processor>) {
    let outcome = instance(processor, ExecuteType::MapReduce, r#"{"end":1000,"batchSize":100}"#, "");
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, r#"{"primes":168,"batches":10,"failed":0}"#);
    assert_eq!(outcome.tasks.total, 11);
    let larger = instance(processor, ExecuteType::MapReduce, r#"{"end":10000,"batchSize":300}"#, "");
    assert_eq!(larger.msg, r#"{"primes":1229,"batches":34,"failed":0}"#);
    let bad = instance(processor, ExecuteType::MapReduce, r#"{"end":"many"}"#, "");
    assert!(!bad.success && bad.msg.starts_with("the root failed: "), "{bad:?}");
}

#[test]
fn rust_standalone_builds_and_greets() {
    check_standalone(&load(&build_rust("tpl-standalone", ExecuteType::Standalone), ExecuteType::Standalone));
}

#[test]
fn rust_broadcast_builds_and_counts_its_workers() {
    check_broadcast(&load(&build_rust("tpl-broadcast", ExecuteType::Broadcast), ExecuteType::Broadcast));
}

#[test]
fn rust_map_builds_and_spreads_batches() {
    check_map(&load(&build_rust("Tpl.Map", ExecuteType::Map), ExecuteType::Map));
}

#[test]
fn rust_map_reduce_builds_and_counts_primes() {
    check_map_reduce(&load(&build_rust("tpl_map-reduce", ExecuteType::MapReduce), ExecuteType::MapReduce));
}

/// The generated code is formatted and lint-free as the workspace's is
/// (`cargo fmt`, `cargo clippy -D warnings`), the SDK copy included.
#[test]
fn rust_projects_are_formatted_and_clippy_clean() {
    for &kind in ExecuteType::ALL {
        let (_temp, dir) = project(&format!("lint-{}", kind.flag()), kind, Lang::Rust);
        run(cargo(&["fmt", "--all", "--check"]), &dir);
        run(cargo(&["clippy", "--quiet", "--target", "wasm32-wasip2", "--", "-D", "warnings"]), &dir);
    }
}

#[test]
fn python_standalone_builds_and_greets() {
    if let Some(bytes) = build_python("py-standalone", ExecuteType::Standalone) {
        check_standalone(&load(&bytes, ExecuteType::Standalone));
    }
}

#[test]
fn python_broadcast_builds_and_counts_its_workers() {
    if let Some(bytes) = build_python("py-broadcast", ExecuteType::Broadcast) {
        check_broadcast(&load(&bytes, ExecuteType::Broadcast));
    }
}

#[test]
fn python_map_builds_and_spreads_batches() {
    if let Some(bytes) = build_python("py-map", ExecuteType::Map) {
        check_map(&load(&bytes, ExecuteType::Map));
    }
}

#[test]
fn python_map_reduce_builds_and_counts_primes() {
    if let Some(bytes) = build_python("py-map-reduce", ExecuteType::MapReduce) {
        check_map_reduce(&load(&bytes, ExecuteType::MapReduce));
    }
}
