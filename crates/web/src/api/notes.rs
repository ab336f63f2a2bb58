//! `/api/v1/clients/{id}/notes`: notes on a client, newest first.

use audienceos_shared::client_work::{Note, NoteRequest};
use audienceos_shared::pagination::DEFAULT_LIMIT;
use audienceos_shared::Page;
use uuid::Uuid;

use super::{delete, get, page_query, patch, post, ApiResult};

/// `GET /clients/{id}/notes`: one page.
pub async fn list_notes(client: Uuid, cursor: Option<String>) -> ApiResult<Page<Note>> {
    get(&format!(
        "/clients/{client}/notes{}",
        page_query(DEFAULT_LIMIT, cursor.as_deref())
    ))
    .await
}

/// `POST /clients/{id}/notes`.
pub async fn create_note(client: Uuid, body: String) -> ApiResult<Note> {
    post(&format!("/clients/{client}/notes"), &NoteRequest { body }).await
}

/// `PATCH /clients/{id}/notes/{note_id}` (the author, or Admin+).
pub async fn update_note(client: Uuid, note: Uuid, body: String) -> ApiResult<Note> {
    patch(&format!("/clients/{client}/notes/{note}"), &NoteRequest { body }).await
}

/// `DELETE /clients/{id}/notes/{note_id}` (the author, or Admin+).
pub async fn delete_note(client: Uuid, note: Uuid) -> ApiResult<()> {
    delete(&format!("/clients/{client}/notes/{note}")).await
}
