//! How a job is triggered.

use crate::word::word;
use serde::{Deserialize, Serialize};

/// How a job is triggered (PowerJob's `TimeExpressionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimeExpressionType {
    /// Only when run through the API.
    Api,
    /// A Quartz-style CRON expression (with seconds).
    Cron,
    /// Every N milliseconds, from start to start.
    FixedRate,
    /// N milliseconds after the previous run ended.
    FixedDelay,
    /// As a node of a workflow.
    Workflow,
    /// Every N units within a time window on chosen days.
    DailyTimeInterval,
}

word!(TimeExpressionType, "time expression type", [Api, Cron, FixedRate, FixedDelay, Workflow, DailyTimeInterval]);

impl TimeExpressionType {
    /// Whether one instance runs the processor again and again (FIXED_RATE,
    /// FIXED_DELAY: PowerJob's frequent jobs).
    pub fn is_frequent(self) -> bool {
        matches!(self, Self::FixedRate | Self::FixedDelay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        crate::word::tests::round_trips::<TimeExpressionType>();
    }
}
