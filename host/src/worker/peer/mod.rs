//! The peer link: how the workers of one BROADCAST, MAP or MAP_REDUCE
//! instance exchange tasks without the server.
//!
//! Every worker with a peer listener (`listener`: a TCP port, advertised
//! in its registration) can coordinate such an instance. The server tells
//! the coordinator who takes part (`Dispatch::participants`, with a fresh
//! `peer_token`) and each participant where the coordinator listens
//! (`Join`). A participant (`participant`) connects, says `Hello` with the
//! token (a hello that comes before the coordinator has the dispatch waits
//! a few seconds for it), and from then on receives batches of tasks and sends back their
//! ends and the subtasks they emit (`frames`); the coordinator's side of
//! each connection (`session`) turns those frames into events of the
//! instance's [`crate::distributed::coordinator`]. Both sides ping every
//! second; one silent for the peer timeout is taken for lost. Until a
//! connection has said a well-formed hello it is a stranger (`door`): a
//! small first frame, the hello timeout, a cap on such connections.

mod door;
mod frames;
mod listener;
mod participant;
mod session;

pub(crate) use listener::{PeerListener, accept};
pub(crate) use participant::join;

use crate::distributed::coordinator::CoordinatorHandle;
use frames::Hello;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;

/// The instances this worker coordinates that others may join.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    map: Mutex<HashMap<i64, Route>>,
    /// Woken whenever an instance opens.
    opened: Notify,
}

/// Why a hello is not admitted.
#[derive(Debug)]
enum Refusal {
    /// The instance (or this attempt of it) is not open here yet: the
    /// server's join can reach a participant before its dispatch reaches
    /// the coordinator.
    NotOpen(String),
    /// The participant may not join.
    Denied(String),
}

/// Who may join one coordinated instance.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) attempt: i64,
    pub(crate) token: wasmjob_wire::PeerToken,
    pub(crate) participants: Vec<String>,
    pub(crate) handle: CoordinatorHandle,
}

impl Routes {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Route>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens an instance to its participants.
    pub(crate) fn open(&self, instance_id: i64, route: Route) {
        self.lock().insert(instance_id, route);
        self.opened.notify_waiters();
    }

    /// Closes it (unless a newer attempt took its place).
    pub(crate) fn close(&self, instance_id: i64, attempt: i64) {
        let mut map = self.lock();
        if map.get(&instance_id).is_some_and(|r| r.attempt == attempt) {
            map.remove(&instance_id);
        }
    }

    /// The route a participant's hello names, or why it may not join,
    /// waiting up to `patience` for an instance that is not open yet.
    pub(super) async fn admit_when_open(&self, hello: &Hello, patience: Duration) -> Result<Route, String> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            // Listen before looking, so an opening in between is not missed.
            let opened = self.opened.notified();
            match self.admit(hello) {
                Ok(route) => return Ok(route),
                Err(Refusal::Denied(why)) => return Err(why),
                Err(Refusal::NotOpen(why)) => {
                    if tokio::time::timeout_at(deadline, opened).await.is_err() {
                        return Err(why);
                    }
                }
            }
        }
    }

    /// The route a participant's hello names, or why it may not join.
    fn admit(&self, hello: &Hello) -> Result<Route, Refusal> {
        let map = self.lock();
        let not_open = || Refusal::NotOpen(format!("this worker does not coordinate instance {}", hello.instance_id));
        let Some(route) = map.get(&hello.instance_id) else { return Err(not_open()) };
        if route.attempt < hello.attempt {
            return Err(not_open());
        }
        if route.attempt != hello.attempt {
            return Err(Refusal::Denied(format!(
                "instance {} is at attempt {}, not {}",
                hello.instance_id, route.attempt, hello.attempt
            )));
        }
        if route.token.is_empty() || !same_secret(route.token.expose().as_bytes(), hello.token.expose().as_bytes()) {
            return Err(Refusal::Denied("the peer token is wrong".into()));
        }
        if !route.participants.contains(&hello.address) {
            return Err(Refusal::Denied(format!("worker {} was not asked to take part", hello.address)));
        }
        Ok(route.clone())
    }
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(token: &str, attempt: i64, address: &str) -> Hello {
        let token = wasmjob_wire::PeerToken(token.into());
        Hello { instance_id: 5, attempt, token, address: address.into(), concurrency: 2 }
    }

    fn route(attempt: i64, handle: CoordinatorHandle) -> Route {
        let token = wasmjob_wire::PeerToken("t0k".into());
        Route { attempt, token, participants: vec!["w:1".into()], handle }
    }

    #[test]
    fn only_invited_workers_with_the_token_of_the_current_attempt_join() {
        let routes = Routes::default();
        let (events, _rx) = tokio::sync::mpsc::channel(1);
        let handle = CoordinatorHandle::for_tests(events);
        assert!(
            matches!(routes.admit(&hello("t0k", 2, "w:1")), Err(Refusal::NotOpen(why)) if why.contains("does not coordinate"))
        );
        routes.open(5, route(2, handle));
        assert!(routes.admit(&hello("t0k", 2, "w:1")).is_ok());
        assert!(
            matches!(routes.admit(&hello("t0x", 2, "w:1")), Err(Refusal::Denied(why)) if why == "the peer token is wrong")
        );
        assert!(
            matches!(routes.admit(&hello("t0k", 1, "w:1")), Err(Refusal::Denied(why)) if why.contains("attempt 2, not 1"))
        );
        assert!(
            matches!(routes.admit(&hello("t0k", 3, "w:1")), Err(Refusal::NotOpen(_))),
            "a newer attempt may open yet"
        );
        assert!(
            matches!(routes.admit(&hello("t0k", 2, "w:9")), Err(Refusal::Denied(why)) if why.contains("not asked"))
        );
        routes.close(5, 1);
        assert!(routes.admit(&hello("t0k", 2, "w:1")).is_ok(), "an older attempt's close leaves the route");
        routes.close(5, 2);
        assert!(matches!(routes.admit(&hello("t0k", 2, "w:1")), Err(Refusal::NotOpen(_))));
        assert!(same_secret(b"abc", b"abc") && !same_secret(b"abc", b"abd") && !same_secret(b"ab", b"abc"));
    }

    #[tokio::test]
    async fn a_hello_that_comes_before_the_dispatch_waits_for_it() {
        let routes = std::sync::Arc::new(Routes::default());
        let (events, _rx) = tokio::sync::mpsc::channel(1);
        let handle = CoordinatorHandle::for_tests(events);
        let early = tokio::spawn({
            let routes = routes.clone();
            async move { routes.admit_when_open(&hello("t0k", 2, "w:1"), Duration::from_secs(30)).await.map(|r| r.attempt) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!early.is_finished(), "the hello waits while the instance is not open");
        routes.open(5, route(2, handle));
        assert_eq!(early.await.unwrap(), Ok(2));
        let wrong = routes.admit_when_open(&hello("t0x", 2, "w:1"), Duration::from_secs(30)).await;
        assert_eq!(wrong.map(|r| r.attempt), Err("the peer token is wrong".to_string()), "a denial does not wait");
        routes.close(5, 2);
        let late = routes.admit_when_open(&hello("t0k", 2, "w:1"), Duration::from_millis(20)).await;
        assert_eq!(late.map(|r| r.attempt), Err("this worker does not coordinate instance 5".to_string()));
    }
}
