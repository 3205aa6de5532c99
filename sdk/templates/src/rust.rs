//! The Rust template: a cdylib crate on a copy of the guest SDK, built
//! for `wasm32-wasip2` with a small release profile and a 128 KiB stack.

use crate::common::{expected, fill, job_json, run_args, wit_files};
use crate::{ProjectName, TemplateFile};
use wasmjob_vocab::{ExecuteType, Word};

/// The `wit-bindgen` the copied SDK depends on: the workspace's (a test
/// keeps them equal).
pub(crate) const WIT_BINDGEN: &str = "0.61";

/// Where `cargo build --release --target wasm32-wasip2` writes the
/// component.
pub(crate) fn wasm_path(name: &ProjectName) -> String {
    format!("target/wasm32-wasip2/release/{}.wasm", name.lib)
}

/// The kind's `src/lib.rs`.
fn lib_rs(kind: ExecuteType) -> &'static str {
    match kind {
        ExecuteType::Standalone => include_str!("../files/rust/standalone.rs"),
        ExecuteType::Broadcast => include_str!("../files/rust/broadcast.rs"),
        ExecuteType::Map => include_str!("../files/rust/map.rs"),
        ExecuteType::MapReduce => include_str!("../files/rust/map-reduce.rs"),
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
        ("lib", name.lib.as_str()),
        ("kind", flag.as_str()),
        ("world", kind.world().name()),
        ("EXECUTE_TYPE", kind.name()),
        ("wasm", wasm.as_str()),
        ("run_args", run_args.as_str()),
        ("expected", expected(kind)),
        ("job_json", job_json.as_str()),
        ("sdk_version", env!("CARGO_PKG_VERSION")),
        ("wit_bindgen", WIT_BINDGEN),
    ];
    let mut files = vec![
        TemplateFile::new("Cargo.toml", fill(include_str!("../files/rust/Cargo.toml.tmpl"), &values)),
        TemplateFile::new(".cargo/config.toml", include_str!("../files/rust/cargo-config.toml")),
        TemplateFile::new(".gitignore", include_str!("../files/rust/gitignore")),
        // The repository's style, which the SDK copy is formatted in.
        TemplateFile::new("rustfmt.toml", include_str!("../../../rustfmt.toml")),
        TemplateFile::new("README.md", fill(include_str!("../files/rust/README.md"), &values)),
        TemplateFile::new("src/lib.rs", fill(lib_rs(kind), &values)),
    ];
    files.extend(wit_files());
    files
        .push(TemplateFile::new("wasmjob-sdk/Cargo.toml", fill(include_str!("../files/rust/sdk-Cargo.toml"), &values)));
    files.extend(
        crate::embedded::SDK_FILES.iter().map(|(path, text)| TemplateFile::new(format!("wasmjob-sdk/{path}"), *text)),
    );
    files
}
