//! The wasmjob server: persistence on SQLite, PostgreSQL or MySQL/MariaDB,
//! authentication, and the OpenAPI under `/api/v1`.
//!
//! [`serve`] (`server`) loads the [`ServerConfig`] (`config`), opens and
//! migrates the [`Database`] (`db`), creates the first administrator
//! (`auth`), and serves the router that `api` assembles from one module per
//! resource (`namespaces`, `apps`, `overview`, `jobs`, `instances`, `containers`, `templates`, `health`,
//! `system`, `auth::routes`), with the web console's build (`console`) at `/`. Handlers share an
//! [`AppState`] (`state`), take their caller as an [`auth::Principal`],
//! read bodies through `json::ValidJson` (field-named 4xx on bad input) and
//! fail with one [`ApiError`] (`error`) that never leaks internals. Ids come
//! from `ids` (snowflake layout, serialized as strings).
//!
//! Workers open a WebSocket (`workers::link`) and register in the
//! `workers` registry; the `scheduler` fires triggers exactly once per
//! slot, dispatches instances to workers by the job's rules, applies their
//! reports and sweeps up after lost workers.

pub mod api;
pub mod apps;
pub mod auth;
pub mod config;
pub mod console;
pub mod containers;
pub mod db;
mod docs_page;
pub mod error;
mod health;
pub mod ids;
pub mod instances;
pub mod jobs;
pub mod json;
pub mod namespaces;
mod overview;
pub mod scheduler;
mod server;
pub mod state;
pub mod system;
mod templates;
pub mod workers;

pub use config::ServerConfig;
pub use db::Database;
pub use error::ApiError;
pub use server::{Started, serve, shutdown_signal, start};
pub use state::AppState;
