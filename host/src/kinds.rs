//! Execution kinds (PowerJob's `ExecuteType`) and the WIT worlds that
//! serve them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How an instance's work is spread (PowerJob's `ExecuteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecuteType {
    /// One task on one worker.
    Standalone,
    /// Pre-process, one task per worker, post-process.
    Broadcast,
    /// A root task that emits subtasks, at any depth.
    Map,
    /// MAP, then reduce over every task's outcome.
    MapReduce,
}

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

    /// The kind's name as PowerJob writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Standalone => "STANDALONE",
            Self::Broadcast => "BROADCAST",
            Self::Map => "MAP",
            Self::MapReduce => "MAP_REDUCE",
        }
    }
}

impl fmt::Display for ExecuteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A world of the `wasmjob:processor` WIT package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl World {
    /// The world's name in the WIT package.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Broadcast => "broadcast",
            Self::Map => "map",
            Self::MapReduce => "map-reduce",
        }
    }

    /// The functions a component must export to satisfy the world.
    pub fn required_exports(self) -> &'static [&'static str] {
        match self {
            Self::Basic | Self::Map => &["process"],
            Self::Broadcast => &["pre-process", "process", "post-process"],
            Self::MapReduce => &["process", "reduce"],
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ExecuteType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "standalone" | "basic" => Ok(Self::Standalone),
            "broadcast" => Ok(Self::Broadcast),
            "map" => Ok(Self::Map),
            "map-reduce" | "mapreduce" => Ok(Self::MapReduce),
            other => {
                Err(format!("unknown execution kind `{other}`: expected standalone, broadcast, map or map-reduce"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_in_either_spelling() {
        assert_eq!("map-reduce".parse::<ExecuteType>(), Ok(ExecuteType::MapReduce));
        assert_eq!("MAP_REDUCE".parse::<ExecuteType>(), Ok(ExecuteType::MapReduce));
        assert_eq!("Standalone".parse::<ExecuteType>(), Ok(ExecuteType::Standalone));
        assert!("reduce".parse::<ExecuteType>().unwrap_err().contains("expected standalone"));
    }

    #[test]
    fn kinds_serialize_as_powerjob_names() {
        assert_eq!(serde_json::to_string(&ExecuteType::MapReduce).unwrap(), "\"MAP_REDUCE\"");
    }
}
