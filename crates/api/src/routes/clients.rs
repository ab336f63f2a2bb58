//! Clients: create and read, and the one place a client row becomes its response (`client_dtos`).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{
    Client, ClientListQuery, CreateClientRequest, Health, Label, MoveStageRequest, SetCollaboratorsRequest,
    SetOwnerRequest, StageEvent, UpdateClientRequest,
};
use audienceos_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use audienceos_shared::team::UserRef;
use audienceos_shared::{Money, Page, Problem};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsManage, ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::domain::clients::{normalise_create, sort_of};
use crate::domain::text::{clean, normalise_website};
use crate::error::{validate, ApiError, Code};
use crate::read_cache::{json_body, to_bytes, BodyKey};
use crate::services::audit::Audit;
use crate::services::team::check_member;
use crate::state::AppState;
use crate::store::clients::edit::ClientPatch;
use crate::store::clients::list::{ClientFilter, CursorError, ListCursor};
use crate::store::clients::stage_moves::MoveOutcome;
use crate::store::clients::{days_between, ClientRow, NewClient};
use crate::store::StoreError;

/// Create a client
///
/// Starts in `stage_id`, or the agency's first stage. The first stage event is written with it.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = CreateClientRequest,
    responses((status = 201, body = Client), (status = 409, body = Problem, description = "`contact_email_taken`"),
        (status = 422, body = Problem)))]
pub async fn create_client(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    body: web::Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    normalise_create(&mut body);
    validate(&body)?;
    let stage_id = match body.stage_id {
        Some(id) => match state.store.get_stage(me.agency_id, id).await {
            Ok(s) => s.id,
            Err(StoreError::NotFound) => {
                return Err(ApiError::field("stage_id", "unknown", "is not a stage of this agency"))
            }
            Err(e) => return Err(e.into()),
        },
        None => state.store.first_stage(me.agency_id).await?.id,
    };
    if let Some(owner) = body.owner_id {
        check_member(&state, me.agency_id, owner, "owner_id").await?;
    }
    let now = crate::store::now();
    let new = NewClient {
        name: body.name,
        contact_name: body.contact_name,
        contact_email: body.contact_email,
        website: body.website,
        stage_id,
        install_date: body.install_date,
        total_spend_cents: body.total_spend.unwrap_or(Money::ZERO).cents(),
        lifetime_value_cents: body.lifetime_value.unwrap_or(Money::ZERO).cents(),
        due_date: body.due_date,
        owner_id: body.owner_id,
        label_ids: body.label_ids,
    };
    let id = match state
        .store
        .insert_client(me.agency_id, Some(me.user_id), &new, now)
        .await
    {
        Err(StoreError::NotFound) => {
            return Err(ApiError::field(
                "label_ids",
                "unknown",
                "names a label that does not exist",
            ))
        }
        other => other?,
    };
    state.store.refresh_health(me.agency_id, Some(id), now).await?;
    Audit::by(&me, "client.created").client(id).record(&state).await;
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Created().json(one_dto(&state, row).await?))
}

