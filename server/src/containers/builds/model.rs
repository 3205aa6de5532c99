//! Git sources and builds as the API takes and shows them. A source's
//! credentials go in and never come out: responses say only which kind is
//! stored and for which user.

use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What `name` a `COMMIT` reference may be (what the server's check of a
/// reference takes, around any spaces it trims): 7 to 40 hex digits.
pub const COMMIT_NAME_PATTERN: &str = r"^\s*[0-9A-Fa-f]{7,40}\s*$";

/// What `name` a `BRANCH` or `TAG` reference may be: 1 to 255 characters
/// once trimmed, none of them a space, a control character or one of
/// `~^:?*[\`; not starting with `-`, not ending with `/` or `.lock`, no
/// `..` anywhere.
pub const BRANCH_NAME_PATTERN: &str =
    r"^\s*(?!-)(?!.*\.\.)(?!.*/\s*$)(?!.*\.lock\s*$)[^\s\x00-\x1f\x7f-\x9f~^:?*\[\\]{1,255}\s*$";

/// Which revision of the repository a build takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitRef {
    /// `BRANCH`, `TAG` or `COMMIT`.
    pub kind: RefKind,
    /// The branch or tag name, or a full 40-hex-digit commit id.
    pub name: String,
}

/// The kinds of [`GitRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefKind {
    /// The branch's newest commit when the build starts.
    Branch,
    /// The commit a tag names.
    Tag,
    /// One commit.
    Commit,
}

impl RefKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "BRANCH",
            RefKind::Tag => "TAG",
            RefKind::Commit => "COMMIT",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "BRANCH" => Some(RefKind::Branch),
            "TAG" => Some(RefKind::Tag),
            "COMMIT" => Some(RefKind::Commit),
            _ => None,
        }
    }
}

/// How the component is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Builder {
    /// `cargo-component` when the crate's `Cargo.toml` has a
    /// `[package.metadata.component]` table, plain cargo otherwise.
    #[default]
    Auto,
    /// `cargo build --release --target wasm32-wasip2`.
    Cargo,
    /// `cargo component build --release`.
    CargoComponent,
}

impl Builder {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Builder::Auto => "auto",
            Builder::Cargo => "cargo",
            Builder::CargoComponent => "cargo-component",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(Builder::Auto),
            "cargo" => Some(Builder::Cargo),
            "cargo-component" => Some(Builder::CargoComponent),
            _ => None,
        }
    }
}

/// Credentials for the repository, as given: they are sealed at once.
#[derive(Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum Credentials {
    /// An https user and password or access token.
    #[serde(rename_all = "camelCase")]
    Password {
        /// The user name (for a token, often anything non-empty).
        username: String,
        /// The password or token.
        password: String,
    },
    /// An ssh private key (OpenSSH or PEM text).
    #[serde(rename_all = "camelCase")]
    SshKey {
        /// The ssh user; default `git`.
        #[serde(default)]
        username: Option<String>,
        /// The private key's text.
        private_key: String,
        /// Its passphrase, if it has one.
        #[serde(default)]
        passphrase: Option<String>,
    },
}

impl Credentials {
    /// The stored kind: `PASSWORD` or `SSH_KEY`.
    pub fn kind(&self) -> &'static str {
        match self {
            Credentials::Password { .. } => "PASSWORD",
            Credentials::SshKey { .. } => "SSH_KEY",
        }
    }

    /// The user name they log in as.
    pub fn username(&self) -> &str {
        match self {
            Credentials::Password { username, .. } => username,
            Credentials::SshKey { username, .. } => username.as_deref().unwrap_or("git"),
        }
    }
}

/// Never print a secret.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("kind", &self.kind()).field("username", &self.username()).finish()
    }
}

