//! Ids that several servers can generate at once without coordinating:
//! 41 bits of milliseconds since 2026-01-01, 10 bits of node, 12 bits of
//! sequence (snowflake layout). They are serialized as decimal strings so
//! JavaScript clients keep every digit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// 2026-01-01T00:00:00Z in Unix milliseconds.
const EPOCH_MS: u64 = 1_767_225_600_000;

/// A resource id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub i64);

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Number(i64),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(Id(n)),
            Either::Text(t) => t.parse().map(Id).map_err(|_| serde::de::Error::custom(format!("`{t}` is not an id"))),
        }
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Id {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Id)
    }
}

/// Generates ids for one server process.
#[derive(Debug)]
pub struct IdGenerator {
    node: u64,
    state: Mutex<(u64, u64)>,
}

impl IdGenerator {
    /// A generator for node `node` (0..1024).
    pub fn new(node: u16) -> Self {
        Self { node: u64::from(node) & 0x3ff, state: Mutex::new((0, 0)) }
    }

    /// A generator with a random node number; the database's primary keys
    /// catch the rare collision between two such servers.
    pub fn random() -> Self {
        Self::new(rand::random::<u16>())
    }

    /// The next id: increasing within this process.
    pub fn next(&self) -> Id {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (last_ms, seq) = *state;
        let mut now = now_ms().max(last_ms);
        let seq = if now == last_ms { (seq + 1) & 0xfff } else { 0 };
        if seq == 0 && now == last_ms {
            // 4096 ids in one millisecond: borrow the next millisecond.
            now += 1;
        }
        *state = (now, seq);
        Id((((now - EPOCH_MS) << 22) | (self.node << 12) | seq) as i64)
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(EPOCH_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_never_repeat() {
        let ids = IdGenerator::new(3);
        let generated: Vec<Id> = (0..20_000).map(|_| ids.next()).collect();
        assert!(generated.windows(2).all(|w| w[0] < w[1]));
        assert!(generated.iter().all(|id| id.0 > 0));
    }

    #[test]
    fn ids_serialize_as_strings_and_parse_from_either() {
        assert_eq!(serde_json::to_string(&Id(42)).unwrap(), "\"42\"");
        assert_eq!(serde_json::from_str::<Id>("\"42\"").unwrap(), Id(42));
        assert_eq!(serde_json::from_str::<Id>("42").unwrap(), Id(42));
        assert!(serde_json::from_str::<Id>("\"x\"").is_err());
    }
}
