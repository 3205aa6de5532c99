//! Containers: an app's named processors, each a list of content-addressed
//! versions (PowerJob's containers, with WebAssembly components instead of
//! jars).
//!
//! - [`ArtifactStore`] (`artifacts`) keeps component bytes under their
//!   sha256 in an `object_store` (a local directory, an S3-compatible
//!   bucket or memory, per [`ArtifactStoreConfig`]), and holds the
//!   [`Inspector`] (`inspect`) that validates an upload with the worker's
//!   own runtime before anything is stored.
//! - `model` is the JSON of containers and versions and the name rules,
//!   `store` their SQL, `routes` the upload, listing and artifact download;
//!   `inspection` checks a component as an upload would, storing nothing.
//! - [`builds`] makes versions from a container's git source: clone,
//!   compile in a child process, validate and publish like an upload.
//! - [`resolve`] turns a job's `processorInfo` (`container` or
//!   `container@label`) into the artifact a worker must run.
//! - `deploy` makes a version the deployed one (rollback included) and
//!   keeps the history; `rollout` tells the workers to prefetch it and
//!   keeps what they report; `delete` removes versions and containers no
//!   enabled job names; `retention` prunes old versions after each new one.

mod artifacts;
pub mod builds;
mod delete;
pub mod deploy;
mod inspect;
mod inspection;
pub mod model;
mod resolve;
mod retention;
pub mod rollout;
mod routes;
pub(crate) mod store;

pub use artifacts::config::{ArtifactStoreConfig, ArtifactStoreKind, S3StoreConfig};
pub use artifacts::{ArtifactError, ArtifactStore, is_digest};
pub use builds::{BuildConfig, Builds};
pub use inspect::{InspectError, Inspector};
pub use resolve::{ResolvedArtifact, resolve};

pub(crate) use delete::{app_digests, remove_unreferenced};
pub(crate) use routes::router;
