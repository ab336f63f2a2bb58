//! Notes on a client: list (newest first), write, rewrite and delete. Anyone who may write clients can
//! write a note; only its author, or an Owner/Admin, may change or delete it.

use actix_web::{web, HttpResponse};
use audienceos_shared::client_work::{Note, NoteRequest};
use audienceos_shared::{Page, PageQuery, Problem};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::{Authorized, Identity};
use crate::domain::team::user_ref;
use crate::error::{validate, ApiError};
use crate::extract::{Json, Query};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::notes::NoteRow;

/// List a client's notes
///
/// Newest first, cursor-paginated.
#[utoipa::path(get, path = "/api/v1/clients/{id}/notes", tag = "notes",
    params(("id" = Uuid, Path, description = "Client id"), PageQuery),
    responses((status = 200, body = Page<Note>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_notes(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let (rows, next_cursor) = state
        .store
        .list_notes(me.agency_id, client_id, q.limit(), q.cursor.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(to_dto).collect::<Vec<_>>(),
        next_cursor,
    }))
}

/// Write a note on a client
///
/// The caller is its author.
#[utoipa::path(post, path = "/api/v1/clients/{id}/notes", tag = "notes", request_body = NoteRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 201, body = Note), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_note(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = normalise(body.into_inner());
    validate(&body)?;
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let row = state
        .store
        .insert_note(me.agency_id, client_id, me.user_id, &body.body, state.now())
        .await?;
    Audit::by(&me, "note.created")
        .client(client_id)
        .meta(json!({ "note_id": row.id }))
        .record(&state)
        .await;
    Ok(HttpResponse::Created().json(to_dto(row)))
}

/// Rewrite a note
///
/// Only its author, or an Owner or Admin (`403 forbidden` otherwise). Marks the note edited.
#[utoipa::path(patch, path = "/api/v1/clients/{id}/notes/{note_id}", tag = "notes", request_body = NoteRequest,
    params(("id" = Uuid, Path, description = "Client id"), ("note_id" = Uuid, Path, description = "Note id")),
    responses((status = 200, body = Note), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_note(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = normalise(body.into_inner());
    validate(&body)?;
    let (client_id, note_id) = path.into_inner();
    editable_note(&state, &me, client_id, note_id).await?;
    let row = state
        .store
        .update_note(me.agency_id, client_id, note_id, &body.body, state.now())
        .await?;
    Audit::by(&me, "note.updated")
        .client(client_id)
        .meta(json!({ "note_id": note_id }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(to_dto(row)))
}

/// Delete a note
///
/// Only its author, or an Owner or Admin (`403 forbidden` otherwise).
#[utoipa::path(delete, path = "/api/v1/clients/{id}/notes/{note_id}", tag = "notes",
    params(("id" = Uuid, Path, description = "Client id"), ("note_id" = Uuid, Path, description = "Note id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_note(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, note_id) = path.into_inner();
    editable_note(&state, &me, client_id, note_id).await?;
    state
        .store
        .delete_note(me.agency_id, client_id, note_id, state.now())
        .await?;
    Audit::by(&me, "note.deleted")
        .client(client_id)
        .meta(json!({ "note_id": note_id }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// `NotFound` unless the note is on a client the caller sees; `Forbidden` unless they wrote it or are an
/// Owner/Admin.
async fn editable_note(state: &AppState, me: &Identity, client_id: Uuid, note_id: Uuid) -> Result<NoteRow, ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let note = state.store.get_note(me.agency_id, client_id, note_id).await?;
    if note.author_id != Some(me.user_id) && !me.is_admin() {
        return Err(ApiError::forbidden(
            "Only the note's author or an Owner or Admin can change it.",
        ));
    }
    Ok(note)
}

fn normalise(mut b: NoteRequest) -> NoteRequest {
    b.body = b.body.trim().to_string();
    b
}

fn to_dto(r: NoteRow) -> Note {
    Note {
        id: r.id,
        client_id: r.client_id,
        body: r.body,
        author: user_ref(r.author_id, r.author_first_name, r.author_last_name),
        created_at: r.created_at,
        updated_at: r.updated_at,
        edited: r.edited_at.is_some(),
    }
}
