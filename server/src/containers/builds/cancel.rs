//! Cancelling builds: each build running on this server has a signal the
//! cancel route raises. The clone watches its flag (libgit2 checks it
//! during the transfer); waiting for a permit and compiling watch its
//! notification, and dropping the compiler kills its process group. A
//! build running on another server of the cluster learns of the cancel
//! from the database before it publishes anything.

use crate::ids::Id;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// One build's cancel signal.
#[derive(Debug, Default)]
pub(super) struct CancelSignal {
    flag: Arc<AtomicBool>,
    notify: Notify,
}

impl CancelSignal {
    /// The flag the clone checks (the time limit raises it too).
    pub(super) fn flag(&self) -> &Arc<AtomicBool> {
        &self.flag
    }

    /// Whether the build was cancelled.
    pub(super) fn is_raised(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    fn raise(&self) {
        self.flag.store(true, Ordering::Relaxed);
        self.notify.notify_waiters();
    }

    /// Resolves once the build is cancelled.
    pub(super) async fn raised(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_raised() {
                return;
            }
            notified.await;
        }
    }
}

/// The signals of the builds running here.
#[derive(Debug, Default)]
pub(super) struct Running {
    signals: Mutex<HashMap<Id, Arc<CancelSignal>>>,
}

impl Running {
    /// A signal for build `id`, until [`Running::remove`].
    pub(super) fn add(&self, id: Id) -> Arc<CancelSignal> {
        let signal = Arc::new(CancelSignal::default());
        self.signals.lock().unwrap_or_else(|p| p.into_inner()).insert(id, signal.clone());
        signal
    }

    /// Forgets build `id`.
    pub(super) fn remove(&self, id: Id) {
        self.signals.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    /// Cancels build `id` if it runs here; whether it did.
    pub(super) fn cancel(&self, id: Id) -> bool {
        let signal = self.signals.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
        signal.map(|s| s.raise()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancel_reaches_the_waiting_build_only() {
        let running = Running::default();
        let (one, two) = (running.add(Id(1)), running.add(Id(2)));
        let waiting = tokio::spawn({
            let one = one.clone();
            async move { one.raised().await }
        });
        assert!(running.cancel(Id(1)));
        tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await.unwrap().unwrap();
        assert!(one.is_raised() && !two.is_raised());
        running.remove(Id(1));
        assert!(!running.cancel(Id(1)), "a build that ended is not here any more");
    }
}
