//! Instances waiting for their time (delayed API runs, retries), in time
//! order, with a wake-up for the dispatcher when an earlier one arrives.

use crate::ids::Id;
use std::collections::BTreeSet;
use std::sync::Mutex;
use tokio::sync::Notify;

/// A timer queue of instance ids.
#[derive(Debug, Default)]
pub struct DueQueue {
    entries: Mutex<BTreeSet<(i64, Id)>>,
    changed: Notify,
}

impl DueQueue {
    /// Queues `instance` for `at`.
    pub fn push(&self, instance: Id, at: i64) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert((at, instance));
        self.changed.notify_one();
    }

    /// Takes every instance due at or before `now`.
    pub fn take_due(&self, now: i64) -> Vec<Id> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let later = entries.split_off(&(now + 1, Id(i64::MIN)));
        let due = std::mem::replace(&mut *entries, later);
        due.into_iter().map(|(_, id)| id).collect()
    }

    /// When the earliest entry is due.
    pub fn next_at(&self) -> Option<i64> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).first().map(|(at, _)| *at)
    }

    /// Resolves when an entry was pushed.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_out_in_time_order_when_due() {
        let queue = DueQueue::default();
        queue.push(Id(2), 200);
        queue.push(Id(1), 100);
        queue.push(Id(3), 300);
        assert_eq!(queue.next_at(), Some(100));
        assert_eq!(queue.take_due(99), Vec::<Id>::new());
        assert_eq!(queue.take_due(200), vec![Id(1), Id(2)]);
        assert_eq!(queue.next_at(), Some(300));
    }
}