/// Get a client
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn get_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .store
        .get_client(me.agency_id, me.client_scope(), id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// One client's response.
pub async fn one_dto(state: &AppState, row: ClientRow) -> Result<Client, ApiError> {
    let mut v = client_dtos(state, vec![row]).await?;
    v.pop().ok_or(ApiError::NotFound)
}

/// Client rows (of one agency) to their responses, with collaborators, labels and task counts fetched in
/// one batch.
pub async fn client_dtos(state: &AppState, rows: Vec<ClientRow>) -> Result<Vec<Client>, ApiError> {
    let Some(agency_id) = rows.first().map(|r| r.agency_id) else {
        return Ok(Vec::new());
    };
    let now = crate::store::now();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let extras = state.store.client_extras(agency_id, &ids, now.date_naive()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let collaborators = extras
                .collaborators
                .iter()
                .filter(|c| c.client_id == r.id)
                .map(|c| UserRef {
                    id: c.user_id,
                    name: format!("{} {}", c.first_name, c.last_name),
                })
                .collect();
            let labels = extras
                .labels
                .iter()
                .filter(|l| l.client_id == r.id)
                .map(|l| Label {
                    id: l.id,
                    name: l.name.clone(),
                    color: l.color.clone(),
                })
                .collect();
            let counts = extras.task_counts.iter().find(|t| t.client_id == r.id);
            Client {
                id: r.id,
                name: r.name,
                contact_name: r.contact_name,
                contact_email: r.contact_email,
                website: r.website,
                stage_id: r.stage_id,
                stage: r.stage_name,
                stage_entered_at: r.stage_entered_at,
                days_in_stage: days_between(r.stage_entered_at, now),
                health: Health::parse(&r.health).unwrap_or(Health::Green),
                health_reasons: r.health_reasons.0,
                install_date: r.install_date,
                total_spend: Money::from_cents(r.total_spend_cents),
                lifetime_value: Money::from_cents(r.lifetime_value_cents),
                due_date: r.due_date,
                archived_at: r.archived_at,
                owner: r.owner_id.map(|id| UserRef {
                    id,
                    name: format!(
                        "{} {}",
                        r.owner_first_name.unwrap_or_default(),
                        r.owner_last_name.unwrap_or_default()
                    ),
                }),
                collaborators,
                labels,
                open_tasks: counts.map_or(0, |c| c.open_tasks),
                overdue_tasks: counts.map_or(0, |c| c.overdue_tasks),
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

// ---- the list, edits, archive, delete, stage moves, people and labels ----

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
    q: web::Query<ClientListQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let (sort, dir) = sort_of(&q);
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(ListCursor::decode(c, sort, dir).map_err(|e| match e {
            CursorError::Malformed => ApiError::new(Code::InvalidQuery, "The cursor is malformed."),
            CursorError::OtherSort => ApiError::new(
                Code::InvalidQuery,
                "The cursor belongs to another sort or direction; start again from the first page.",
            ),
        })?),
        None => None,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let key = BodyKey::of("clients", &req, &me);
    let body = state
        .reads
        .body(key, async {
            let (rows, next_cursor) = state
                .store
                .list_clients(
                    me.agency_id,
                    me.client_scope(),
                    &ClientFilter::from(&*q),
                    sort,
                    dir,
                    after.as_ref(),
                    limit,
                )
                .await?;
            let items = client_dtos(&state, rows.into_iter().map(|r| r.client).collect()).await?;
            to_bytes(&Page { items, next_cursor })
        })
        .await?;
    Ok(json_body(body))
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
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<UpdateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.name = b.name.map(|n| n.trim().to_string());
    let blank_to_none = |v: Option<Option<String>>| v.map(clean);
    b.contact_name = blank_to_none(b.contact_name);
    b.contact_email = blank_to_none(b.contact_email);
    b.website = blank_to_none(b.website).map(|w| w.map(|w| normalise_website(&w)));
    validate(&b)?;
    let patch = ClientPatch {
        name: b.name.clone(),
        contact_name: b.contact_name.clone(),
        contact_email: b.contact_email.clone(),
        website: b.website.clone(),
        install_date: b.install_date,
        total_spend_cents: b.total_spend.map(Money::cents),
        lifetime_value_cents: b.lifetime_value.map(Money::cents),
        due_date: b.due_date,
    };
    let now = crate::store::now();
    state
        .store
        .update_client(me.agency_id, me.client_scope(), id, &patch, now)
        .await?;
    let changed = serde_json::to_value(&b)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .unwrap_or_default();
    Audit::by(&me, "client.updated")
        .client(id)
        .meta(json!({ "fields": changed }))
        .record(&state)
        .await;
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Delete a client
///
/// With its notes, tasks, files, stage history and alerts. Needs `clients:manage`.
#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_client(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<ClientsManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let name = state.store.delete_client(me.agency_id, me.client_scope(), id).await?;
    // The file rows went with the client (cascade); their objects go now.
    let files_removed = crate::routes::files::delete_client_objects(&state, me.agency_id, id).await;
    Audit::by(&me, "client.deleted")
        .client(id)
        .meta(json!({ "name": name, "files_removed": files_removed }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// Archive a client
///
/// Hidden from the board and the default list; nothing is deleted.
#[utoipa::path(post, path = "/api/v1/clients/{id}/archive", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn archive_client(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, req, me, id.into_inner(), true).await
}

/// Restore an archived client
#[utoipa::path(post, path = "/api/v1/clients/{id}/restore", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn restore_client(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_archived(state, req, me, id.into_inner(), false).await
}

async fn set_archived(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: Uuid,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    let now = crate::store::now();
    state
        .store
        .set_client_archived(me.agency_id, me.client_scope(), id, archived, now)
        .await?;
    if !archived {
        // archived clients are skipped by the health sweep: bring it up to date
        state.store.refresh_health(me.agency_id, Some(id), now).await?;
    }
    let action = if archived { "client.archived" } else { "client.restored" };
    Audit::by(&me, action).client(id).record(&state).await;
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
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
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<MoveStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut body = body.into_inner();
    body.note = clean(body.note.take());
    validate(&body)?;
    let now = crate::store::now();
    let outcome = state
        .store
        .move_client_stage(
            me.agency_id,
            me.client_scope(),
            id,
            body.from_stage,
            body.to_stage,
            Some(me.user_id),
            body.note.as_deref(),
            now,
        )
        .await?;
    match outcome {
        MoveOutcome::Moved { from_name, to_name } => {
            state.store.refresh_health(me.agency_id, Some(id), now).await?;
            Audit::by(&me, "client.stage_moved").client(id).meta(json!({ "from_stage_id": body.from_stage, "from_stage": from_name, "to_stage_id": body.to_stage, "to_stage": to_name })).record(&state).await;
        }
        MoveOutcome::Unchanged => {}
        MoveOutcome::UnknownTarget => {
            return Err(ApiError::field("to_stage", "unknown", "is not a stage of this agency"))
        }
        MoveOutcome::Conflict {
            current_id,
            current_name,
        } => {
            return Err(ApiError::new(Code::StageConflict, format!(
                    "The client has moved to \"{current_name}\" (stage {current_id}) since you loaded it; reload and try again."
                )))
        }
    }
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
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
    let id = id.into_inner();
    state
        .store
        .check_client_visible(me.agency_id, me.client_scope(), id)
        .await?;
    let rows = state.store.list_stage_events(me.agency_id, id).await?;
    let events: Vec<StageEvent> = rows
        .into_iter()
        .map(|r| StageEvent {
            id: r.id,
            client_id: r.client_id,
            from_stage_id: r.from_stage_id,
            from_stage: r.from_stage_name,
            to_stage_id: r.to_stage_id,
            to_stage: r.to_stage_name,
            moved_by: r.moved_by.map(|id| UserRef {
                id,
                name: format!(
                    "{} {}",
                    r.mover_first_name.unwrap_or_default(),
                    r.mover_last_name.unwrap_or_default()
                ),
            }),
            moved_at: r.moved_at,
            note: r.note,
        })
        .collect();
    Ok(HttpResponse::Ok().json(events))
}

/// Set or clear a client's owner
///
/// The owner must be an active member of the agency (else `422` on `user_id`).
#[utoipa::path(put, path = "/api/v1/clients/{id}/owner", tag = "clients", request_body = SetOwnerRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_owner(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<SetOwnerRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // 404 before 422: an invisible client says nothing about the user
    state
        .store
        .check_client_visible(me.agency_id, me.client_scope(), id)
        .await?;
    if let Some(user) = body.user_id {
        check_member(&state, me.agency_id, user, "user_id").await?;
    }
    let now = crate::store::now();
    let previous = state
        .store
        .set_client_owner(me.agency_id, me.client_scope(), id, body.user_id, now)
        .await?;
    if previous != body.user_id {
        Audit::by(&me, "client.owner_changed")
            .client(id)
            .meta(json!({ "from_user_id": previous, "to_user_id": body.user_id }))
            .record(&state)
            .await;
    }
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
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
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<SetCollaboratorsRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut users = body.into_inner().user_ids;
    users.sort();
    users.dedup();
    validate(&SetCollaboratorsRequest {
        user_ids: users.clone(),
    })?;
    state
        .store
        .check_client_visible(me.agency_id, me.client_scope(), id)
        .await?;
    let active = state.store.active_member_ids(me.agency_id, &users).await?;
    if active.len() != users.len() {
        return Err(ApiError::field(
            "user_ids",
            "unknown",
            "names someone who is not an active member of this agency",
        ));
    }
    let now = crate::store::now();
    state
        .store
        .set_client_collaborators(me.agency_id, me.client_scope(), id, &users, now)
        .await?;
    Audit::by(&me, "client.collaborators_changed")
        .client(id)
        .meta(json!({ "user_ids": users }))
        .record(&state)
        .await;
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Attach a label to a client
///
/// Idempotent. Another agency's label is `404`.
#[utoipa::path(put, path = "/api/v1/clients/{id}/labels/{label_id}", tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("label_id" = Uuid, Path, description = "Label id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn attach_label(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    set_label(state, req, me, path.into_inner(), true).await
}

/// Detach a label from a client
///
/// Idempotent.
#[utoipa::path(delete, path = "/api/v1/clients/{id}/labels/{label_id}", tag = "clients",
    params(("id" = Uuid, Path, description = "Client id"), ("label_id" = Uuid, Path, description = "Label id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn detach_label(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    set_label(state, req, me, path.into_inner(), false).await
}

async fn set_label(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<ClientsWrite>,
    (id, label_id): (Uuid, Uuid),
    attach: bool,
) -> Result<HttpResponse, ApiError> {
    let changed = state
        .store
        .set_client_label(
            me.agency_id,
            me.client_scope(),
            id,
            label_id,
            attach,
            crate::store::now(),
        )
        .await?;
    if changed {
        let action = if attach {
            "client.label_attached"
        } else {
            "client.label_detached"
        };
        Audit::by(&me, action)
            .client(id)
            .meta(json!({ "label_id": label_id }))
            .record(&state)
            .await;
    }
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}
