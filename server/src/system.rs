//! `GET /system/info`: what a client needs to know about the server it
//! talks to: its version, clock and time zone (to show fire times as the
//! scheduler reads them), and which optional features are on.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::ids::now_ms;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Offset, TimeZone};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_schedule::Tz;

/// The server, as a client sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    /// The server's version.
    pub version: &'static str,
    /// The server's clock, Unix milliseconds: compare with the client's to
    /// see a skew.
    pub server_time: i64,
    /// The IANA time zone of jobs that name none: the configured
    /// `time_zone`, else the machine's.
    pub time_zone: String,
    /// That zone's offset from UTC now, in minutes (east positive: 480 in
    /// `Asia/Shanghai`).
    pub utc_offset_minutes: i32,
    /// Whether containers may be built from git.
    pub builds_enabled: bool,
    /// Where component artifacts are kept (a directory, a bucket or
    /// memory), without credentials.
    pub artifact_store: String,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(system_info))
}

/// The server's version, clock, time zone and optional features.
#[utoipa::path(get, path = "/system/info", tag = "system",
    responses((status = 200, body = SystemInfo)))]
async fn system_info(State(state): State<AppState>, _caller: Principal) -> ApiResult<Json<SystemInfo>> {
    let tz = crate::scheduler::triggers::server_time_zone(&state);
    let now = now_ms() as i64;
    Ok(Json(SystemInfo {
        version: env!("CARGO_PKG_VERSION"),
        server_time: now,
        time_zone: tz.name().to_string(),
        utc_offset_minutes: utc_offset_minutes(tz, now),
        builds_enabled: state.builds.config().enabled,
        artifact_store: state.artifacts.describe().to_string(),
    }))
}

/// The offset of `tz` from UTC at `at_ms`, in minutes (0 for an instant
/// chrono cannot represent).
pub fn utc_offset_minutes(tz: Tz, at_ms: i64) -> i32 {
    DateTime::from_timestamp_millis(at_ms)
        .map_or(0, |utc| tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc() / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_zone_and_its_summer_time() {
        // 2026-01-15T12:00:00Z and 2026-07-15T12:00:00Z.
        let (winter, summer) = (1_768_478_400_000, 1_784_116_800_000);
        assert_eq!(utc_offset_minutes(Tz::Asia__Shanghai, winter), 480);
        assert_eq!(utc_offset_minutes(Tz::UTC, summer), 0);
        assert_eq!(utc_offset_minutes(Tz::America__New_York, winter), -300);
        assert_eq!(utc_offset_minutes(Tz::America__New_York, summer), -240);
        assert_eq!(utc_offset_minutes(Tz::Asia__Kolkata, summer), 330);
        assert_eq!(utc_offset_minutes(Tz::UTC, i64::MAX), 0);
    }
}
