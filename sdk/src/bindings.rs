//! The guest side of the WIT contract, generated once per world.
//!
//! The map-reduce world is generated first and owns the `host` and `types`
//! bindings; the other worlds reuse them through `with`, so every kind
//! shares one `TaskContext`, one `TaskResults` and one `TaskResult` type.
//! `pub_export_macro` keeps the exports out of this crate's own type
//! sections: only the world a guest exports (through one of the crate's
//! `export_*!` macros) is embedded in its component.

/// MAP_REDUCE world; also the owner of the shared import bindings.
pub mod map_reduce {
    wit_bindgen::generate!({
        path: "../wit",
        world: "wasmjob:processor/map-reduce@0.1.0",
        pub_export_macro: true,
        export_macro_name: "__export_map_reduce_world",
        default_bindings_module: "$crate::__private::bindings::map_reduce",
    });
}

/// BASIC (standalone) world.
pub mod basic {
    wit_bindgen::generate!({
        path: "../wit",
        world: "wasmjob:processor/basic@0.1.0",
        with: {
            "wasmjob:processor/host@0.1.0": crate::bindings::map_reduce::wasmjob::processor::host,
            "wasmjob:processor/types@0.1.0": crate::bindings::map_reduce::wasmjob::processor::types,
        },
        pub_export_macro: true,
        export_macro_name: "__export_basic_world",
        default_bindings_module: "$crate::__private::bindings::basic",
    });
}

/// BROADCAST world.
pub mod broadcast {
    wit_bindgen::generate!({
        path: "../wit",
        world: "wasmjob:processor/broadcast@0.1.0",
        with: {
            "wasmjob:processor/host@0.1.0": crate::bindings::map_reduce::wasmjob::processor::host,
            "wasmjob:processor/types@0.1.0": crate::bindings::map_reduce::wasmjob::processor::types,
        },
        pub_export_macro: true,
        export_macro_name: "__export_broadcast_world",
        default_bindings_module: "$crate::__private::bindings::broadcast",
    });
}

/// MAP world.
pub mod map {
    wit_bindgen::generate!({
        path: "../wit",
        world: "wasmjob:processor/%map@0.1.0",
        with: {
            "wasmjob:processor/host@0.1.0": crate::bindings::map_reduce::wasmjob::processor::host,
            "wasmjob:processor/types@0.1.0": crate::bindings::map_reduce::wasmjob::processor::types,
        },
        pub_export_macro: true,
        export_macro_name: "__export_map_world",
        default_bindings_module: "$crate::__private::bindings::map",
    });
}

pub use map_reduce::wasmjob::processor::{host, types};
