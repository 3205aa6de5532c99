//! The four processor traits and the glue that calls them from the
//! exports of each world.

use crate::{ProcessResult, TaskContext, TaskResults};

/// A STANDALONE processor: one call per instance (PowerJob's
/// `BasicProcessor`).
pub trait BasicProcessor: Default {
    /// Does the instance's work.
    fn process(&self, ctx: &TaskContext) -> ProcessResult;
}

/// A BROADCAST processor: `pre_process` once, `process` on every worker,
/// `post_process` once with every result (PowerJob's `BroadcastProcessor`).
pub trait BroadcastProcessor: Default {
    /// Runs once before any `process`; a failure fails the instance.
    fn pre_process(&self, _ctx: &TaskContext) -> ProcessResult {
        ProcessResult::success("")
    }

    /// Runs once on each worker of the instance.
    fn process(&self, ctx: &TaskContext) -> ProcessResult;

    /// Runs once after every `process`; its result is the instance's. By
    /// default it succeeds when every worker succeeded and reports counts.
    fn post_process(&self, _ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult {
        summarize(results)
    }
}

/// A MAP processor: the root call emits subtasks with [`TaskContext::map`],
/// which may emit their own (PowerJob's `MapProcessor`).
pub trait MapProcessor: Default {
    /// Processes the root task or one subtask ([`TaskContext::is_root`]).
    fn process(&self, ctx: &TaskContext) -> ProcessResult;
}

/// A MAP_REDUCE processor: MAP plus a `reduce` over every task's outcome
/// (PowerJob's `MapReduceProcessor`).
pub trait MapReduceProcessor: Default {
    /// Processes the root task or one subtask ([`TaskContext::is_root`]).
    fn process(&self, ctx: &TaskContext) -> ProcessResult;

    /// Combines every task's outcome; its result is the instance's.
    fn reduce(&self, ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult;
}

fn summarize(results: TaskResults<'_>) -> ProcessResult {
    let (mut ok, mut failed) = (0u64, 0u64);
    for outcome in results {
        if outcome.success {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    let msg = format!("{ok} succeeded, {failed} failed");
    if failed == 0 { ProcessResult::success(msg) } else { ProcessResult::failure(msg) }
}

/// Called by the code the export macros generate.
#[doc(hidden)]
pub mod glue {
    use super::*;
    use crate::bindings::host;
    use crate::bindings::types::TaskResult;

    fn install_panic_logger() {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            let default_hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                crate::log::error(format!("processor panicked: {info}"));
                default_hook(info);
            }));
        });
    }

    fn call(f: impl FnOnce(&TaskContext) -> ProcessResult) -> TaskResult {
        install_panic_logger();
        let ctx = TaskContext::current();
        f(&ctx).into()
    }

    pub fn basic<P: BasicProcessor>() -> TaskResult {
        call(|ctx| P::default().process(ctx))
    }

    pub fn broadcast_pre<P: BroadcastProcessor>() -> TaskResult {
        call(|ctx| P::default().pre_process(ctx))
    }

    pub fn broadcast_process<P: BroadcastProcessor>() -> TaskResult {
        call(|ctx| P::default().process(ctx))
    }

    pub fn broadcast_post<P: BroadcastProcessor>(results: &host::TaskResults) -> TaskResult {
        call(|ctx| P::default().post_process(ctx, TaskResults::new(results)))
    }

    pub fn map<P: MapProcessor>() -> TaskResult {
        call(|ctx| P::default().process(ctx))
    }

    pub fn map_reduce_process<P: MapReduceProcessor>() -> TaskResult {
        call(|ctx| P::default().process(ctx))
    }

    pub fn map_reduce_reduce<P: MapReduceProcessor>(results: &host::TaskResults) -> TaskResult {
        call(|ctx| P::default().reduce(ctx, TaskResults::new(results)))
    }
}
