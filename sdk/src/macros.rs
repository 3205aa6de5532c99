//! One export macro per execution kind.

/// Exports a [`BasicProcessor`](crate::BasicProcessor) as the component's
/// `basic` world: `wasmjob_sdk::export_basic!(MyProcessor);`
#[macro_export]
macro_rules! export_basic {
    ($processor:ty) => {
        const _: () = {
            struct WasmjobBasicExport;
            impl $crate::__private::bindings::basic::Guest for WasmjobBasicExport {
                fn process() -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::basic::<$processor>()
                }
            }
            $crate::__private::bindings::basic::__export_basic_world!(
                WasmjobBasicExport with_types_in $crate::__private::bindings::basic
            );
        };
    };
}

/// Exports a [`BroadcastProcessor`](crate::BroadcastProcessor) as the
/// component's `broadcast` world.
#[macro_export]
macro_rules! export_broadcast {
    ($processor:ty) => {
        const _: () = {
            struct WasmjobBroadcastExport;
            impl $crate::__private::bindings::broadcast::Guest for WasmjobBroadcastExport {
                fn pre_process() -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::broadcast_pre::<$processor>()
                }
                fn process() -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::broadcast_process::<$processor>()
                }
                fn post_process(
                    results: &$crate::__private::bindings::host::TaskResults,
                ) -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::broadcast_post::<$processor>(results)
                }
            }
            $crate::__private::bindings::broadcast::__export_broadcast_world!(
                WasmjobBroadcastExport with_types_in $crate::__private::bindings::broadcast
            );
        };
    };
}

/// Exports a [`MapProcessor`](crate::MapProcessor) as the component's `map`
/// world.
#[macro_export]
macro_rules! export_map {
    ($processor:ty) => {
        const _: () = {
            struct WasmjobMapExport;
            impl $crate::__private::bindings::map::Guest for WasmjobMapExport {
                fn process() -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::map::<$processor>()
                }
            }
            $crate::__private::bindings::map::__export_map_world!(
                WasmjobMapExport with_types_in $crate::__private::bindings::map
            );
        };
    };
}

/// Exports a [`MapReduceProcessor`](crate::MapReduceProcessor) as the
/// component's `map-reduce` world.
#[macro_export]
macro_rules! export_map_reduce {
    ($processor:ty) => {
        const _: () = {
            struct WasmjobMapReduceExport;
            impl $crate::__private::bindings::map_reduce::Guest for WasmjobMapReduceExport {
                fn process() -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::map_reduce_process::<$processor>()
                }
                fn reduce(
                    results: &$crate::__private::bindings::host::TaskResults,
                ) -> $crate::__private::bindings::types::TaskResult {
                    $crate::__private::glue::map_reduce_reduce::<$processor>(results)
                }
            }
            $crate::__private::bindings::map_reduce::__export_map_reduce_world!(
                WasmjobMapReduceExport with_types_in $crate::__private::bindings::map_reduce
            );
        };
    };
}
