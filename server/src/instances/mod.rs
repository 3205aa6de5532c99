//! Job instances — one run of a job — with PowerJob's statuses and times
//! (`model`, `store`), the run/stop/cancel/retry/detail/list routes
//! (`routes`) and the online log (`logs`). Status changes are conditional
//! updates, so two servers acting on one instance cannot both win.

pub mod logs;
pub mod model;
mod routes;
pub mod store;

pub use routes::{RunJob, StatusReply};

pub(crate) fn router() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    routes::router().merge(logs::router())
}
