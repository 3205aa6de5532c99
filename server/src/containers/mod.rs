//! Containers: an app's named processors, each a list of content-addressed
//! versions (PowerJob's containers, with WebAssembly components instead of
//! jars).
//!
//! - [`ArtifactStore`] (`artifacts`) keeps component bytes under their
//!   sha256 in an `object_store` (a local directory today), and holds the
//!   [`Inspector`] (`inspect`) that validates an upload with the worker's
//!   own runtime before anything is stored.
//! - `model` is the JSON of containers and versions and the name rules,
//!   `store` their SQL, `routes` the upload, listing and artifact download.
//! - [`resolve`] turns a job's `processorInfo` (`container` or
//!   `container@label`) into the artifact a worker must run.

mod artifacts;
mod inspect;
pub mod model;
mod resolve;
mod routes;
mod store;

pub use artifacts::{ArtifactError, ArtifactStore, is_digest};
pub use inspect::{InspectError, Inspector};
pub use resolve::{ResolvedArtifact, resolve};

pub(crate) use routes::router;
