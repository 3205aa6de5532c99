//! How severe a log line is, and how severe one must be to be kept.

use crate::word::word;
use serde::{Deserialize, Serialize};

/// Severity of a log line; as a job's setting, the lowest severity kept
/// (`OFF` keeps nothing: no line is that severe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LogLevel {
    /// Detail.
    Debug,
    /// Progress.
    #[default]
    Info,
    /// Recovered trouble.
    Warn,
    /// Failure.
    Error,
    /// As a threshold: nothing is kept.
    Off,
}

word!(LogLevel, "log level", [Debug, Info, Warn, Error, Off]);

impl LogLevel {
    /// Whether a line of this severity is kept under `threshold`.
    pub fn passes(self, threshold: LogLevel) -> bool {
        threshold != Self::Off && self >= threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        crate::word::tests::round_trips::<LogLevel>();
    }

    #[test]
    fn thresholds_keep_what_is_at_least_as_severe() {
        assert!(LogLevel::Warn.passes(LogLevel::Info));
        assert!(LogLevel::Info.passes(LogLevel::Info));
        assert!(!LogLevel::Debug.passes(LogLevel::Info));
        assert!(!LogLevel::Error.passes(LogLevel::Off));
        assert!(!LogLevel::Off.passes(LogLevel::Off));
    }
}
