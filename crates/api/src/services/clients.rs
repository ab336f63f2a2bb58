//! Clients: create, read, list, edit, archive, delete, stage moves, owner, collaborators and labels, and
//! the one place a client row becomes its response (`views`). Each function is one request's work: the
//! handler has extracted and authorised, this reads and writes through the store and audits.

use audienceos_shared::clients::{
    Client, ClientListQuery, CreateClientRequest, Health, Label, MoveStageRequest, SetCollaboratorsRequest, StageEvent,
    UpdateClientRequest,
};
use audienceos_shared::pagination::page_limit;
use audienceos_shared::team::UserRef;
use audienceos_shared::{Money, Page};
use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::clients::{normalise_create, sort_of};
use crate::domain::stored::Stored as _;
use crate::domain::tenant::Tenant;
use crate::domain::text::{clean, normalise_website};
use crate::error::{validate, ApiError, Code};
use crate::read_cache::{to_bytes, BodyKey};
use crate::services::audit::Audit;
use crate::services::team::check_member;
use crate::state::AppState;
use crate::store::clients::edit::ClientPatch;
use crate::store::clients::list::{ClientFilter, CursorError, ListCursor};
use crate::store::clients::stage_moves::MoveOutcome;
use crate::store::clients::{days_between, ClientRow, NewClient};
use crate::store::StoreError;

/// One client's response.
pub async fn view(state: &AppState, row: ClientRow) -> Result<Client, ApiError> {
    let mut v = views(state, vec![row]).await?;
    v.pop().ok_or(ApiError::NotFound)
}

/// A client of the caller's agency, as the caller may see it, by id.
pub async fn get(state: &AppState, me: &Identity, id: Uuid) -> Result<Client, ApiError> {
    let row = state.store.get_client(me.tenant(), id).await?;
    view(state, row).await
}

/// The client after a write (the write already checked the caller may see it).
async fn reread(state: &AppState, me: &Identity, id: Uuid) -> Result<Client, ApiError> {
    let row = state.store.get_client(Tenant::agency(me.agency_id), id).await?;
    view(state, row).await
}

/// Client rows (of one agency) to their responses, with collaborators, labels and task counts fetched in
/// one batch.
pub async fn views(state: &AppState, rows: Vec<ClientRow>) -> Result<Vec<Client>, ApiError> {
    let Some(agency_id) = rows.first().map(|r| r.agency_id) else {
        return Ok(Vec::new());
    };
    let now = state.now();
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
                health: Health::from_stored(&r.health),
                health_reasons: r.health_reasons.0,
                install_date: r.install_date,
                total_spend: Money::from_cents(r.total_spend_cents),
                lifetime_value: Money::from_cents(r.lifetime_value_cents),
                due_date: r.due_date,
                archived_at: r.archived_at,
                owner: crate::domain::team::user_ref(r.owner_id, r.owner_first_name, r.owner_last_name),
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

/// A page of the list as JSON bytes, from the read cache (keyed by the agency's data version) or the store.
pub async fn list(state: &AppState, me: &Identity, q: &ClientListQuery, key: BodyKey) -> Result<Bytes, ApiError> {
    validate(q)?;
    let (sort, dir) = sort_of(q);
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
    let limit = page_limit(q.limit);
    let tenant = me.tenant();
    state
        .reads
        .body(key, async {
            let filter = ClientFilter::from(q);
            let (rows, next_cursor) = state
                .store
                .list_clients(tenant, &filter, sort, dir, after.as_ref(), limit)
                .await?;
            let items = views(state, rows.into_iter().map(|r| r.client).collect()).await?;
            to_bytes(&Page { items, next_cursor })
        })
        .await
}

/// Create a client in `stage_id` (or the agency's first stage), with its first stage event.
pub async fn create(state: &AppState, me: &Identity, mut body: CreateClientRequest) -> Result<Client, ApiError> {
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
        check_member(state, me.agency_id, owner, "owner_id").await?;
    }
    let now = state.now();
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
    Audit::by(me, "client.created").client(id).record(state).await;
    reread(state, me, id).await
}

/// Change the given fields (absent: unchanged; `null`: cleared).
pub async fn update(state: &AppState, me: &Identity, id: Uuid, mut b: UpdateClientRequest) -> Result<Client, ApiError> {
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
    state.store.update_client(me.tenant(), id, &patch, state.now()).await?;
    let changed = serde_json::to_value(&b)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .unwrap_or_default();
    Audit::by(me, "client.updated")
        .client(id)
        .with("fields", changed)
        .record(state)
        .await;
    reread(state, me, id).await
}

/// Delete a client with everything hanging off it, files' objects included.
pub async fn delete(state: &AppState, me: &Identity, id: Uuid) -> Result<(), ApiError> {
    let name = state.store.delete_client(me.tenant(), id).await?;
    // The file rows went with the client (cascade); their objects go now.
    let files_removed = crate::services::files::delete_client_objects(state, me.agency_id, id).await;
    Audit::by(me, "client.deleted")
        .client(id)
        .meta(json!({ "name": name, "files_removed": files_removed }))
        .record(state)
        .await;
    Ok(())
}

