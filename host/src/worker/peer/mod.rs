//! The peer link: how the workers of one BROADCAST, MAP or MAP_REDUCE
//! instance exchange tasks without the server.
//!
//! Every worker with a peer listener (`listener`: a TCP port, advertised
//! in its registration) can coordinate such an instance. The server tells
//! the coordinator who takes part (`Dispatch::participants`, with a fresh
//! `peer_token`) and each participant where the coordinator listens
//! (`Join`). A participant (`participant`) connects, says `Hello` with the
//! token, and from then on receives batches of tasks and sends back their
//! ends and the subtasks they emit (`frames`); the coordinator's side of
//! each connection (`session`) turns those frames into events of the
//! instance's [`crate::distributed::coordinator`]. Both sides ping every
//! second; one silent for the peer timeout is taken for lost.

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

/// The instances this worker coordinates that others may join.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    map: Mutex<HashMap<i64, Route>>,
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
    }

    /// Closes it (unless a newer attempt took its place).
    pub(crate) fn close(&self, instance_id: i64, attempt: i64) {
        let mut map = self.lock();
        if map.get(&instance_id).is_some_and(|r| r.attempt == attempt) {
            map.remove(&instance_id);
        }
    }

    /// The route a participant's hello names, or why it may not join.
    fn admit(&self, hello: &Hello) -> Result<Route, String> {
        let map = self.lock();
        let Some(route) = map.get(&hello.instance_id) else {
            return Err(format!("this worker does not coordinate instance {}", hello.instance_id));
        };
        if route.attempt != hello.attempt {
            return Err(format!(
                "instance {} is at attempt {}, not {}",
                hello.instance_id, route.attempt, hello.attempt
            ));
        }
        if route.token.is_empty() || !same_secret(route.token.expose().as_bytes(), hello.token.expose().as_bytes()) {
            return Err("the peer token is wrong".into());
        }
        if !route.participants.contains(&hello.address) {
            return Err(format!("worker {} was not asked to take part", hello.address));
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

    #[test]
    fn only_invited_workers_with_the_token_of_the_current_attempt_join() {
        let routes = Routes::default();
        let (events, _rx) = tokio::sync::mpsc::channel(1);
        let handle = CoordinatorHandle::for_tests(events);
        assert!(routes.admit(&hello("t0k", 2, "w:1")).unwrap_err().contains("does not coordinate"));
        let token = wasmjob_wire::PeerToken("t0k".into());
        let route = Route { attempt: 2, token, participants: vec!["w:1".into()], handle };
        routes.open(5, route);
        assert!(routes.admit(&hello("t0k", 2, "w:1")).is_ok());
        assert_eq!(routes.admit(&hello("t0x", 2, "w:1")).unwrap_err(), "the peer token is wrong");
        assert!(routes.admit(&hello("t0k", 1, "w:1")).unwrap_err().contains("attempt 2, not 1"));
        assert!(routes.admit(&hello("t0k", 2, "w:9")).unwrap_err().contains("not asked"));
        routes.close(5, 1);
        assert!(routes.admit(&hello("t0k", 2, "w:1")).is_ok(), "an older attempt's close leaves the route");
        routes.close(5, 2);
        assert!(routes.admit(&hello("t0k", 2, "w:1")).is_err());
        assert!(same_secret(b"abc", b"abc") && !same_secret(b"abc", b"abd") && !same_secret(b"ab", b"abc"));
    }
}
