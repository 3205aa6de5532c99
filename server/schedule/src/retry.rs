//! How long an instance waits before its next retry.

/// The delay before retry `attempt` (1 for the first retry): `interval_ms * backoff^(attempt-1)`,
/// capped at `max_ms`.
///
/// Never panics or overflows. `attempt` 0 counts as 1; a `backoff` below 1.0 or NaN counts as
/// 1.0 (a constant delay), and an infinite one as the largest finite `f64`, so the cap applies.
pub fn retry_delay_ms(interval_ms: u64, backoff: f64, attempt: u32, max_ms: u64) -> u64 {
    let backoff = if backoff.is_nan() { 1.0 } else { backoff.clamp(1.0, f64::MAX) };
    let exponent = attempt.saturating_sub(1);
    if interval_ms == 0 || exponent == 0 || backoff == 1.0 {
        return interval_ms.min(max_ms);
    }
    let delay = interval_ms as f64 * backoff.powi(i32::try_from(exponent).unwrap_or(i32::MAX));
    if delay.is_finite() && delay < max_ms as f64 {
        // In range and finite: the cast rounds toward zero and cannot saturate.
        (delay as u64).min(max_ms)
    } else {
        max_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_the_backoff_per_attempt() {
        let delays: Vec<u64> = (1..=5).map(|attempt| retry_delay_ms(1_000, 2.0, attempt, 60_000)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000]);
        assert_eq!(retry_delay_ms(1_000, 1.5, 3, 60_000), 2_250);
    }

    #[test]
    fn is_capped_at_max() {
        assert_eq!(retry_delay_ms(1_000, 2.0, 7, 60_000), 60_000);
        assert_eq!(retry_delay_ms(90_000, 2.0, 1, 60_000), 60_000);
    }

    #[test]
    fn huge_attempts_saturate_at_max() {
        assert_eq!(retry_delay_ms(1_000, 2.0, u32::MAX, 60_000), 60_000);
        assert_eq!(retry_delay_ms(u64::MAX, 10.0, 1_000, u64::MAX), u64::MAX);
        assert_eq!(retry_delay_ms(1, 1.000_001, u32::MAX, u64::MAX), u64::MAX);
    }

    #[test]
    fn odd_backoffs_are_clamped() {
        assert_eq!(retry_delay_ms(1_000, 0.5, 4, 60_000), 1_000);
        assert_eq!(retry_delay_ms(1_000, -3.0, 4, 60_000), 1_000);
        assert_eq!(retry_delay_ms(1_000, f64::NAN, 4, 60_000), 1_000);
        assert_eq!(retry_delay_ms(1_000, f64::NEG_INFINITY, 4, 60_000), 1_000);
        assert_eq!(retry_delay_ms(1_000, f64::INFINITY, 2, 60_000), 60_000);
        assert_eq!(retry_delay_ms(1_000, f64::INFINITY, 1, 60_000), 1_000);
    }

    #[test]
    fn zero_inputs() {
        assert_eq!(retry_delay_ms(0, f64::INFINITY, 9, 60_000), 0);
        assert_eq!(retry_delay_ms(1_000, 2.0, 0, 60_000), 1_000);
        assert_eq!(retry_delay_ms(1_000, 2.0, 3, 0), 0);
    }
}
