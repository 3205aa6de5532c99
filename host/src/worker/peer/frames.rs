//! The frames of the peer link between the workers of one instance:
//! binary WebSocket messages, postcard-encoded (compact, and subtask
//! payloads travel as raw bytes).

use crate::distributed::{Children, TaskDone, ToRunner};
use serde::{Deserialize, Serialize};

/// Largest frame either side accepts.
pub(crate) const MAX_FRAME: usize = 64 << 20;

/// The first frame of a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Hello {
    pub(crate) instance_id: i64,
    pub(crate) attempt: i64,
    /// The dispatch's peer token.
    pub(crate) token: wasmjob_wire::PeerToken,
    /// The participant's worker address.
    pub(crate) address: String,
    /// Tasks it runs at once.
    pub(crate) concurrency: u32,
}

/// Participant → coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ToCoordinator {
    Hello(Hello),
    Done(Vec<TaskDone>),
    Children(Children),
}

/// Coordinator → participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ToParticipant {
    /// Joined: tasks follow.
    Welcome,
    /// Not joined, and why.
    Refused(String),
    Runner(ToRunner),
}

pub(crate) fn encode<T: Serialize>(frame: &T) -> Vec<u8> {
    // Encoding plain data into a vector cannot fail.
    postcard::to_allocvec(frame).unwrap_or_default()
}

pub(crate) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("unreadable peer frame: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::TaskAssignment;

    #[test]
    fn frames_round_trip_and_payloads_stay_raw() {
        let task =
            TaskAssignment { seq: 9, retry: 1, id: "0.8".into(), name: "B".into(), payload: Some(vec![0, 255, 7]) };
        let frame = ToParticipant::Runner(ToRunner::Tasks(vec![task]));
        let bytes = encode(&frame);
        assert!(bytes.len() < 24, "{} bytes", bytes.len());
        assert_eq!(decode::<ToParticipant>(&bytes).unwrap(), frame);
        let hello = ToCoordinator::Hello(Hello {
            instance_id: 1,
            attempt: 2,
            token: wasmjob_wire::PeerToken("t".into()),
            address: "w:1".into(),
            concurrency: 4,
        });
        assert_eq!(decode::<ToCoordinator>(&encode(&hello)).unwrap(), hello);
        assert!(decode::<ToCoordinator>(b"\xff\xff\xff").unwrap_err().starts_with("unreadable peer frame"));
    }
}
