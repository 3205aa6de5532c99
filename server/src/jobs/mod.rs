//! Jobs: definition with every PowerJob field (`model`), the rules it must
//! follow (`validate`), its SQL (`store`) and its routes (`routes`):
//! create, update, copy, export, import, fetch, list and query, enable,
//! disable, delete; and the preview of a time expression's fire times
//! (`preview`).

pub mod model;
pub mod preview;
mod routes;
pub mod store;
pub mod validate;

pub use routes::CopyJob;
pub(crate) use routes::router;
