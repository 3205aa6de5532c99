//! The process-wide wasmtime [`Engine`] and the thread that advances its
//! epoch, which is what enforces deadlines and stop requests.

use crate::config::RuntimeConfig;
use crate::error::{Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Builds the engine: cranelift, epoch interruption, and the pooling
/// allocator when configured.
pub(crate) fn build_engine(config: &RuntimeConfig) -> Result<Engine> {
    let mut wasm = Config::new();
    wasm.epoch_interruption(true);
    wasm.wasm_component_model(true);
    wasm.cranelift_opt_level(wasmtime::OptLevel::Speed);
    // Processors are synchronous calls; without the component-model
    // concurrency machinery an export call costs a fraction of a microsecond.
    wasm.concurrency_support(false);
    if let Some(pool) = &config.pooling {
        let tasks = pool.max_concurrent_tasks.max(1);
        let per_component = pool.max_core_instances_per_component.max(1);
        let keep = pool.keep_resident_kb;
        let mut pooling = PoolingAllocationConfig::new();
        pooling
            .total_component_instances(tasks)
            .total_core_instances(tasks * per_component)
            .total_memories(tasks * 4)
            .total_tables(tasks * 4)
            .total_stacks(tasks)
            .max_core_instances_per_component(per_component)
            .max_memories_per_component(4)
            .max_tables_per_component(4)
            .max_memory_size((pool.max_memory_mb << 20) as usize)
            .table_elements(pool.table_elements)
            .max_component_instance_size(1 << 20)
            .max_core_instance_size(4 << 20)
            .linear_memory_keep_resident(keep << 10)
            .table_keep_resident((keep << 10).min(1 << 20));
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    }
    Engine::new(&wasm).map_err(|e| Error::Engine(crate::error::chain(&e)))
}

/// Advances the engine's epoch every tick until dropped.
#[derive(Debug)]
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    pub(crate) fn start(engine: Engine, tick: Duration) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wasmjob-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .map_err(|e| Error::Engine(format!("cannot start the epoch thread: {e}")))?;
        Ok(Self { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
