//! Timers keyed by what they are for: each key is due at one time (setting
//! it again moves it), taken out in time order once due. The trigger loop
//! keeps one for jobs; the dispatcher a shared one for instances waiting
//! for their time (delayed API runs, retries), with a wake-up when an
//! earlier one arrives.

use crate::ids::Id;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use tokio::sync::Notify;

/// Keys, each due at one time.
#[derive(Debug)]
pub struct Timers<K> {
    by_time: BTreeSet<(i64, K)>,
    due_at: HashMap<K, i64>,
}

impl<K> Default for Timers<K> {
    fn default() -> Self {
        Self { by_time: BTreeSet::new(), due_at: HashMap::new() }
    }
}

impl<K: Copy + Ord + std::hash::Hash> Timers<K> {
    /// Makes `key` due at `at` (replacing an earlier setting).
    pub fn set(&mut self, key: K, at: i64) {
        if let Some(old) = self.due_at.insert(key, at) {
            self.by_time.remove(&(old, key));
        }
        self.by_time.insert((at, key));
    }

    /// When `key` is due, if it is set.
    pub fn due_at(&self, key: &K) -> Option<i64> {
        self.due_at.get(key).copied()
    }

    /// When the earliest key is due.
    pub fn next_at(&self) -> Option<i64> {
        self.by_time.first().map(|(at, _)| *at)
    }

    /// Takes every key due at or before `now`, earliest first, with its time.
    pub fn take_due(&mut self, now: i64) -> Vec<(i64, K)> {
        let mut due = Vec::new();
        while let Some(&(at, key)) = self.by_time.first() {
            if at > now {
                break;
            }
            self.by_time.pop_first();
            self.due_at.remove(&key);
            due.push((at, key));
        }
        due
    }
}

/// Instances waiting for their time, shared by the scheduler's tasks.
#[derive(Debug, Default)]
pub struct DueQueue {
    timers: Mutex<Timers<Id>>,
    changed: Notify,
}

impl DueQueue {
    fn timers(&self) -> std::sync::MutexGuard<'_, Timers<Id>> {
        self.timers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `instance` for `at`.
    pub fn push(&self, instance: Id, at: i64) {
        self.timers().set(instance, at);
        self.changed.notify_one();
    }

    /// Takes every instance due at or before `now`.
    pub fn take_due(&self, now: i64) -> Vec<Id> {
        self.timers().take_due(now).into_iter().map(|(_, id)| id).collect()
    }

    /// When the earliest entry is due.
    pub fn next_at(&self) -> Option<i64> {
        self.timers().next_at()
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

    #[test]
    fn setting_a_key_again_moves_it() {
        let mut timers = Timers::default();
        timers.set(Id(1), 100);
        timers.set(Id(1), 50);
        assert_eq!(timers.due_at(&Id(1)), Some(50));
        assert_eq!(timers.take_due(1000), vec![(50, Id(1))]);
        assert_eq!(timers.next_at(), None);
    }
}
