//! The path parameters of the OpenAPI document, each described once: the
//! `#[utoipa::path]` annotations name these types in `params(...)` instead
//! of repeating a parameter's description and pattern; and [`DecimalId`],
//! the schema of every id sent as a string. They only describe; handlers
//! read ids with [`IdPath`](crate::json::IdPath) and names as strings
//! checked by their own rules.

use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// What an id parses from ([`Id`](crate::ids::Id)'s `FromStr`, a
/// non-negative `i64`): decimal digits for 0 to 9223372036854775807.
pub const ID_PATTERN: &str = "^([0-9]{1,18}|[0-8][0-9]{18}|9[0-1][0-9]{17}|92[0-1][0-9]{16}|922[0-2][0-9]{15}|9223[0-2][0-9]{14}|92233[0-6][0-9]{13}|922337[0-1][0-9]{12}|92233720[0-2][0-9]{10}|922337203[0-5][0-9]{9}|9223372036[0-7][0-9]{8}|92233720368[0-4][0-9]{7}|922337203685[0-3][0-9]{6}|9223372036854[0-6][0-9]{5}|92233720368547[0-6][0-9]{4}|922337203685477[0-4][0-9]{3}|9223372036854775[0-7][0-9]{2}|922337203685477580[0-6]|9223372036854775807)$";

/// What a container name or a version label may be
/// ([`check_name`](crate::containers::model::check_name)): 1 to 128
/// letters, digits, `.`, `_` or `-`, but not `.` or `..`.
pub const NAME_PATTERN: &str = r"^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$";

/// Declares a string schema, a component of the document named as the
/// type, with a pattern.
macro_rules! string_schemas {
    ($($(#[$doc:meta])* $name:ident = $pattern:expr, $description:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some($pattern))
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )*};
}

string_schemas! {
    /// The schema of an id sent as a string (a path parameter, a query
    /// parameter, a field of a body).
    DecimalId = ID_PATTERN, "An id: a decimal number from 0 to 9223372036854775807, as a string.";
    /// The schema of a container name or a version label.
    ContainerName = NAME_PATTERN, "1 to 128 letters, digits, `.`, `_` or `-`, but not `.` or `..`.";
}

/// Declares one `IntoParams` type per path parameter `$field` of an id
/// kind: a [`DecimalId`], what [`IdPath`](crate::json::IdPath) accepts.
macro_rules! id_params {
    ($($(#[$doc:meta])* $name:ident { $field:ident: $description:literal })*) => {$(
        $(#[$doc])*
        #[derive(Debug, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            #[doc = $description]
            #[param(value_type = DecimalId)]
            pub $field: String,
        }
    )*};
}

/// Declares one `IntoParams` type per path parameter `$field` of a name
/// kind: a [`ContainerName`].
macro_rules! name_params {
    ($($(#[$doc:meta])* $name:ident { $field:ident: $description:literal })*) => {$(
        $(#[$doc])*
        #[derive(Debug, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            #[doc = $description]
            #[param(value_type = ContainerName)]
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

#[cfg(test)]
mod tests {
    use super::ID_PATTERN;

    /// The pattern matches exactly the strings an id parses from (but a
    /// sign or leading zeros beyond 19 digits, which no client sends).
    #[test]
    fn the_id_pattern_is_what_an_id_parses_from() {
        let pattern = regex::Regex::new(ID_PATTERN).unwrap();
        let max = i64::MAX as u64;
        let mut samples = vec![0, 1, 9, 10, 999_999_999_999_999_999, 1_000_000_000_000_000_000, max, max + 1, u64::MAX];
        // Every number next to a prefix of i64::MAX, where the pattern branches.
        for digits in 1..=19 {
            let prefix = max / 10u64.pow(19 - digits);
            for delta in [-1i64, 0, 1] {
                let n = (prefix as i64).saturating_add(delta).max(0) as u64;
                samples.push(n * 10u64.pow(19 - digits));
                samples.push((n * 10u64.pow(19 - digits)).saturating_add(10u64.pow(19 - digits) - 1));
            }
        }
        for n in samples {
            let text = n.to_string();
            assert_eq!(pattern.is_match(&text), text.parse::<crate::ids::Id>().is_ok(), "{text}");
        }
        for text in ["", "-1", "1a", " 1", "12345678901234567890"] {
            assert!(!pattern.is_match(text), "{text}");
        }
    }
}
