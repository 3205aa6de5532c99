//! Which object store keeps component artifacts: the `[artifact_store]`
//! table of the server configuration. `kind` picks the backend — `local`
//! (a directory under the data directory, the default), `s3` (any
//! S3-compatible endpoint: AWS S3, MinIO, Aliyun OSS through its S3 API…)
//! or `memory` (for tests) — and `[artifact_store.s3]` holds the S3
//! settings. Environment variables reach the nested keys with `__`:
//! `WASMJOB_ARTIFACT_STORE__KIND=s3`,
//! `WASMJOB_ARTIFACT_STORE__S3__SECRET_ACCESS_KEY=…`. The `Debug` output
//! never shows the secret access key or the session token.

use super::ArtifactError;
use figment::providers::Env;
use serde::{Deserialize, Serialize};

/// The backend of the artifact store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactStoreKind {
    /// Files under `<data_dir>/artifacts`.
    #[default]
    Local,
    /// An S3-compatible bucket, configured by [`S3StoreConfig`].
    S3,
    /// Memory of the server process: lost at exit (tests only).
    Memory,
}

/// The `[artifact_store]` table: the backend and its settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArtifactStoreConfig {
    /// Which backend keeps the artifacts.
    pub kind: ArtifactStoreKind,
    /// Settings of the `s3` backend (ignored by the others).
    pub s3: S3StoreConfig,
}

/// The `[artifact_store.s3]` table: where and how to reach the bucket.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3StoreConfig {
    /// `https://host[:port]` of the S3 API; absent for AWS S3, whose
    /// endpoint follows from the region. With `virtual_hosted_style` the
    /// bucket is put in front of the host (`https://s3.oss-cn-hangzhou.aliyuncs.com`
    /// is reached as `https://BUCKET.s3.oss-cn-hangzhou.aliyuncs.com`).
    pub endpoint: Option<String>,
    /// The bucket, which must exist.
    pub bucket: String,
    /// The region the requests are signed for (`us-east-1` by default;
    /// MinIO and s3s accept any).
    pub region: String,
    /// Access key id; with neither key set, the credentials come from the
    /// instance metadata service (an EC2 instance role).
    pub access_key_id: Option<String>,
    /// Secret access key: never logged, redacted from `Debug`.
    pub secret_access_key: Option<String>,
    /// Session token of temporary credentials: never logged either.
    pub session_token: Option<String>,
    /// Artifacts live under this key prefix (`wasmjob/prod` gives
    /// `wasmjob/prod/sha256/<digest>.wasm`); empty for the bucket's root.
    pub prefix: String,
    /// Allow a plain `http://` endpoint (a MinIO or test server on a
    /// trusted network).
    pub allow_http: bool,
    /// Address the bucket as a host name (`BUCKET.endpoint`) instead of a
    /// path (`endpoint/BUCKET`): AWS and Aliyun OSS want it; MinIO and
    /// most self-hosted servers use paths (the default).
    pub virtual_hosted_style: bool,
}

impl Default for S3StoreConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            bucket: String::new(),
            region: "us-east-1".to_string(),
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            prefix: String::new(),
            allow_http: false,
            virtual_hosted_style: false,
        }
    }
}

/// The secrets show as `<set>`, never as themselves.
impl std::fmt::Debug for S3StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |secret: &Option<String>| secret.as_ref().map(|_| "<set>");
        f.debug_struct("S3StoreConfig")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &set(&self.secret_access_key))
            .field("session_token", &set(&self.session_token))
            .field("prefix", &self.prefix)
            .field("allow_http", &self.allow_http)
            .field("virtual_hosted_style", &self.virtual_hosted_style)
            .finish()
    }
}

impl ArtifactStoreConfig {
    /// The `WASMJOB_ARTIFACT_STORE__*` variables, nested at `__`
    /// (`WASMJOB_ARTIFACT_STORE__S3__BUCKET` sets `artifact_store.s3.bucket`).
    pub fn env() -> Env {
        Env::prefixed("WASMJOB_ARTIFACT_STORE__").split("__").map(|key| format!("artifact_store.{key}").into())
    }

    /// Checks the settings of the chosen backend.
    pub fn validate(&self) -> Result<(), ArtifactError> {
        match self.kind {
            ArtifactStoreKind::S3 => self.s3.validate(),
            ArtifactStoreKind::Local | ArtifactStoreKind::Memory => Ok(()),
        }
    }
}