/// The body of `PUT …/source`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitSourceInput {
    /// `https://…`, `ssh://…`, `user@host:path` or `file://…` (only where the
    /// server allows local repositories).
    #[schema(min_length = 1, max_length = 2048, pattern = r"\S")]
    pub url: String,
    /// What to build; default: the branch `main`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub reference: Option<GitRef>,
    /// The crate's directory inside the repository; default: its root.
    #[serde(default)]
    #[schema(nullable = false)]
    pub path: Option<String>,
    /// How to build it; default `auto`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub builder: Option<Builder>,
    /// Credentials; absent: keep the stored ones if the URL is unchanged
    /// (a new URL never receives the old URL's credentials).
    #[serde(default)]
    #[schema(nullable = false)]
    pub credentials: Option<Credentials>,
    /// `true`: remove the stored credentials.
    #[serde(default)]
    pub clear_credentials: bool,
}

/// What the API shows of stored credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsInfo {
    /// `PASSWORD` or `SSH_KEY`.
    pub kind: String,
    /// The user they log in as.
    pub username: String,
}

/// A container's git source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitSource {
    /// The repository.
    pub url: String,
    /// What builds take by default.
    pub reference: GitRef,
    /// The crate's directory in the repository (empty: its root).
    pub path: String,
    /// How it is built.
    pub builder: Builder,
    /// Which credentials are stored (never their secret).
    pub credentials: Option<CredentialsInfo>,
    /// Who set it.
    pub updated_by: String,
    /// When, Unix milliseconds.
    pub updated_at: i64,
}

/// The body of `POST …/builds`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildRequest {
    /// Build this revision instead of the source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reference: Option<GitRef>,
    /// Deploy the version when it is built (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub deploy: Option<bool>,
}

/// Where a build stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BuildStatus {
    /// Waiting for a free builder.
    Queued,
    /// Cloning, compiling or storing.
    Running,
    /// A version holds the result.
    Succeeded,
    /// Nothing was stored; the log and message say why.
    Failed,
}

impl BuildStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Queued => "QUEUED",
            BuildStatus::Running => "RUNNING",
            BuildStatus::Succeeded => "SUCCEEDED",
            BuildStatus::Failed => "FAILED",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Self {
        match text {
            "QUEUED" => BuildStatus::Queued,
            "RUNNING" => BuildStatus::Running,
            "SUCCEEDED" => BuildStatus::Succeeded,
            _ => BuildStatus::Failed,
        }
    }

    /// Whether the build has ended.
    pub fn is_final(self) -> bool {
        matches!(self, BuildStatus::Succeeded | BuildStatus::Failed)
    }
}

/// One build of a container's git source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The container's name.
    pub container: String,
    /// Where it stands.
    pub status: BuildStatus,
    /// The repository (as configured when the build was asked for).
    pub url: String,
    /// The revision asked for.
    pub reference: GitRef,
    /// Whether the version is deployed when built.
    pub deploy: bool,
    /// The commit it built, once cloned.
    pub commit: Option<String>,
    /// The version it made (its label is the commit id).
    #[schema(value_type = Option<String>)]
    pub version_id: Option<Id>,
    /// Its label.
    pub label: Option<String>,
    /// Why it failed, or what it made.
    pub message: Option<String>,
    /// Who asked for it.
    pub created_by: String,
    /// When, Unix milliseconds.
    pub created_at: i64,
    /// When it started, Unix milliseconds.
    pub started_at: Option<i64>,
    /// When it ended, Unix milliseconds.
    pub finished_at: Option<i64>,
}

/// One line of a build's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BuildLogLine {
    /// Position in the log; pass the last one as `after` to read on.
    pub seq: i64,
    /// When, Unix milliseconds.
    pub time: i64,
    /// `stdout`, `stderr` or `build` (the server's own notes).
    pub stream: String,
    /// The text.
    pub line: String,
}

/// A page of a build's log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BuildLogPage {
    /// The lines, oldest first.
    pub lines: Vec<BuildLogLine>,
    /// Pass as `after` to get the lines that follow.
    pub next: i64,
    /// Where the build stands now: once it has ended and `lines` is empty,
    /// the log is complete.
    pub status: BuildStatus,
}
