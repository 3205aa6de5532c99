//! Turns an [`ArtifactStoreConfig`] into the `object_store` it names, with
//! a one-line description of where the artifacts go (no secrets in it).

use super::ArtifactError;
use super::config::{ArtifactStoreConfig, ArtifactStoreKind, S3StoreConfig};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::prefix::PrefixStore;
use std::path::Path;
use std::sync::Arc;

/// An opened backend and what to call it in logs.
pub(super) struct Backend {
    /// The store.
    pub store: Arc<dyn ObjectStore>,
    /// E.g. `s3://bucket/prefix at http://127.0.0.1:8014`.
    pub description: String,
}

/// Opens the backend `config` names; a local directory is `dir` (created).
pub(super) fn open(config: &ArtifactStoreConfig, dir: &Path) -> Result<Backend, ArtifactError> {
    config.validate()?;
    match config.kind {
        ArtifactStoreKind::Local => local(dir),
        ArtifactStoreKind::Memory => Ok(memory()),
        ArtifactStoreKind::S3 => s3(&config.s3),
    }
}

/// Files in `dir`, created if missing.
pub(super) fn local(dir: &Path) -> Result<Backend, ArtifactError> {
    // Private (0700): files inside keep the umask's modes.
    wasmjob_runtime::private::create_dir(dir)
        .map_err(|source| ArtifactError::Directory { path: dir.to_path_buf(), source })?;
    let store = LocalFileSystem::new_with_prefix(dir)?;
    Ok(Backend { store: Arc::new(store), description: format!("local directory {}", dir.display()) })
}

/// The memory of this process.
pub(super) fn memory() -> Backend {
    Backend { store: Arc::new(InMemory::new()), description: "in memory".to_string() }
}

/// An S3-compatible bucket. Opening sends no request: a wrong endpoint or
/// key shows at the first read or write.
fn s3(config: &S3StoreConfig) -> Result<Backend, ArtifactError> {
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&config.bucket)
        .with_region(&config.region)
        .with_allow_http(config.allow_http)
        .with_virtual_hosted_style_request(config.virtual_hosted_style);
    if let Some(endpoint) = &config.endpoint {
        builder = builder.with_endpoint(endpoint_for(endpoint, &config.bucket, config.virtual_hosted_style));
    }
    if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
        builder = builder.with_access_key_id(id).with_secret_access_key(secret);
    }
    if let Some(token) = &config.session_token {
        builder = builder.with_token(token);
    }
    let s3: Arc<dyn ObjectStore> = Arc::new(builder.build()?);
    let prefix = config.normalized_prefix();
    let endpoint = config.endpoint.clone().unwrap_or_else(|| format!("AWS region {}", config.region));
    let (store, location) = if prefix.is_empty() {
        (s3, config.bucket.clone())
    } else {
        (Arc::new(PrefixStore::new(s3, prefix)) as Arc<dyn ObjectStore>, format!("{}/{prefix}", config.bucket))
    };
    Ok(Backend { store, description: format!("s3://{location} at {endpoint}") })
}

/// The endpoint object_store is given: with virtual-hosted-style requests
/// it must name the bucket's host, so `https://s3.oss-cn-hangzhou.aliyuncs.com`
/// becomes `https://BUCKET.s3.oss-cn-hangzhou.aliyuncs.com` (an endpoint that
/// already starts with the bucket stays as it is).
fn endpoint_for(endpoint: &str, bucket: &str, virtual_hosted: bool) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    match endpoint.split_once("://") {
        Some((scheme, host)) if virtual_hosted && !host.starts_with(&format!("{bucket}.")) => {
            format!("{scheme}://{bucket}.{host}")
        }
        _ => endpoint.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_hosted_endpoints_name_the_bucket() {
        let oss = "https://s3.oss-cn-hangzhou.aliyuncs.com";
        assert_eq!(endpoint_for(oss, "jobs", true), "https://jobs.s3.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(
            endpoint_for("https://jobs.s3.oss-cn-hangzhou.aliyuncs.com/", "jobs", true),
            "https://jobs.s3.oss-cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(endpoint_for("http://127.0.0.1:9000/", "jobs", false), "http://127.0.0.1:9000");
    }

    #[test]
    fn descriptions_name_bucket_prefix_and_endpoint_but_no_secret() {
        let config = S3StoreConfig {
            endpoint: Some("http://127.0.0.1:8014".into()),
            bucket: "artifacts".into(),
            access_key_id: Some("id".into()),
            secret_access_key: Some("hidden-secret".into()),
            prefix: "/a/b/".into(),
            allow_http: true,
            ..S3StoreConfig::default()
        };
        assert_eq!(s3(&config).unwrap().description, "s3://artifacts/a/b at http://127.0.0.1:8014");
        let aws = S3StoreConfig { bucket: "artifacts".into(), region: "eu-west-1".into(), ..S3StoreConfig::default() };
        assert_eq!(s3(&aws).unwrap().description, "s3://artifacts at AWS region eu-west-1");
    }
}
