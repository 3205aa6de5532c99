//! The contract may grow without breaking deployed components: a host
//! bound to a grown contract (the 0.1.1 fixture adds an import) still
//! loads and runs a component built from a frozen copy of 0.1.0.

use crate::support::{guest_bytes, runtime};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod grown {
    wasmtime::component::bindgen!({
        path: "tests/fixtures/wit-0.1.1",
        world: "wasmjob:processor/map-reduce@0.1.1",
        with: { "wasmjob:processor/host.task-results": super::NoResults },
    });

    pub mod basic {
        wasmtime::component::bindgen!({
            path: "tests/fixtures/wit-0.1.1",
            world: "wasmjob:processor/basic@0.1.1",
            with: {
                "wasmjob:processor/host": super::wasmjob::processor::host,
                "wasmjob:processor/types": super::wasmjob::processor::types,
            },
        });
    }
}

use grown::wasmjob::processor::{host, types};

pub struct NoResults;

struct GrownHost {
    wasi: WasiCtx,
    table: ResourceTable,
    logged: Vec<String>,
}

impl WasiView for GrownHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl types::Host for GrownHost {}

impl host::HostTaskResults for GrownHost {
    fn total(&mut self, _: Resource<NoResults>) -> u64 {
        0
    }
    fn next_page(&mut self, _: Resource<NoResults>, _: u32) -> Vec<types::TaskOutcome> {
        Vec::new()
    }
    fn drop(&mut self, r: Resource<NoResults>) -> wasmtime::Result<()> {
        self.table.delete(r)?;
        Ok(())
    }
}

impl host::Host for GrownHost {
    fn log(&mut self, _level: host::LogLevel, message: String) {
        self.logged.push(message);
    }
    fn now_millis(&mut self) -> u64 {
        1
    }
    fn current_task(&mut self) -> host::TaskContext {
        host::TaskContext {
            job_id: 7,
            instance_id: 8,
            task_id: "0".into(),
            task_name: "ROOT_TASK".into(),
            job_params: "grown".into(),
            instance_params: String::new(),
            current_retry: 0,
            max_retry: 0,
            subtask: None,
            is_root: true,
        }
    }
    fn emit_subtasks(&mut self, _: Vec<Vec<u8>>, _: String) -> Result<(), String> {
        Err("not in this test".into())
    }
    fn workflow_context(&mut self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn append_workflow_context(&mut self, _: String, _: String) -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn a_component_built_against_0_1_0_runs_on_a_host_bound_to_0_1_1() {
    let engine = Engine::new(&Config::new()).unwrap();
    let mut linker: Linker<GrownHost> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    grown::MapReduce::add_to_linker::<_, HasSelf<GrownHost>>(&mut linker, |s| s).unwrap();
    let bytes = guest_bytes("compat-0.1.0");
    let component = Component::new(&engine, &bytes).unwrap();
    let imports: Vec<String> = component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
    assert!(imports.iter().any(|i| i == "wasmjob:processor/host@0.1.0"), "{imports:?}");

    let pre = grown::basic::BasicPre::new(linker.instantiate_pre(&component).unwrap()).unwrap();
    let state = GrownHost { wasi: WasiCtxBuilder::new().build(), table: ResourceTable::new(), logged: Vec::new() };
    let mut store = Store::new(&engine, state);
    let result = pre.instantiate(&mut store).unwrap().call_process(&mut store).unwrap();
    assert!(result.success);
    assert_eq!(result.msg, "0.1.0 guest ran task 0 with grown");
    assert_eq!(store.data().logged, vec!["built against wasmjob:processor@0.1.0".to_string()]);
}

#[test]
fn the_runtime_loads_the_frozen_0_1_0_component() {
    let processor = runtime().load(&guest_bytes("compat-0.1.0")).unwrap();
    assert!(processor.info().satisfies(wasmjob_vocab::World::Basic));
}
