//! A loaded processor component: compiled, linked and pre-instantiated
//! once per version; every task then gets a fresh store and instance.

use crate::bindings::v0_1::{basic, broadcast, map, map_reduce, types};
use crate::cache::LoadSource;
use crate::error::{Error, Result};
use crate::inspect::{self, ComponentInfo};
use crate::logs::truncate;
use crate::outcomes::TaskResultsCursor;
use crate::state::TaskState;
use crate::task::{TaskCall, TaskFailure, TaskProcessor, TaskRequest, TaskResult, TaskRun};
use std::time::{Duration, Instant};
use wasmjob_vocab::{ExecuteType, World};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Engine, Store, UpdateDeadline};

/// A compiled component and where it came from.
pub(crate) struct CompiledComponent {
    pub(crate) component: Component,
    pub(crate) digest: String,
    pub(crate) size: usize,
    pub(crate) source: LoadSource,
}

/// A component ready to run tasks of the kinds its worlds allow.
pub struct Processor {
    engine: Engine,
    info: ComponentInfo,
    source: LoadSource,
    memory_cap: Option<u64>,
    basic: Option<basic::BasicPre<TaskState>>,
    broadcast: Option<broadcast::BroadcastPre<TaskState>>,
    map: Option<map::MapPre<TaskState>>,
    map_reduce: Option<map_reduce::MapReducePre<TaskState>>,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor").field("info", &self.info).field("source", &self.source).finish()
    }
}

/// Why the guest was interrupted at an epoch tick.
#[derive(Debug, thiserror::Error)]
enum Interrupt {
    #[error("time limit exceeded")]
    TimedOut,
    #[error("stop requested")]
    Stopped,
}

impl Processor {
    pub(crate) fn new(
        engine: &Engine,
        linker: &Linker<TaskState>,
        compiled: CompiledComponent,
        memory_cap: Option<u64>,
    ) -> Result<Self> {
        let CompiledComponent { component, digest, size, source } = compiled;
        let pre: InstancePre<TaskState> =
            linker.instantiate_pre(&component).map_err(|e| Error::UnsatisfiedImport(crate::error::chain(&e)))?;
        let mut binder = WorldBinder::new(inspect::exported_functions(&component, engine));
        let basic = binder.keep(World::Basic, basic::BasicPre::new(pre.clone()));
        let broadcast = binder.keep(World::Broadcast, broadcast::BroadcastPre::new(pre.clone()));
        let map = binder.keep(World::Map, map::MapPre::new(pre.clone()));
        let map_reduce = binder.keep(World::MapReduce, map_reduce::MapReducePre::new(pre));
        let worlds = binder.finish()?;
        let (imports, exports) = inspect::item_names(&component, engine);
        let info = ComponentInfo { digest, size, worlds, imports, exports };
        Ok(Self { engine: engine.clone(), info, source, memory_cap, basic, broadcast, map, map_reduce })
    }

    /// What the component is.
    pub fn info(&self) -> &ComponentInfo {
        &self.info
    }

    /// Whether it was compiled now or read from the compiled-code cache.
    pub fn load_source(&self) -> LoadSource {
        self.source
    }

    /// Checks that the component can run as `kind`.
    pub fn check_kind(&self, kind: ExecuteType) -> Result<()> {
        let world = kind.world();
        if self.info.satisfies(world) {
            return Ok(());
        }
        let functions: Vec<String> = self.info.exports.clone();
        let reason = inspect::missing_export(world, &functions)
            .unwrap_or_else(|| format!("its exports do not have the types the `{world}` world requires"));
        Err(Error::WrongWorld { kind, reason })
    }

    /// Runs one task in a fresh store and instance, within its limits.
    /// Never panics on guest behaviour: every failure is in the result.
    pub fn run(&self, request: TaskRequest) -> TaskRun {
        self.run_task(request)
    }

    fn run_task(&self, request: TaskRequest) -> TaskRun {
        let started = Instant::now();
        let TaskRequest { kind, call, spec, mut limits, control, log, subtasks } = request;
        if let Some(cap) = self.memory_cap {
            limits.memory_bytes = limits.memory_bytes.min(cap);
        }
        let timeout = limits.timeout;
        let message_bytes = limits.message_bytes;
        let mut store = Store::new(&self.engine, TaskState::new(spec, kind, limits, log, subtasks));
        store.limiter(|state| &mut state.memory);
        store.set_epoch_deadline(1);
        let deadline = timeout.map(|t| started + t);
        store.epoch_deadline_callback(move |_| {
            if control.is_stopped() {
                return Err(wasmtime::Error::new(Interrupt::Stopped));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(wasmtime::Error::new(Interrupt::TimedOut));
            }
            Ok(UpdateDeadline::Continue(1))
        });
        let result = self.call(&mut store, kind, call);
        let stderr_tail = store.data_mut().finish_output();
        let outcome = match result {
            Ok(Ok(r)) => Ok(TaskResult { success: r.success, msg: truncate(&r.msg, message_bytes).into_owned() }),
            Ok(Err(failure)) => Err(failure),
            Err(e) => Err(classify(&e, &store, timeout, &stderr_tail)),
        };
        let state = store.data_mut();
        TaskRun {
            outcome,
            subtasks: std::mem::take(&mut state.subtasks),
            workflow_appends: std::mem::take(&mut state.workflow_appends),
            elapsed: started.elapsed(),
        }
    }