/// Archive (hide from the board and the default list) or restore a client.
pub async fn set_archived(state: &AppState, me: &Identity, id: Uuid, archived: bool) -> Result<Client, ApiError> {
    let now = state.now();
    state.store.set_client_archived(me.tenant(), id, archived, now).await?;
    if !archived {
        // archived clients are skipped by the health sweep: bring it up to date
        state.store.refresh_health(me.agency_id, Some(id), now).await?;
    }
    let action = if archived { "client.archived" } else { "client.restored" };
    Audit::by(me, action).client(id).record(state).await;
    reread(state, me, id).await
}

/// Move a client from the stage the caller last saw to another; a stale `from_stage` is a conflict that
/// names the current stage.
pub async fn move_stage(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut body: MoveStageRequest,
) -> Result<Client, ApiError> {
    body.note = clean(body.note.take());
    validate(&body)?;
    let now = state.now();
    let outcome = state
        .store
        .move_client_stage(
            me.tenant(),
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
            Audit::by(me, "client.stage_moved")
                .client(id)
                .meta(json!({ "from_stage_id": body.from_stage, "from_stage": from_name, "to_stage_id": body.to_stage, "to_stage": to_name }))
                .record(state)
                .await;
        }
        MoveOutcome::Unchanged => {}
        MoveOutcome::UnknownTarget => {
            return Err(ApiError::field("to_stage", "unknown", "is not a stage of this agency"))
        }
        MoveOutcome::Conflict {
            current_id,
            current_name,
        } => {
            return Err(ApiError::new(
                Code::StageConflict,
                format!(
                    "The client has moved to \"{current_name}\" (stage {current_id}) since you loaded it; reload and try again."
                ),
            ))
        }
    }
    reread(state, me, id).await
}

/// A client's stage history, newest first.
pub async fn stage_events(state: &AppState, me: &Identity, id: Uuid) -> Result<Vec<StageEvent>, ApiError> {
    state.store.check_client_visible(me.tenant(), id).await?;
    let rows = state.store.list_stage_events(me.agency_id, id).await?;
    Ok(rows
        .into_iter()
        .map(|r| StageEvent {
            id: r.id,
            client_id: r.client_id,
            from_stage_id: r.from_stage_id,
            from_stage: r.from_stage_name,
            to_stage_id: r.to_stage_id,
            to_stage: r.to_stage_name,
            moved_by: crate::domain::team::user_ref(r.moved_by, r.mover_first_name, r.mover_last_name),
            moved_at: r.moved_at,
            note: r.note,
        })
        .collect())
}

/// Set or clear the owner (an active member of the agency).
pub async fn set_owner(state: &AppState, me: &Identity, id: Uuid, user_id: Option<Uuid>) -> Result<Client, ApiError> {
    // 404 before 422: an invisible client says nothing about the user
    state.store.check_client_visible(me.tenant(), id).await?;
    if let Some(user) = user_id {
        check_member(state, me.agency_id, user, "user_id").await?;
    }
    let previous = state
        .store
        .set_client_owner(me.tenant(), id, user_id, state.now())
        .await?;
    if previous != user_id {
        Audit::by(me, "client.owner_changed")
            .client(id)
            .meta(json!({ "from_user_id": previous, "to_user_id": user_id }))
            .record(state)
            .await;
    }
    reread(state, me, id).await
}

/// Replace the collaborators (active members of the agency).
pub async fn set_collaborators(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut users: Vec<Uuid>,
) -> Result<Client, ApiError> {
    users.sort();
    users.dedup();
    validate(&SetCollaboratorsRequest {
        user_ids: users.clone(),
    })?;
    state.store.check_client_visible(me.tenant(), id).await?;
    let active = state.store.active_member_ids(me.agency_id, &users).await?;
    if active.len() != users.len() {
        return Err(ApiError::field(
            "user_ids",
            "unknown",
            "names someone who is not an active member of this agency",
        ));
    }
    state
        .store
        .set_client_collaborators(me.tenant(), id, &users, state.now())
        .await?;
    Audit::by(me, "client.collaborators_changed")
        .client(id)
        .with("user_ids", &users)
        .record(state)
        .await;
    reread(state, me, id).await
}

/// Attach or detach a label (idempotent).
pub async fn set_label(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    label_id: Uuid,
    attach: bool,
) -> Result<Client, ApiError> {
    let changed = state
        .store
        .set_client_label(me.tenant(), id, label_id, attach, state.now())
        .await?;
    if changed {
        let action = if attach {
            "client.label_attached"
        } else {
            "client.label_detached"
        };
        Audit::by(me, action)
            .client(id)
            .with("label_id", label_id)
            .record(state)
            .await;
    }
    reread(state, me, id).await
}
