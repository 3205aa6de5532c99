//! The host side of the WIT contract (`wit/`), generated once.
//!
//! The map-reduce world is generated first and owns the `host` and `types`
//! interfaces; the other worlds reuse them through `with`, so one `Host`
//! implementation serves every world. Each supported contract version gets
//! its own module here; wasmtime's linker matches a component's
//! `@0.1.x` imports to the `0.1` version linked, so components built
//! against any earlier 0.1 release keep loading.

pub(crate) mod v0_1 {
    pub(crate) mod map_reduce {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "wasmjob:processor/map-reduce@0.1.0",
            with: {
                "wasmjob:processor/host.task-results": crate::outcomes::TaskResultsCursor,
            },
        });
    }

    pub(crate) mod basic {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "wasmjob:processor/basic@0.1.0",
            with: {
                "wasmjob:processor/host": super::map_reduce::wasmjob::processor::host,
                "wasmjob:processor/types": super::map_reduce::wasmjob::processor::types,
            },
        });
    }

    pub(crate) mod broadcast {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "wasmjob:processor/broadcast@0.1.0",
            with: {
                "wasmjob:processor/host": super::map_reduce::wasmjob::processor::host,
                "wasmjob:processor/types": super::map_reduce::wasmjob::processor::types,
            },
        });
    }

    pub(crate) mod map {
        wasmtime::component::bindgen!({
            path: "../../wit",
            world: "wasmjob:processor/%map@0.1.0",
            with: {
                "wasmjob:processor/host": super::map_reduce::wasmjob::processor::host,
                "wasmjob:processor/types": super::map_reduce::wasmjob::processor::types,
            },
        });
    }

    pub(crate) use map_reduce::wasmjob::processor::{host, types};
}
