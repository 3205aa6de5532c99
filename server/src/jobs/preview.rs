//! `POST /schedule/preview`: the next fire times of a time expression,
//! computed exactly as the scheduler computes them, before any job exists
//! (the console's "next 5 fire times" while a job is being written).
//! Expressions are checked by the same rules as job creation, so the
//! messages match.

use super::model::{Lifecycle, TimeExpressionType};
use super::validate::check_time_expression;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody, FieldError};
use crate::ids::now_ms;
use crate::json::{ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_schedule::{Schedule, Tz};

/// The most fire times one preview returns.
pub const MAX_PREVIEW_COUNT: i64 = 20;

/// How many fire times a preview returns when the request names no count.
const DEFAULT_PREVIEW_COUNT: i64 = 5;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(preview_schedule))
}

/// A time expression to preview: the scheduling fields of a job, and which
/// fire times to show.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreviewRequest {
    /// How the job would be triggered.
    pub time_expression_type: TimeExpressionType,
    /// The expression, as a job would carry it: a CRON expression, an
    /// interval in milliseconds (FIXED_RATE, FIXED_DELAY), a
    /// DAILY_TIME_INTERVAL JSON object, or empty (API, WORKFLOW).
    #[serde(default)]
    pub time_expression: String,
    /// IANA time zone the calendar is read in (`Asia/Shanghai`); absent or
    /// empty: the server's zone, as for jobs that name none.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// When the job may fire; fire times outside it are not shown.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    /// How many fire times to return, 1 to 20 (default 5).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 20)]
    pub count: Option<i64>,
    /// Fire times strictly after this instant, Unix milliseconds (default:
    /// now).
    #[serde(default)]
    pub after: Option<i64>,
}

/// The next fire times of an expression.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePreview {
    /// The fire times in order, Unix milliseconds. Fewer than asked for
    /// when the schedule or the lifecycle ends first; empty for API and
    /// WORKFLOW jobs, which the scheduler never fires.
    pub fire_times: Vec<i64>,
    /// The IANA time zone the calendar was read in.
    pub time_zone: String,
}

impl Validate for PreviewRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut add = |field: &str, message: String| problems.push(FieldError { field: field.into(), message });
        if let Err(message) = check_time_expression(self.time_expression_type, &self.time_expression) {
            add("timeExpression", message);
        }
        if let Err(e) = wasmjob_schedule::parse_time_zone(self.time_zone.as_deref().unwrap_or_default()) {
            add("timeZone", e.to_string());
        }
        if let Some(count) = self.count
            && !(1..=MAX_PREVIEW_COUNT).contains(&count)
        {
            add("count", format!("must be between 1 and {MAX_PREVIEW_COUNT}, not {count}"));
        }
        if let Some(Lifecycle { start: Some(start), end: Some(end) }) = self.lifecycle
            && start >= end
        {
            add("lifecycle", "start must be before end".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// The next fire times of a time expression, as the scheduler would fire a
/// job with these fields. CRON and DAILY_TIME_INTERVAL are read in the
/// time zone; FIXED_RATE and FIXED_DELAY fire every interval from `after`
/// (or from the lifecycle's start, which fires at once), FIXED_DELAY as if
/// each run took no time. Invalid fields are answered with 422 and the
/// same messages as job creation.
#[utoipa::path(post, path = "/schedule/preview", tag = "jobs",
    request_body = PreviewRequest,
    responses((status = 200, body = SchedulePreview, description = "The next fire times"),
        (status = 422, body = ErrorBody,
            description = "A bad `timeExpression`, `timeZone`, `count` or `lifecycle`; the fields say which")))]
async fn preview_schedule(
    State(state): State<AppState>,
    _caller: Principal,
    body: ValidJson<PreviewRequest>,
) -> ApiResult<Json<SchedulePreview>> {
    let request = body.get()?;
    let tz = wasmjob_schedule::parse_time_zone(request.time_zone.as_deref().unwrap_or_default())
        .ok()
        .flatten()
        .unwrap_or_else(|| crate::scheduler::triggers::server_time_zone(&state));
    let after = request.after.unwrap_or_else(|| now_ms() as i64);
    let count = request.count.unwrap_or(DEFAULT_PREVIEW_COUNT).clamp(0, MAX_PREVIEW_COUNT) as usize;
    let lifecycle = request.lifecycle.unwrap_or_default();
    let fire_times = fire_times(request.time_expression_type, &request.time_expression, tz, lifecycle, after, count);
    Ok(Json(SchedulePreview { fire_times, time_zone: tz.name().to_string() }))
}

/// Up to `count` fire times strictly after `after` (a FIXED_RATE job whose
/// lifecycle starts later fires at its start), clipped to `lifecycle`. An
/// expression that does not parse has none.
pub fn fire_times(
    kind: TimeExpressionType,
    expression: &str,
    tz: Tz,
    lifecycle: Lifecycle,
    after: i64,
    count: usize,
) -> Vec<i64> {
    let expression = expression.trim();
    let lifecycle = wasmjob_schedule::Lifecycle { start: lifecycle.start, end: lifecycle.end };
    let schedule = match kind {
        TimeExpressionType::Api | TimeExpressionType::Workflow => return Vec::new(),
        TimeExpressionType::FixedRate | TimeExpressionType::FixedDelay => {
            return match expression.parse::<i64>() {
                Ok(interval) if interval > 0 => every(interval, lifecycle, after, count),
                _ => Vec::new(),
            };
        }
        TimeExpressionType::Cron => wasmjob_schedule::CronSchedule::parse(expression).map(Schedule::Cron),
        TimeExpressionType::DailyTimeInterval => {
            wasmjob_schedule::DailyTimeInterval::parse(expression).map(Schedule::DailyTimeInterval)
        }
    };
    match schedule {
        Ok(schedule) => wasmjob_schedule::next_fires(&schedule, tz, lifecycle, after, count),
        Err(_) => Vec::new(),
    }
}

