//! Where an instance stands (PowerJob's `InstanceStatus`).

use crate::word::word;
use serde::{Deserialize, Serialize};

/// Where an instance stands (PowerJob's `InstanceStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    /// Created, waiting for the scheduler to dispatch it.
    WaitingDispatch,
    /// Sent to a worker, not yet acknowledged.
    WaitingWorkerReceive,
    /// Running on its workers.
    Running,
    /// Ended in failure.
    Failed,
    /// Ended in success.
    Succeed,
    /// Canceled before it ran.
    Canceled,
    /// Stopped on request.
    Stopped,
}

word!(
    InstanceStatus,
    "instance status",
    [WaitingDispatch, WaitingWorkerReceive, Running, Failed, Succeed, Canceled, Stopped]
);

impl InstanceStatus {
    /// The statuses of an instance that has not ended: it holds its job's
    /// slot and may still change.
    pub const LIVE: [InstanceStatus; 3] = [Self::WaitingDispatch, Self::WaitingWorkerReceive, Self::Running];

    /// The statuses an instance ends in.
    pub const FINAL: [InstanceStatus; 4] = [Self::Failed, Self::Succeed, Self::Canceled, Self::Stopped];

    /// Whether the instance has ended.
    pub fn is_final(self) -> bool {
        Self::FINAL.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Word;

    #[test]
    fn names_round_trip() {
        crate::word::tests::round_trips::<InstanceStatus>();
    }

    #[test]
    fn every_status_is_live_or_final_never_both() {
        for &status in InstanceStatus::ALL {
            assert_ne!(InstanceStatus::LIVE.contains(&status), status.is_final(), "{status}");
        }
    }
}
