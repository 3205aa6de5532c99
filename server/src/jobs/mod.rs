//! Jobs: definition with every PowerJob field (`model`), the rules it must
//! follow (`validate`), its SQL (`store`) and its routes (`routes`):
//! create, update, copy, export, import, fetch, list and query, enable,
//! disable, delete.

pub mod model;
mod routes;
pub mod store;
pub mod validate;

pub(crate) use routes::router;
