//! What a worker runs at once: at most `max_concurrent_instances`
//! instances, and — with the pooling allocator — never more tasks than the
//! pool has slots (a task beyond them would fail to instantiate). An
//! instance asks for as many task slots as its concurrency wants, takes
//! what is free (at least one, waiting for it if need be) and runs that
//! many tasks at once.

use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Tasks at once of one instance, at most (`dispatch.concurrency` is
/// clamped to it).
pub(crate) const MAX_INSTANCE_WORKERS: u32 = 64;

/// The worker's bounds.
#[derive(Debug)]
pub(crate) struct Slots {
    instances: Arc<Semaphore>,
    tasks: Arc<Semaphore>,
    max_tasks: u32,
}

/// Task slots held by one run.
#[derive(Debug)]
pub(crate) struct TaskSlots {
    /// How many tasks the run may run at once.
    pub(crate) workers: usize,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Slots {
    /// `pool_tasks` is the pooling allocator's task count (`None`: no pool,
    /// no bound beyond the instances').
    pub(crate) fn new(max_instances: u32, pool_tasks: Option<u32>) -> Self {
        let max_tasks = pool_tasks.unwrap_or(max_instances.saturating_mul(MAX_INSTANCE_WORKERS)).max(1);
        Self {
            instances: Arc::new(Semaphore::new(max_instances.max(1) as usize)),
            tasks: Arc::new(Semaphore::new(max_tasks as usize)),
            max_tasks,
        }
    }

    /// Waits for an instance slot.
    pub(crate) async fn instance(&self) -> Option<OwnedSemaphorePermit> {
        self.instances.clone().acquire_owned().await.ok()
    }

    /// Up to `want` task slots (at least 1): as many as are free now, else
    /// waits for one.
    pub(crate) async fn tasks(&self, want: u32) -> TaskSlots {
        let want = want.clamp(1, self.max_tasks);
        for n in (1..=want).rev() {
            if let Ok(permit) = self.tasks.clone().try_acquire_many_owned(n) {
                return TaskSlots { workers: n as usize, _permit: Some(permit) };
            }
        }
        let permit = self.tasks.clone().acquire_many_owned(1).await.ok();
        TaskSlots { workers: 1, _permit: permit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_share_the_pools_task_slots() {
        let slots = Slots::new(4, Some(10));
        let a = slots.tasks(8).await;
        assert_eq!(a.workers, 8);
        let b = slots.tasks(8).await;
        assert_eq!(b.workers, 2, "takes what is left");
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), slots.tasks(1)).await;
        assert!(waiting.is_err(), "no slot left: waits");
        drop(a);
        assert_eq!(slots.tasks(100).await.workers, 8);
    }
}
