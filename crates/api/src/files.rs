//! Client files' bytes, through the `object_store` crate: a local directory by default, any S3-compatible
//! bucket when configured. Rows about the files live in the database (`store::files`); this module only
//! moves bytes. Keys are `agency/<agency_id>/client/<client_id>/<file_id>`: never derived from user input.

use std::sync::Arc;

use anyhow::Context as _;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use secrecy::ExposeSecret as _;
use uuid::Uuid;

use crate::config::FileStorage;

/// Handle to the object store holding client files; cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

/// The object key of a client file.
pub fn object_key(agency_id: Uuid, client_id: Uuid, file_id: Uuid) -> String {
    format!("agency/{agency_id}/client/{client_id}/{file_id}")
}

/// The prefix under which every file of a client lives.
pub fn client_prefix(agency_id: Uuid, client_id: Uuid) -> String {
    format!("agency/{agency_id}/client/{client_id}")
}

impl FileStore {
    /// Open the configured store (creating the local directory if needed).
    pub fn from_settings(storage: &FileStorage) -> anyhow::Result<Self> {
        let inner: Arc<dyn ObjectStore> = match storage {
            FileStorage::Local(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(dir)
                        .with_context(|| format!("opening the file store in {}", dir.display()))?
                        // deleting a client's last file removes its now empty directories
                        .with_automatic_cleanup(true),
                )
            }
            FileStorage::S3(s3) => {
                // object_store's reqwest uses rustls without a bundled provider: use ring, like the rest
                // of the process. Installing twice is harmless (the first one stays).
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region);
                if let Some(endpoint) = &s3.endpoint {
                    b = b
                        .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                        .with_allow_http(endpoint.scheme() == "http");
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    b = b.with_access_key_id(id).with_secret_access_key(secret.expose_secret());
                }
                Arc::new(b.build().context("configuring the S3 file store")?)
            }
        };
        Ok(Self { inner })
    }

    /// A store around any `ObjectStore` (tests can pass an in-memory one).
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// Write an object whole (the upload was already counted and checked).
    pub async fn put(&self, key: &str, chunks: Vec<Bytes>) -> anyhow::Result<()> {
        let payload: PutPayload = chunks.into_iter().collect();
        self.inner
            .put(&Path::from(key), payload)
            .await
            .with_context(|| format!("writing object {key}"))?;
        Ok(())
    }

    /// Whether a `put` failed because the store is out of space (ENOSPC on a local disk).
    pub fn is_storage_full(e: &anyhow::Error) -> bool {
        e.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull || io.raw_os_error() == Some(28))
        }) || format!("{e:#}").contains("No space left on device")
    }

    /// The object's bytes as a stream.
    pub async fn get(&self, key: &str) -> anyhow::Result<BoxStream<'static, anyhow::Result<Bytes>>> {
        let res = self
            .inner
            .get(&Path::from(key))
            .await
            .with_context(|| format!("reading object {key}"))?;
        Ok(res.into_stream().map_err(anyhow::Error::from).boxed())
    }

    /// Delete an object. Returns false when it was already gone (not an error).
    pub async fn delete(&self, key: &str) -> anyhow::Result<bool> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(anyhow::Error::new(e).context(format!("deleting object {key}"))),
        }
    }

    /// Delete every object under `prefix`; returns how many were deleted.
    pub async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<usize> {
        let prefix = Path::from(prefix);
        let locations = self.inner.list(Some(&prefix)).map_ok(|meta| meta.location).boxed();
        let mut results = self.inner.delete_stream(locations);
        let mut deleted = 0;
        while let Some(r) = results.next().await {
            match r {
                Ok(_) => deleted += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(anyhow::Error::new(e).context(format!("deleting objects under {prefix}"))),
            }
        }
        Ok(deleted)
    }

    /// Whether an object exists (for checks and tests).
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(anyhow::Error::new(e).context(format!("checking object {key}"))),
        }
    }
}
