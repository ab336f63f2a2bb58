//! Where client files are stored: the local data directory, or an S3-compatible bucket.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use url::Url;

use super::env::Env;
use super::urls::redact_url;

/// Where client files are stored.
#[derive(Clone)]
pub enum FileStorage {
    /// A local directory (default `<AOS_DATA_DIR>/files`).
    Local(PathBuf),
    /// An S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, ...).
    S3(S3Settings),
}

/// An S3-compatible bucket; `Debug` never prints the secret key.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// `None`: AWS S3 of `region`. Set for any other S3-compatible service (path-style requests).
    pub endpoint: Option<Url>,
    pub region: String,
    /// Both set, or both unset to use the instance's credentials (instance metadata / ECS task role).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

impl fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileStorage::Local(dir) => write!(f, "Local({})", dir.display()),
            FileStorage::S3(s) => f
                .debug_struct("S3")
                .field("bucket", &s.bucket)
                .field("endpoint", &s.endpoint.as_ref().map(Url::as_str))
                .field("region", &s.region)
                .field("access_key_id", &s.access_key_id)
                .field("secret_access_key", &s.secret_access_key.as_ref().map(|_| "[REDACTED]"))
                .finish(),
        }
    }
}

/// S3 when `AOS_FILES_S3_BUCKET` is set, else `<data_dir>/files`; other `AOS_FILES_S3_*` alone are a problem.
pub(super) fn read(env: &mut Env, prod: bool, data_dir: &Path) -> FileStorage {
    let s3_vars = [
        "AOS_FILES_S3_ENDPOINT",
        "AOS_FILES_S3_REGION",
        "AOS_FILES_S3_ACCESS_KEY_ID",
        "AOS_FILES_S3_SECRET_ACCESS_KEY",
    ];
    match env.get("AOS_FILES_S3_BUCKET") {
        None => {
            if let Some(var) = s3_vars.iter().find(|v| env.get(v).is_some()) {
                env.bad(
                    var,
                    "is set but AOS_FILES_S3_BUCKET is not".into(),
                    "set AOS_FILES_S3_BUCKET to store files in S3, or unset the AOS_FILES_S3_* variables",
                );
            }
            FileStorage::Local(data_dir.join("files"))
        }
        Some(bucket) => FileStorage::S3(s3(env, prod, bucket)),
    }
}

fn s3(env: &mut Env, prod: bool, bucket: String) -> S3Settings {
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !valid_bucket {
        env.bad(
            "AOS_FILES_S3_BUCKET",
            format!("`{bucket}` is not a bucket name"),
            "use the bucket's name (3 to 63 lower-case letters, digits, dots or hyphens), not a URL",
        );
    }
    let endpoint = endpoint(env, prod);
    let access_key_id = env.get("AOS_FILES_S3_ACCESS_KEY_ID");
    let secret_access_key = env.get("AOS_FILES_S3_SECRET_ACCESS_KEY").map(SecretString::from);
    if access_key_id.is_some() != secret_access_key.is_some() {
        env.bad(
            "AOS_FILES_S3_ACCESS_KEY_ID",
            "only one of the access key id and secret access key is set".into(),
            "set both AOS_FILES_S3_ACCESS_KEY_ID and AOS_FILES_S3_SECRET_ACCESS_KEY, or neither to use instance credentials",
        );
    }
    S3Settings {
        bucket,
        endpoint,
        region: env.get("AOS_FILES_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id,
        secret_access_key,
    }
}

/// `AOS_FILES_S3_ENDPOINT`: an http(s) URL with a host, https in production.
fn endpoint(env: &mut Env, prod: bool) -> Option<Url> {
    let e = env.get("AOS_FILES_S3_ENDPOINT")?;
    match Url::parse(&e) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            if prod && u.scheme() == "http" {
                env.bad(
                    "AOS_FILES_S3_ENDPOINT",
                    format!("`{e}` is not https"),
                    "use the store's https endpoint in production",
                );
            }
            Some(u)
        }
        _ => {
            env.bad(
                "AOS_FILES_S3_ENDPOINT",
                format!("`{}` is not an http(s) URL", redact_url(&e)),
                "set the store's base URL, e.g. https://minio.internal:9000",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::vars;
    use super::super::Settings;
    use super::FileStorage;

    #[test]
    fn files_default_to_the_data_dir_and_s3_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let local = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert!(matches!(&local.files, FileStorage::Local(p) if *p == dir.path().join("files")));

        let s3 = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_FILES_S3_BUCKET", "agency-files"),
            ("AOS_FILES_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("AOS_FILES_S3_ACCESS_KEY_ID", "minio"),
            ("AOS_FILES_S3_SECRET_ACCESS_KEY", "hunter2-secret"),
        ]))
        .unwrap();
        let FileStorage::S3(s) = &s3.files else {
            panic!("expected S3, got {:?}", s3.files)
        };
        assert_eq!(s.region, "us-east-1");
        assert_eq!(s.endpoint.as_ref().map(|u| u.as_str()), Some("http://127.0.0.1:9000/"));
        assert!(!format!("{s3:?}").contains("hunter2-secret"));

        let err = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_FILES_S3_BUCKET", "https://s3.example.com/Bucket"),
            ("AOS_FILES_S3_ENDPOINT", "not a url"),
            ("AOS_FILES_S3_ACCESS_KEY_ID", "only-the-id"),
        ]))
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(
            names,
            [
                "AOS_FILES_S3_BUCKET",
                "AOS_FILES_S3_ENDPOINT",
                "AOS_FILES_S3_ACCESS_KEY_ID"
            ]
        );
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_FILES_S3_REGION", "eu-west-1")])).unwrap_err();
        assert_eq!(err.0[0].var, "AOS_FILES_S3_REGION");
    }
}
