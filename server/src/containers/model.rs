//! Containers and their versions as the API shows them, and the rule
//! their names and labels follow.

use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One uploaded component of a container.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerVersion {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The container's name.
    pub container: String,
    /// Unique within the container: chosen at upload, else the first 12
    /// hex digits of the digest. Jobs name it as `container@label`.
    pub label: String,
    /// sha256 of the component, 64 lowercase hex digits: its artifact is
    /// `GET /artifacts/{digest}`.
    pub digest: String,
    /// Size of the component in bytes.
    pub size_bytes: i64,
    /// The processor worlds it satisfies (`basic`, `broadcast`, `map`,
    /// `map-reduce`).
    pub worlds: Vec<String>,
    /// What it imports.
    pub imports: Vec<String>,
    /// Where it came from: `{"type": "UPLOAD"}`.
    #[schema(value_type = Object)]
    pub source: serde_json::Value,
    /// Who uploaded it: a user's name or `app:<id>`.
    pub created_by: String,
    /// Upload time, Unix milliseconds.
    pub created_at: i64,
    /// Whether it is the version jobs naming just the container run.
    pub deployed: bool,
    /// Addresses of the live workers that hold it downloaded and
    /// compiled (they reported it READY); filled in the container's detail.
    #[serde(default)]
    pub workers: Vec<String>,
}

/// A container, with the version that is deployed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The app it belongs to.
    #[schema(value_type = String)]
    pub app_id: Id,
    /// Unique within the app: 1 to 128 letters, digits, `.`, `_` or `-`.
    pub name: String,
    /// The deployed version, if any.
    #[schema(value_type = Option<String>)]
    pub deployed_version_id: Option<Id>,
    /// Its label.
    pub deployed_label: Option<String>,
    /// Its digest.
    pub deployed_digest: Option<String>,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last change (an upload, a deployment), Unix milliseconds.
    pub updated_at: i64,
}

/// A container with all its versions, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDetail {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The app it belongs to.
    #[schema(value_type = String)]
    pub app_id: Id,
    /// Its name.
    pub name: String,
    /// The deployed version, if any.
    #[schema(value_type = Option<String>)]
    pub deployed_version_id: Option<Id>,
    /// Its label.
    pub deployed_label: Option<String>,
    /// Its digest.
    pub deployed_digest: Option<String>,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last change, Unix milliseconds.
    pub updated_at: i64,
    /// Every version, newest first.
    pub versions: Vec<ContainerVersion>,
    /// The deployment in force: which version, when, by whom.
    pub deployment: Option<super::deploy::Deployment>,
    /// Past deployments, newest first (the last 50; all of them at
    /// `GET …/deployments`).
    pub deployments: Vec<super::deploy::Deployment>,
    /// Every live worker that may run the container's jobs, and whether the
    /// deployed version reached it.
    pub workers: Vec<super::rollout::WorkerDeployStatus>,
}

/// Checks a container name or a version label: 1 to 128 letters, digits,
/// `.`, `_` or `-` (the rule jobs' `processorInfo` follows), but not `.`
/// or `..`: in a URL or a path those name the directory itself or its
/// parent (`/apps/1/containers/..` is `/apps/1` to every client).
pub fn check_name(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 128 {
        return Err("must be 1 to 128 characters".into());
    }
    if let Some(bad) = text.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(format!("`{bad}` is not allowed: use letters, digits, `.`, `_` or `-`"));
    }
    if text == "." || text == ".." {
        return Err(format!("`{text}` is not allowed: it names a directory in a path or URL; add a letter or digit"));
    }
    Ok(())
}

/// Names no container may take: they are paths of their own under
/// `/apps/{id}/containers/`.
pub const RESERVED_CONTAINER_NAMES: [&str; 1] = ["inspect"];

/// Checks the name of a new container: [`check_name`], and none of the
/// [`RESERVED_CONTAINER_NAMES`].
pub fn check_container_name(text: &str) -> Result<(), String> {
    check_name(text)?;
    if RESERVED_CONTAINER_NAMES.iter().any(|reserved| reserved.eq_ignore_ascii_case(text)) {
        return Err(format!(
            "`{text}` is reserved (`POST /apps/{{id}}/containers/{text}` is an endpoint): choose another name"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_container_name, check_name};

    #[test]
    fn names_and_labels_are_checked() {
        assert!(check_name("report-exporter_v1.2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a@b").unwrap_err().contains("`@`"));
        assert!(check_name(&"a".repeat(129)).is_err());
        assert!(check_name(&"a".repeat(128)).is_ok());
        assert!(check_name(".").unwrap_err().contains("`.` is not allowed"));
        assert!(check_name("..").unwrap_err().contains("`..` is not allowed"));
        assert!(check_name("...").is_ok() && check_name(".hidden").is_ok() && check_name("v1..2").is_ok());
    }

    #[test]
    fn reserved_names_are_refused_for_containers_only() {
        assert!(check_name("inspect").is_ok(), "a label may be `inspect`");
        assert!(check_container_name("inspect").unwrap_err().contains("reserved"));
        assert!(check_container_name("Inspect").is_err());
        assert!(check_container_name("inspector").is_ok());
        assert!(check_container_name("a b").is_err());
    }
}
