//! Workers: the link they open to the server (`link`, a WebSocket that
//! speaks `wasmjob-wire`), the registry of connected workers (`registry`),
//! their rows in the database for every server and the API to see (`store`,
//! `routes`), the choice of a worker for an instance (`select`), and the
//! closing of links whose token was revoked or expired (`revocation`).

pub mod link;
pub mod registry;
pub mod revocation;
mod routes;
pub mod select;
pub mod store;

pub use registry::{Assignment, ConnectedWorker, WorkerRegistry};
pub(crate) use routes::router;
