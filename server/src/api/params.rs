//! The path parameters of the OpenAPI document, each described once: the
//! `#[utoipa::path]` annotations name these types in `params(...)` instead
//! of repeating a parameter's description and pattern. They only describe;
//! handlers read ids with [`IdPath`](crate::json::IdPath) and names as
//! strings checked by their own rules.

use utoipa::IntoParams;

/// Declares one `IntoParams` type per path parameter `$field` of an id
/// kind: a decimal id of at most 19 digits, what [`IdPath`](crate::json::IdPath)
/// accepts.
macro_rules! id_params {
    ($($(#[$doc:meta])* $name:ident { $field:ident: $description:literal })*) => {$(
        $(#[$doc])*
        #[derive(Debug, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            #[doc = $description]
            #[param(pattern = r"^[0-9]{1,19}$")]
            pub $field: String,
        }
    )*};
}

/// Declares one `IntoParams` type per path parameter `$field` of a name
/// kind: what [`check_name`](crate::containers::model::check_name) accepts.
macro_rules! name_params {
    ($($(#[$doc:meta])* $name:ident { $field:ident: $description:literal })*) => {$(
        $(#[$doc])*
        #[derive(Debug, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            #[doc = $description]
            #[param(pattern = r"^[A-Za-z0-9._-]{1,128}$")]
            pub $field: String,
        }
    )*};
}

id_params! {
    /// `{id}` of `/apps/{id}/...`.
    AppIdPath { id: "app id" }
    /// `{id}` of `/jobs/{id}/...`.
    JobIdPath { id: "job id" }
    /// `{id}` of `/instances/{id}/...`.
    InstanceIdPath { id: "instance id" }
    /// `{id}` of `/namespaces/{id}`.
    NamespaceIdPath { id: "namespace id" }
    /// `{build}` of `/apps/{id}/containers/{name}/builds/{build}/...`.
    BuildIdPath { build: "build id" }
}

name_params! {
    /// `{name}` of `/apps/{id}/containers/{name}/...`.
    ContainerNamePath { name: "container name" }
    /// `{label}` of `/apps/{id}/containers/{name}/versions/{label}`.
    VersionLabelPath { label: "version label" }
}
