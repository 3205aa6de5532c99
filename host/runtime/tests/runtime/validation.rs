//! What is not a processor is refused with a message naming what is
//! wrong, and nothing is loaded.

use crate::support::runtime;
use wasmjob_runtime::Error;

#[test]
fn text_is_not_webassembly() {
    let err = runtime().load(b"#!/bin/sh\necho hi\n").unwrap_err();
    assert!(matches!(err, Error::NotWasm), "{err}");
    assert!(err.to_string().contains("not a WebAssembly file"));
}

#[test]
fn a_core_module_is_not_a_component() {
    let module = wat::parse_str("(module (func (export \"process\")))").unwrap();
    let err = runtime().load(&module).unwrap_err();
    assert!(matches!(err, Error::CoreModule), "{err}");
    assert!(err.to_string().contains("core WebAssembly module, not a component"));
}

#[test]
fn an_empty_component_satisfies_no_world() {
    let component = wat::parse_str("(component)").unwrap();
    let err = runtime().load(&component).unwrap_err();
    assert!(matches!(err, Error::NoWorld(_)), "{err}");
    assert!(err.to_string().contains("does not export the function `process`"), "{err}");
}

#[test]
fn a_process_export_of_the_wrong_type_is_named() {
    let component = wat::parse_str(
        r#"(component
             (core module $m (func (export "f")))
             (core instance $i (instantiate $m))
             (func (export "process") (canon lift (core func $i "f"))))"#,
    )
    .unwrap();
    let err = runtime().load(&component).unwrap_err();
    assert!(matches!(err, Error::NoWorld(_)), "{err}");
    assert!(err.to_string().contains("wrong type"), "{err}");
}

#[test]
fn an_unknown_import_is_named() {
    let component = wat::parse_str(
        r#"(component
             (import "acme:secret/vault@1.0.0" (instance (export "open" (func)))))"#,
    )
    .unwrap();
    let err = runtime().load(&component).unwrap_err();
    assert!(matches!(err, Error::UnsatisfiedImport(_)), "{err}");
    assert!(err.to_string().contains("acme:secret/vault"), "{err}");
}

#[test]
fn truncated_component_bytes_are_invalid() {
    let mut bytes = crate::support::guest_bytes("standalone");
    bytes.truncate(bytes.len() / 2);
    let err = runtime().load(&bytes).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
}

#[test]
fn compiling_from_async_code_leaves_the_async_thread_free() {
    // A current-thread runtime has one thread: if the compile ran on it,
    // the ticker task could not run until the compile finished.
    let async_runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    async_runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = wasmjob_runtime::RuntimeConfig { cache_dir: dir.path().to_path_buf(), ..Default::default() };
        let runtime = std::sync::Arc::new(wasmjob_runtime::Runtime::new(config).unwrap());
        let ticks = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = ticks.clone();
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_micros(200)).await;
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        let bytes = crate::support::guest_bytes("escape");
        let processor = runtime.load_blocking(bytes).await.unwrap();
        ticker.abort();
        assert_eq!(processor.load_source(), wasmjob_runtime::LoadSource::Compiled);
        assert!(ticks.load(std::sync::atomic::Ordering::Relaxed) > 0, "the async thread was blocked");
    });
}