/// `count` instants `interval` apart after `after`, or from the
/// lifecycle's start when it is later; none past its end (or past the
/// largest instant).
fn every(interval: i64, lifecycle: wasmjob_schedule::Lifecycle, after: i64, count: usize) -> Vec<i64> {
    let (first, steps_from) = match lifecycle.start {
        Some(start) if start > after => (start, 0),
        _ => (after, 1),
    };
    (steps_from..)
        .map_while(|k: i64| first.checked_add(interval.checked_mul(k)?))
        .take_while(|fire| lifecycle.end.is_none_or(|end| *fire <= end))
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;
    /// 2026-05-01T10:00:00Z.
    const T0: i64 = 1_777_629_600_000;

    fn open() -> Lifecycle {
        Lifecycle::default()
    }

    #[test]
    fn cron_fires_in_the_zone_given() {
        let fires = fire_times(TimeExpressionType::Cron, "0 0 9 * * ?", Tz::Asia__Shanghai, open(), T0, 3);
        // 09:00 in Shanghai is 01:00Z: the next three days.
        let day = 86_400_000;
        let first = T0 + 15 * 3_600_000;
        assert_eq!(fires, [first, first + day, first + 2 * day]);
        let utc = fire_times(TimeExpressionType::Cron, "0 */5 * * * ?", Tz::UTC, open(), T0, 5);
        assert_eq!(utc, [1, 2, 3, 4, 5].map(|k| T0 + 5 * MINUTE * k));
    }

    #[test]
    fn fixed_rates_step_from_after_or_from_the_start() {
        let fires = fire_times(TimeExpressionType::FixedRate, "5000", Tz::UTC, open(), T0, 3);
        assert_eq!(fires, [T0 + 5000, T0 + 10_000, T0 + 15_000]);
        let later = Lifecycle { start: Some(T0 + MINUTE), end: Some(T0 + MINUTE + 10_000) };
        let fires = fire_times(TimeExpressionType::FixedDelay, "5000", Tz::UTC, later, T0, 5);
        assert_eq!(fires, [T0 + MINUTE, T0 + MINUTE + 5000, T0 + MINUTE + 10_000]);
    }

    #[test]
    fn api_jobs_and_bad_expressions_have_no_fire_times() {
        assert!(fire_times(TimeExpressionType::Api, "", Tz::UTC, open(), T0, 5).is_empty());
        assert!(fire_times(TimeExpressionType::Workflow, "", Tz::UTC, open(), T0, 5).is_empty());
        assert!(fire_times(TimeExpressionType::Cron, "every day", Tz::UTC, open(), T0, 5).is_empty());
        assert!(fire_times(TimeExpressionType::FixedRate, "-5", Tz::UTC, open(), T0, 5).is_empty());
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let daily = r#"{"interval":1,"intervalUnit":"HOURS","startTimeOfDay":"09:00:00","endTimeOfDay":"11:00:00"}"#;
        let kinds = [
            (TimeExpressionType::Cron, "0 0 9 * * ?"),
            (TimeExpressionType::Cron, "* * * * * ?"),
            (TimeExpressionType::DailyTimeInterval, daily),
            (TimeExpressionType::FixedRate, "31536000000"),
        ];
        let lifecycles = [
            open(),
            Lifecycle { start: Some(i64::MIN), end: Some(i64::MAX) },
            Lifecycle { start: Some(i64::MAX), end: None },
        ];
        for (kind, expression) in kinds {
            for lifecycle in lifecycles {
                for after in [i64::MIN, -1, 0, T0, 7_258_118_400_000, i64::MAX - 1, i64::MAX] {
                    let fires = fire_times(kind, expression, Tz::America__New_York, lifecycle, after, 20);
                    assert!(fires.windows(2).all(|w| w[0] < w[1]), "{kind:?} {after}: {fires:?}");
                }
            }
        }
    }

    fn request(json: serde_json::Value) -> PreviewRequest {
        serde_json::from_value(json).unwrap()
    }

    fn fields(request: &PreviewRequest) -> Vec<String> {
        request.validate().err().unwrap_or_default().into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn requests_are_checked_like_jobs() {
        let ok = request(serde_json::json!({"timeExpressionType": "CRON", "timeExpression": "0 * * * * ?"}));
        assert!(ok.validate().is_ok());
        let bad = request(serde_json::json!({
            "timeExpressionType": "CRON", "timeExpression": "every day", "timeZone": "Mars/Base", "count": 21,
            "lifecycle": {"start": 10, "end": 5}
        }));
        assert_eq!(fields(&bad), ["timeExpression", "timeZone", "count", "lifecycle"]);
        let zero = request(serde_json::json!({"timeExpressionType": "API", "count": 0}));
        assert_eq!(fields(&zero), ["count"]);
        let unknown =
            serde_json::from_value::<PreviewRequest>(serde_json::json!({"timeExpressionType": "API", "x": 1}));
        assert!(unknown.is_err());
    }
}
