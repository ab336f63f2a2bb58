//! Client files: upload (the bytes to the object store first, the row second; a failed row write
//! removes the object again, so a file is either fully stored or not at all), list, download, delete,
//! and the objects of a deleted client.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use serde_json::json;
use uuid::Uuid;

use audienceos_shared::client_work::ClientFile;

use crate::auth::Identity;
use crate::domain::files::{sanitise_name, sniff};
use crate::domain::team::user_ref;
use crate::error::{ApiError, Code};
use crate::files::{client_prefix, object_key};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::files::{FileRow, NewFile};

/// What the `file` part of an upload held (read by the route, within the upload limit).
pub struct Upload {
    pub name: Option<String>,
    pub chunks: Vec<Bytes>,
    pub size: usize,
    pub sha256: String,
    pub too_large: bool,
}

/// A client's files, newest first.
pub async fn list(state: &AppState, me: &Identity, client_id: Uuid) -> Result<Vec<ClientFile>, ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let rows = state.store.list_files(me.agency_id, client_id).await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

/// Store an upload: `413` over the limit, `422` when empty, `415` for refused content.
pub async fn upload(state: &AppState, me: &Identity, client_id: Uuid, upload: Upload) -> Result<ClientFile, ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    if upload.too_large {
        return Err(ApiError::PayloadTooLarge);
    }
    if upload.size == 0 {
        return Err(ApiError::field("file", "empty", "the file is empty"));
    }
    let content_type = sniff(&upload.chunks)?;
    let file_id = crate::store::new_id();
    let key = object_key(me.agency_id, client_id, file_id);
    let new = NewFile {
        id: file_id,
        name: sanitise_name(upload.name.as_deref().unwrap_or_default()),
        content_type,
        size_bytes: i64::try_from(upload.size).unwrap_or(i64::MAX),
        sha256: upload.sha256,
        object_key: key.clone(),
        uploaded_by: me.user_id,
    };
    if let Err(e) = state.files.put(&key, upload.chunks).await {
        if crate::files::FileStore::is_storage_full(&e) {
            tracing::error!(error.cause_chain = ?e, "the file store is full");
            // A partly written object is the store's to remove (object_store stages and renames); make sure.
            let _ = state.files.delete(&key).await;
            return Err(ApiError::new(
                Code::InsufficientStorage,
                "The file store is full, so nothing was stored. Try again later, or ask an administrator to free space.",
            ));
        }
        return Err(e.into());
    }
    let row = match state
        .store
        .insert_file(me.agency_id, client_id, &new, state.now())
        .await
    {
        Ok(row) => row,
        Err(e) => {
            if let Err(cleanup) = state.files.delete(&key).await {
                tracing::error!(error.cause_chain = ?cleanup, key, "could not remove the object of a failed upload");
            }
            return Err(e.into());
        }
    };
    Audit::by(me, "file.uploaded")
        .client(client_id)
        .meta(json!({ "file_id": row.id, "name": row.name, "content_type": row.content_type, "size_bytes": row.size_bytes }))
        .record(state)
        .await;
    Ok(to_dto(row))
}

/// A file's row and a stream of its bytes.
pub async fn download(
    state: &AppState,
    me: &Identity,
    client_id: Uuid,
    file_id: Uuid,
) -> Result<(FileRow, BoxStream<'static, anyhow::Result<Bytes>>), ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let row = state.store.get_file(me.agency_id, client_id, file_id).await?;
    let stream = state.files.get(&row.object_key).await?;
    Ok((row, stream))
}

/// Delete a file: the row first, then the object (an object already gone is logged, not an error).
pub async fn delete(state: &AppState, me: &Identity, client_id: Uuid, file_id: Uuid) -> Result<(), ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let row = state
        .store
        .delete_file(me.agency_id, client_id, file_id, state.now())
        .await?;
    match state.files.delete(&row.object_key).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(key = row.object_key, "the deleted file's object was already gone"),
        Err(e) => tracing::error!(error.cause_chain = ?e, key = row.object_key, "could not delete a file's object"),
    }
    Audit::by(me, "file.deleted")
        .client(client_id)
        .meta(json!({ "file_id": file_id, "name": row.name }))
        .record(state)
        .await;
    Ok(())
}

/// Delete every stored object of a client. Call it after the client's row is deleted (its file rows go
/// with it by cascade). Failures are logged, never returned: the client is already gone. Returns how
/// many objects were deleted.
pub async fn delete_client_objects(state: &AppState, agency_id: Uuid, client_id: Uuid) -> usize {
    match state.files.delete_prefix(&client_prefix(agency_id, client_id)).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, %agency_id, %client_id, "could not delete a deleted client's files");
            0
        }
    }
}

fn to_dto(r: FileRow) -> ClientFile {
    ClientFile {
        id: r.id,
        client_id: r.client_id,
        name: r.name,
        content_type: r.content_type,
        size_bytes: r.size_bytes,
        uploaded_by: user_ref(r.uploaded_by, r.uploader_first_name, r.uploader_last_name),
        created_at: r.created_at,
    }
}
