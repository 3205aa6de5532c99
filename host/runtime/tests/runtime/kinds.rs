//! Running a component as a kind its exports do not serve is refused with
//! the missing export named.

use crate::support::processor;
use wasmjob_runtime::Error;
use wasmjob_vocab::ExecuteType;

#[test]
fn a_basic_component_cannot_run_as_map_reduce() {
    let err = processor("standalone").check_kind(ExecuteType::MapReduce).unwrap_err();
    assert!(matches!(err, Error::WrongWorld { kind: ExecuteType::MapReduce, .. }));
    assert!(err.to_string().contains("does not export the function `reduce`"), "{err}");
}

#[test]
fn a_basic_component_cannot_run_as_broadcast() {
    let err = processor("standalone").check_kind(ExecuteType::Broadcast).unwrap_err();
    assert!(err.to_string().contains("`pre-process`"), "{err}");
}

#[test]
fn a_map_reduce_component_serves_standalone_and_map() {
    let p = processor("map-reduce");
    for kind in [ExecuteType::Standalone, ExecuteType::Map, ExecuteType::MapReduce] {
        p.check_kind(kind).unwrap();
    }
}
