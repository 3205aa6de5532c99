//! The artifact-store flags of `wasmjob server` and `wasmjob standalone`:
//! the backend and where its bucket is. They serialize as the
//! `artifact_store` table of the server configuration, so a flag overrides
//! the TOML file and `WASMJOB_ARTIFACT_STORE__*` variables key by key.
//! The keys are only read from the file or the environment: a flag would
//! show them in the process list.

use clap::Args;
use serde::Serialize;

/// The artifact-store flags; only those given are serialized.
#[derive(Args, Debug, Default, Serialize)]
pub struct ArtifactStoreArgs {
    /// Where component artifacts are kept: local (default, under the data
    /// directory), s3 (any S3-compatible bucket) or memory (lost at exit).
    #[arg(long = "artifact-store", value_name = "KIND", value_parser = ["local", "s3", "memory"])]
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    /// The bucket's settings.
    #[command(flatten)]
    s3: S3Args,
}

/// The `artifact_store.s3` flags.
#[derive(Args, Debug, Default, Serialize)]
struct S3Args {
    /// S3 endpoint URL, e.g. http://127.0.0.1:9000 (MinIO) or
    /// https://s3.oss-cn-hangzhou.aliyuncs.com; default: AWS S3 of the region.
    #[arg(long = "s3-endpoint", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    /// S3 bucket of the artifacts.
    #[arg(long = "s3-bucket", value_name = "NAME")]
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket: Option<String>,
    /// Region the S3 requests are signed for (default us-east-1).
    #[arg(long = "s3-region", value_name = "REGION")]
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    /// Key prefix of the artifacts in the bucket.
    #[arg(long = "s3-prefix", value_name = "PREFIX")]
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_flags_are_serialized_under_the_nested_keys() {
        assert_eq!(serde_json::to_value(ArtifactStoreArgs::default()).unwrap(), serde_json::json!({"s3": {}}));
        let args =
            ArtifactStoreArgs { kind: Some("s3".into()), s3: S3Args { bucket: Some("b".into()), ..S3Args::default() } };
        assert_eq!(serde_json::to_value(args).unwrap(), serde_json::json!({"kind": "s3", "s3": {"bucket": "b"}}));
    }
}