    /// Instantiates the kind's world and calls the export. The outer error
    /// is a trap; the inner one a failure to start. A results cursor lives
    /// in this task's own store and goes with it: nothing to clean up.
    fn call(
        &self,
        store: &mut Store<TaskState>,
        kind: ExecuteType,
        call: TaskCall,
    ) -> wasmtime::Result<Result<types::TaskResult, TaskFailure>> {
        let unbound = || TaskFailure::Instantiate {
            message: format!("the component does not satisfy the `{}` world that {kind} needs", kind.world()),
        };
        let wrong_call = |call: &TaskCall| TaskFailure::Instantiate {
            message: format!("{kind} processors have no `{}` export to call", call.export_name()),
        };
        let start_failed = |e: wasmtime::Error| TaskFailure::Instantiate { message: crate::error::chain(&e) };
        macro_rules! instantiate {
            ($pre:expr) => {
                match $pre.as_ref().map(|pre| pre.instantiate(&mut *store)) {
                    None => return Ok(Err(unbound())),
                    // An interrupt during instantiation is a stop or a
                    // deadline, not a broken component.
                    Some(Err(e)) if e.is::<Interrupt>() => return Err(e),
                    Some(Err(e)) => return Ok(Err(start_failed(e))),
                    Some(Ok(instance)) => instance,
                }
            };
        }
        let result = match kind {
            ExecuteType::Standalone => match call {
                TaskCall::Process => instantiate!(self.basic).call_process(&mut *store)?,
                other => return Ok(Err(wrong_call(&other))),
            },
            ExecuteType::Map => match call {
                TaskCall::Process => instantiate!(self.map).call_process(&mut *store)?,
                other => return Ok(Err(wrong_call(&other))),
            },
            ExecuteType::MapReduce => match call {
                TaskCall::Process => instantiate!(self.map_reduce).call_process(&mut *store)?,
                TaskCall::Reduce(source) => {
                    let instance = instantiate!(self.map_reduce);
                    let cursor = store.data_mut().table.push(TaskResultsCursor { source })?;
                    instance.call_reduce(&mut *store, cursor)?
                }
                other => return Ok(Err(wrong_call(&other))),
            },
            ExecuteType::Broadcast => match call {
                TaskCall::PreProcess => instantiate!(self.broadcast).call_pre_process(&mut *store)?,
                TaskCall::Process => instantiate!(self.broadcast).call_process(&mut *store)?,
                TaskCall::PostProcess(source) => {
                    let instance = instantiate!(self.broadcast);
                    let cursor = store.data_mut().table.push(TaskResultsCursor { source })?;
                    instance.call_post_process(&mut *store, cursor)?
                }
                TaskCall::Reduce(_) => return Ok(Err(wrong_call(&call))),
            },
        };
        Ok(Ok(result))
    }
}

impl TaskProcessor for Processor {
    fn run(&self, request: TaskRequest) -> TaskRun {
        self.run_task(request)
    }
}

/// Collects the worlds whose bindings type-check against a component.
struct WorldBinder {
    functions: Vec<String>,
    worlds: Vec<World>,
    type_errors: Vec<String>,
}

impl WorldBinder {
    fn new(functions: Vec<String>) -> Self {
        Self { functions, worlds: Vec::new(), type_errors: Vec::new() }
    }

    /// Keeps a world's bindings when they type-checked. A world whose
    /// exports are all present but fails to bind has an export of the
    /// wrong type: that is remembered for the error message.
    fn keep<P>(&mut self, world: World, bound: wasmtime::Result<P>) -> Option<P> {
        match bound {
            Ok(pre) => {
                self.worlds.push(world);
                Some(pre)
            }
            Err(e) => {
                if inspect::missing_export(world, &self.functions).is_none() {
                    self.type_errors.push(format!("`{world}`: {}", crate::error::chain(&e)));
                }
                None
            }
        }
    }

    /// The satisfied worlds, or why there are none.
    fn finish(self) -> Result<Vec<World>> {
        if !self.worlds.is_empty() {
            return Ok(self.worlds);
        }
        let mut msg = inspect::no_world_message(&self.functions);
        if !self.type_errors.is_empty() {
            msg = format!("{msg} (type mismatches: {})", self.type_errors.join("; "));
        }
        Err(Error::NoWorld(msg))
    }
}

/// Turns a trap into the failure a person can act on.
fn classify(error: &wasmtime::Error, store: &Store<TaskState>, timeout: Option<Duration>, stderr: &str) -> TaskFailure {
    match error.downcast_ref::<Interrupt>() {
        Some(Interrupt::TimedOut) => {
            return TaskFailure::TimedOut { limit: timeout.unwrap_or_default() };
        }
        Some(Interrupt::Stopped) => return TaskFailure::Stopped,
        None => {}
    }
    if store.data().memory.exceeded {
        return TaskFailure::MemoryExceeded { limit_bytes: store.data().memory.limit() };
    }
    let trap = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => crate::error::chain(error),
    };
    let message = if stderr.is_empty() { trap } else { format!("{trap}; stderr: {stderr}") };
    TaskFailure::Trapped { message }
}
