//! Clients: the HTTP surface of `services::clients` (create, read, list, edit, archive, delete, stage
//! moves, owner, collaborators, labels).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{
    Client, ClientListQuery, CreateClientRequest, MoveStageRequest, SetCollaboratorsRequest, SetOwnerRequest,
    StageEvent, UpdateClientRequest,
};
use audienceos_shared::{Page, Problem};
use uuid::Uuid;

use crate::auth::identity::{ClientsManage, ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::read_cache::{json_body, BodyKey};
use crate::services::clients;
use crate::state::AppState;

/// Create a client
///
/// Starts in `stage_id`, or the agency's first stage. The first stage event is written with it.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = CreateClientRequest,
    responses((status = 201, body = Client), (status = 409, body = Problem, description = "`contact_email_taken`"),
        (status = 422, body = Problem)))]
pub async fn create_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    body: Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = clients::create(&state, &me, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(client))
}

/// Get a client
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn get_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::get(&state, &me, id.into_inner()).await?))
}

/// List clients
///
/// Search (`q`), filters and sort, with keyset pagination: pass `next_cursor` back as `cursor` with the
/// same sort and direction to get the next page. Without `dir`, `name`, `stage` and `due_date` sort
/// ascending and `updated`, `days_in_stage` and `health` descending; clients without a due date come last
/// in both directions. A cursor issued for another sort or direction is `400 invalid_query`. Archived
/// clients are listed only with `archived=true` (and then only they). Members see the clients they own or
/// collaborate on.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientListQuery),
    responses((status = 200, body = Page<Client>), (status = 400, body = Problem, description = "`invalid_query`"),
        (status = 422, body = Problem)))]
pub async fn list_clients(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsRead>,
    q: Query<ClientListQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = BodyKey::of("clients", &req, &me);
    Ok(json_body(clients::list(&state, &me, &q, key).await?))
}

/// Update a client
///
/// Absent fields are left alone; `null` clears a field (e.g. `due_date`).
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", request_body = UpdateClientRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`contact_email_taken`"), (status = 422, body = Problem)))]
pub async fn update_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<UpdateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = clients::update(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(client))
}

/// Delete a client
///
/// With its notes, tasks, files, stage history and alerts. Needs `clients:manage`.
#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    clients::delete(&state, &me, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Archive a client
///
/// Hidden from the board and the default list; nothing is deleted.
#[utoipa::path(post, path = "/api/v1/clients/{id}/archive", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn archive_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::set_archived(&state, &me, id.into_inner(), true).await?))
}

/// Restore an archived client
#[utoipa::path(post, path = "/api/v1/clients/{id}/restore", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn restore_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::set_archived(&state, &me, id.into_inner(), false).await?))
}
/// Move a client to another stage
///
/// `from_stage` is the stage the caller last saw. If the client has moved since, nothing changes and the
/// answer is `409 stage_conflict`, whose detail names the current stage and its id. Moving to the stage the
/// client is in is a no-op. Every move writes a stage event and resets days in stage.
#[utoipa::path(post, path = "/api/v1/clients/{id}/stage", tag = "clients", request_body = MoveStageRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_conflict`"), (status = 422, body = Problem)))]
pub async fn move_stage(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<MoveStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = clients::move_stage(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(client))
}

/// A client's stage history
///
/// Newest first; the first event (with no `from_stage`) is the client's creation.
#[utoipa::path(get, path = "/api/v1/clients/{id}/stage-events", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Vec<StageEvent>), (status = 404, body = Problem)))]
pub async fn list_stage_events(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(clients::stage_events(&state, &me, id.into_inner()).await?))
}

/// Set or clear a client's owner
///
/// The owner must be an active member of the agency (else `422` on `user_id`).
#[utoipa::path(put, path = "/api/v1/clients/{id}/owner", tag = "clients", request_body = SetOwnerRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_owner(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<SetOwnerRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = clients::set_owner(&state, &me, id.into_inner(), body.user_id).await?;
    Ok(HttpResponse::Ok().json(client))
}

/// Replace a client's collaborators
///
/// Every user must be an active member of the agency (else `422` on `user_ids`). Collaborators who are
/// Members see the client.
#[utoipa::path(put, path = "/api/v1/clients/{id}/collaborators", tag = "clients", request_body = SetCollaboratorsRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_collaborators(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<SetCollaboratorsRequest>,
) -> Result<HttpResponse, ApiError> {
    let users = body.into_inner().user_ids;
    Ok(HttpResponse::Ok().json(clients::set_collaborators(&state, &me, id.into_inner(), users).await?))
}

/// Attach a label to a client
///
/// Idempotent. Another agency's label is `404`.
#[utoipa::path(put, path = "/api/v1/clients/{id}/labels/{label_id}", tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("label_id" = Uuid, Path, description = "Label id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn attach_label(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, label_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(clients::set_label(&state, &me, id, label_id, true).await?))
}

/// Detach a label from a client
///
/// Idempotent.
#[utoipa::path(delete, path = "/api/v1/clients/{id}/labels/{label_id}", tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("label_id" = Uuid, Path, description = "Label id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn detach_label(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, label_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(clients::set_label(&state, &me, id, label_id, false).await?))
}
