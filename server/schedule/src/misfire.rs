//! What to do with a trigger whose time passed while no server was firing it.

use serde::{Deserialize, Serialize};

/// What to do with a slot found overdue by more than the misfire threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MisfirePolicy {
    /// Fire the overdue slot once, now, and skip the slots in between.
    #[default]
    FireOnceNow,
    /// Fire nothing for the overdue slots; carry on with the first slot after now.
    Skip,
}

/// The outcome of [`on_due`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The slot to fire, as its scheduled time; `None` to fire nothing.
    pub fire: Option<i64>,
    /// Compute the following slot strictly after this instant.
    pub next_after: i64,
}

/// Decides what to do with a slot that is due: `slot_ms` has come (`slot_ms <= now_ms`).
///
/// A slot more than `misfire_threshold_ms` behind `now_ms` is a misfire (a negative threshold
/// counts as 0). A slot that is not a misfire fires, and the next slot follows it, so a short
/// delay catches up on every slot. A misfire under [`MisfirePolicy::FireOnceNow`] fires once and
/// the next slot is the first after now; under [`MisfirePolicy::Skip`] nothing fires and the next
/// slot is the first after now.
pub fn on_due(slot_ms: i64, now_ms: i64, misfire_threshold_ms: i64, policy: MisfirePolicy) -> Decision {
    let late = now_ms.saturating_sub(slot_ms) > misfire_threshold_ms.max(0);
    match (late, policy) {
        (false, _) => Decision { fire: Some(slot_ms), next_after: slot_ms },
        (true, MisfirePolicy::FireOnceNow) => Decision { fire: Some(slot_ms), next_after: now_ms },
        (true, MisfirePolicy::Skip) => Decision { fire: None, next_after: now_ms },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOT: i64 = 1_780_000_000_000;

    #[test]
    fn a_slot_within_the_threshold_fires_and_the_next_follows_it() {
        for policy in [MisfirePolicy::FireOnceNow, MisfirePolicy::Skip] {
            assert_eq!(on_due(SLOT, SLOT, 5_000, policy), Decision { fire: Some(SLOT), next_after: SLOT });
            assert_eq!(on_due(SLOT, SLOT + 5_000, 5_000, policy), Decision { fire: Some(SLOT), next_after: SLOT });
        }
    }

    #[test]
    fn fire_once_now_fires_the_overdue_slot_and_skips_to_now() {
        let now = SLOT + 3_600_000;
        assert_eq!(
            on_due(SLOT, now, 5_000, MisfirePolicy::FireOnceNow),
            Decision { fire: Some(SLOT), next_after: now }
        );
        assert_eq!(on_due(SLOT, SLOT + 5_001, 5_000, MisfirePolicy::FireOnceNow).next_after, SLOT + 5_001);
    }

    #[test]
    fn skip_fires_nothing_and_skips_to_now() {
        let now = SLOT + 3_600_000;
        assert_eq!(on_due(SLOT, now, 5_000, MisfirePolicy::Skip), Decision { fire: None, next_after: now });
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        assert_eq!(on_due(i64::MIN, i64::MAX, 0, MisfirePolicy::Skip).fire, None);
        assert_eq!(on_due(SLOT, SLOT + 1, -10, MisfirePolicy::Skip).fire, None);
        assert_eq!(on_due(i64::MAX, i64::MIN, i64::MAX, MisfirePolicy::Skip).fire, Some(i64::MAX));
    }

    #[test]
    fn policies_use_powerjob_style_names() {
        assert_eq!(serde_json::to_string(&MisfirePolicy::FireOnceNow).unwrap(), "\"FIRE_ONCE_NOW\"");
        assert_eq!(serde_json::from_str::<MisfirePolicy>("\"SKIP\"").unwrap(), MisfirePolicy::Skip);
        assert_eq!(MisfirePolicy::default(), MisfirePolicy::FireOnceNow);
    }
}
