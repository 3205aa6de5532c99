//! Deploying ahead of use: the server asks a worker to fetch and
//! precompile the artifacts it will soon be sent ([`Prefetch`], after a
//! deployment and right after `WELCOME`), names the digests it may still
//! be sent (the worker drops other cached components that nothing runs),
//! and the worker reports how each artifact stands ([`ArtifactReport`]).
//!
//! Older peers ignore these frames (an unknown `type` is skipped), so the
//! protocol version stays 1.

use serde::{Deserialize, Serialize};

/// Fetch and precompile these artifacts now, in the background.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prefetch {
    /// The artifacts to have ready.
    #[serde(default)]
    pub artifacts: Vec<PrefetchArtifact>,
    /// When present, every digest the worker may still be dispatched (the
    /// deployed versions and those jobs name by label, of every app it
    /// serves, and those of running instances): cached components not in
    /// it that no instance runs may be removed. `None`: keep everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<Vec<String>>,
}

/// One artifact to prefetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrefetchArtifact {
    /// The container's name.
    pub container: String,
    /// The version's label.
    pub version: String,
    /// sha256 of the component, lowercase hex.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
}

/// How an artifact stands on a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ArtifactState {
    /// Being downloaded or compiled.
    Fetching,
    /// Downloaded, verified and compiled: a dispatch starts at once.
    Ready,
    /// It could not be fetched or compiled; the message says why.
    Failed,
    /// The worker removed it from its caches (no job can use it any more).
    Removed,
}

impl ArtifactState {
    /// The name on the wire and in the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fetching => "FETCHING",
            Self::Ready => "READY",
            Self::Failed => "FAILED",
            Self::Removed => "REMOVED",
        }
    }

    /// The state of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "FETCHING" => Some(Self::Fetching),
            "READY" => Some(Self::Ready),
            "FAILED" => Some(Self::Failed),
            "REMOVED" => Some(Self::Removed),
            _ => None,
        }
    }
}

/// What a worker reports of one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactReport {
    /// sha256 of the component.
    pub digest: String,
    /// Where it stands.
    pub state: ArtifactState,
    /// Why it failed (empty otherwise).
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ServerMessage, WorkerMessage};

    #[test]
    fn prefetch_and_artifact_frames_are_tagged_json() {
        let prefetch = ServerMessage::Prefetch(Prefetch {
            artifacts: vec![PrefetchArtifact {
                container: "echo".into(),
                version: "v2".into(),
                digest: "ab".repeat(32),
                size: 10,
            }],
            keep: None,
        });
        let text = serde_json::to_string(&prefetch).unwrap();
        assert!(text.starts_with(r#"{"type":"PREFETCH","artifacts":[{"container":"echo""#), "{text}");
        assert!(!text.contains("keep"), "{text}");
        assert_eq!(serde_json::from_str::<ServerMessage>(&text).unwrap(), prefetch);
        let report = WorkerMessage::Artifact(ArtifactReport {
            digest: "ab".repeat(32),
            state: ArtifactState::Ready,
            message: String::new(),
        });
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains(r#""type":"ARTIFACT""#) && text.contains(r#""state":"READY""#), "{text}");
        assert_eq!(serde_json::from_str::<WorkerMessage>(&text).unwrap(), report);
        // A bare frame (fields added later default).
        let bare: ServerMessage = serde_json::from_str(r#"{"type":"PREFETCH"}"#).unwrap();
        assert_eq!(bare, ServerMessage::Prefetch(Prefetch { artifacts: Vec::new(), keep: None }));
        for state in [ArtifactState::Fetching, ArtifactState::Ready, ArtifactState::Failed, ArtifactState::Removed] {
            assert_eq!(ArtifactState::from_name(state.name()), Some(state));
        }
    }
}
