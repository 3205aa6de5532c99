//! The Python template: `app.py` on componentize-py, with the contract in
//! `wit/` and a `build.sh` that installs componentize-py from PyPI.

use crate::common::{expected, fill, job_json, run_args, wit_files};
use crate::{ProjectName, TemplateFile};
use wasmjob_vocab::{ExecuteType, Word};

/// The componentize-py `build.sh` installs: the one
/// `guest-examples/python-standalone` is built and tested with.
pub(crate) const COMPONENTIZE_PY: &str = "0.25.1";

/// Where `build.sh` writes the component.
pub(crate) fn wasm_path(name: &ProjectName) -> String {
    format!("{}.wasm", name.package)
}

/// The kind's `app.py`.
fn app_py(kind: ExecuteType) -> &'static str {
    match kind {
        ExecuteType::Standalone => include_str!("../files/python/standalone.py"),
        ExecuteType::Broadcast => include_str!("../files/python/broadcast.py"),
        ExecuteType::Map => include_str!("../files/python/map.py"),
        ExecuteType::MapReduce => include_str!("../files/python/map-reduce.py"),
    }
}

/// The world as componentize-py's `-w` takes it: `map` is a WIT keyword.
fn world_arg(kind: ExecuteType) -> &'static str {
    match kind {
        ExecuteType::Map => "%map",
        other => other.world().name(),
    }
}

pub(crate) fn render(name: &ProjectName, kind: ExecuteType) -> Vec<TemplateFile> {
    let wasm = wasm_path(name);
    let run_args = run_args(kind);
    let job_json = job_json(name, kind);
    let flag = kind.flag();
    let values = [
        ("name", name.name.as_str()),
        ("package", name.package.as_str()),
        ("kind", flag.as_str()),
        ("world", kind.world().name()),
        ("world_arg", world_arg(kind)),
        ("EXECUTE_TYPE", kind.name()),
        ("wasm", wasm.as_str()),
        ("run_args", run_args.as_str()),
        ("expected", expected(kind)),
        ("job_json", job_json.as_str()),
        ("componentize_py", COMPONENTIZE_PY),
    ];
    let mut build = TemplateFile::new("build.sh", fill(include_str!("../files/python/build.sh"), &values));
    build.executable = true;
    let mut files = vec![
        TemplateFile::new("app.py", fill(app_py(kind), &values)),
        TemplateFile::new("task_params.py", include_str!("../files/python/task_params.py")),
        build,
        TemplateFile::new(".gitignore", include_str!("../files/python/gitignore")),
        TemplateFile::new("README.md", fill(include_str!("../files/python/README.md"), &values)),
    ];
    files.extend(wit_files());
    files
}