impl S3StoreConfig {
    fn validate(&self) -> Result<(), ArtifactError> {
        let refuse = |why: &str| Err(ArtifactError::Config(why.to_string()));
        if self.bucket.trim().is_empty() {
            return refuse("artifact_store.s3.bucket is required when artifact_store.kind is s3");
        }
        if self.region.trim().is_empty() {
            return refuse("artifact_store.s3.region must not be empty");
        }
        if let Some(endpoint) = &self.endpoint {
            if endpoint.starts_with("http://") {
                if !self.allow_http {
                    return refuse("artifact_store.s3.endpoint is plain http: set artifact_store.s3.allow_http = true");
                }
            } else if !endpoint.starts_with("https://") {
                return refuse("artifact_store.s3.endpoint must start with https:// or http://");
            }
        }
        if self.access_key_id.is_some() != self.secret_access_key.is_some() {
            return refuse("artifact_store.s3.access_key_id and secret_access_key must be set together");
        }
        Ok(())
    }

    /// The key prefix without leading or trailing `/`.
    pub fn normalized_prefix(&self) -> &str {
        self.prefix.trim_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> S3StoreConfig {
        S3StoreConfig {
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "artifacts".into(),
            access_key_id: Some("id".into()),
            secret_access_key: Some("very-secret".into()),
            session_token: Some("token-secret".into()),
            allow_http: true,
            ..S3StoreConfig::default()
        }
    }

    #[test]
    fn debug_hides_the_secrets() {
        let text = format!("{:?}", ArtifactStoreConfig { kind: ArtifactStoreKind::S3, s3: s3() });
        assert!(!text.contains("very-secret") && !text.contains("token-secret"), "{text}");
        assert!(text.contains("artifacts") && text.contains("<set>"), "{text}");
    }

    #[test]
    fn s3_settings_are_checked() {
        let with = |change: fn(&mut S3StoreConfig)| {
            let mut s3 = s3();
            change(&mut s3);
            ArtifactStoreConfig { kind: ArtifactStoreKind::S3, s3 }.validate()
        };
        assert!(with(|_| {}).is_ok());
        assert!(with(|s| s.bucket.clear()).unwrap_err().to_string().contains("bucket"));
        assert!(with(|s| s.allow_http = false).unwrap_err().to_string().contains("allow_http"));
        assert!(with(|s| s.endpoint = Some("ftp://x".into())).unwrap_err().to_string().contains("https://"));
        assert!(with(|s| s.secret_access_key = None).unwrap_err().to_string().contains("together"));
        let local = ArtifactStoreConfig { kind: ArtifactStoreKind::Local, s3: S3StoreConfig::default() };
        assert!(local.validate().is_ok(), "the s3 table is ignored by other backends");
    }

    #[test]
    fn the_toml_file_chooses_the_backend_and_flags_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wasmjob.toml");
        let toml = "[artifact_store]\nkind = \"s3\"\n[artifact_store.s3]\nendpoint = \"https://s3.oss-cn-hangzhou.aliyuncs.com\"\nbucket = \"from-file\"\naccess_key_id = \"id\"\nsecret_access_key = \"key\"\n";
        std::fs::write(&file, toml).unwrap();
        let flags = serde_json::json!({"artifact_store": {"s3": {"bucket": "from-flag"}}});
        let config = crate::ServerConfig::load(Some(&file), &flags).unwrap();
        assert_eq!(config.artifact_store.kind, ArtifactStoreKind::S3);
        assert_eq!(config.artifact_store.s3.bucket, "from-flag");
        assert_eq!(config.artifact_store.s3.secret_access_key.as_deref(), Some("key"));
        assert_eq!(config.artifact_store.s3.region, "us-east-1", "defaults fill the rest");
        let text = format!("{config:?}");
        assert!(!text.contains("\"key\""), "{text}");

        std::fs::write(&file, "[artifact_store]\nkind = \"s3\"\n").unwrap();
        let err = crate::ServerConfig::load(Some(&file), &serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("bucket"), "{err}");
        std::fs::write(&file, "[artifact_store]\nkind = \"ftp\"\n").unwrap();
        assert!(crate::ServerConfig::load(Some(&file), &serde_json::json!({})).is_err());
    }

    #[test]
    fn prefixes_lose_their_slashes() {
        let s3 = S3StoreConfig { prefix: "/wasmjob/prod/".into(), ..S3StoreConfig::default() };
        assert_eq!(s3.normalized_prefix(), "wasmjob/prod");
    }
}
