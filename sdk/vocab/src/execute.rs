//! How an instance's work is spread, and the WIT world that serves each
//! way.

use crate::word::word;
use serde::{Deserialize, Serialize};

/// How an instance's work is spread (PowerJob's `ExecuteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecuteType {
    /// One task on one worker.
    Standalone,
    /// Pre-process, one task on every worker, post-process.
    Broadcast,
    /// A root task emitting subtasks, at any depth.
    Map,
    /// Map, then reduce over every task's outcome.
    MapReduce,
}

word!(ExecuteType, "execution kind", [Standalone, Broadcast, Map, MapReduce]);

impl ExecuteType {
    /// The world a component must satisfy to run as this kind.
    pub fn world(self) -> World {
        match self {
            Self::Standalone => World::Basic,
            Self::Broadcast => World::Broadcast,
            Self::Map => World::Map,
            Self::MapReduce => World::MapReduce,
        }
    }

    /// Whether tasks of this kind may emit subtasks.
    pub fn may_emit_subtasks(self) -> bool {
        matches!(self, Self::Map | Self::MapReduce)
    }

    /// Whether an instance of this kind spreads over several workers
    /// (a coordinator and its tasks), rather than one task on one.
    pub fn is_distributed(self) -> bool {
        !matches!(self, Self::Standalone)
    }
}

/// A world of the `wasmjob:processor` WIT package (`wit/processor.wit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum World {
    /// `process`.
    Basic,
    /// `pre-process`, `process`, `post-process`.
    Broadcast,
    /// `process` (which may emit subtasks).
    Map,
    /// `process` and `reduce`.
    MapReduce,
}

word!(World, "world", [Basic, Broadcast, Map, MapReduce]);

impl World {
    /// The functions a component must export to satisfy the world.
    pub fn required_exports(self) -> &'static [&'static str] {
        match self {
            Self::Basic | Self::Map => &["process"],
            Self::Broadcast => &["pre-process", "process", "post-process"],
            Self::MapReduce => &["process", "reduce"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Word;

    #[test]
    fn names_round_trip() {
        crate::word::tests::round_trips::<ExecuteType>();
        crate::word::tests::round_trips::<World>();
    }

    #[test]
    fn kinds_parse_in_either_spelling() {
        assert_eq!("map-reduce".parse::<ExecuteType>(), Ok(ExecuteType::MapReduce));
        assert_eq!("MAP_REDUCE".parse::<ExecuteType>(), Ok(ExecuteType::MapReduce));
        assert_eq!("Standalone".parse::<ExecuteType>(), Ok(ExecuteType::Standalone));
        assert_eq!(ExecuteType::MapReduce.name(), "MAP_REDUCE");
        assert_eq!(ExecuteType::MapReduce.flag(), "map-reduce");
        assert_eq!(ExecuteType::MapReduce.world().name(), "map-reduce");
        let error = "reduce".parse::<ExecuteType>().unwrap_err().to_string();
        assert_eq!(
            error,
            "unknown execution kind `reduce`: expected standalone, broadcast, map or map-reduce (in any case, `_` or \
             `-` between words)"
        );
    }
}
