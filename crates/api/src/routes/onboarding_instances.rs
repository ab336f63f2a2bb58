//! Onboarding instances: start one for a client (existing or new) with a public link and a welcome
//! email, list and read them, move their stages (guarded by the stage the caller last saw), record
//! platform verifications, and revoke, regenerate or re-send the link. Reading needs `onboarding:read`
//! (Members see only their clients' onboardings); everything else `onboarding:write`.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::onboarding::{
    FieldType, InstanceStatus, IntakeLink, IntakeLinkIssued, IntakeResponse, LinkState, ListInstancesQuery,
    OnboardingClient, OnboardingInstance, OnboardingInstanceDetail, OnboardingStarted, PlatformState,
    PlatformVerification, PlatformVerificationRequest, RegenerateLinkRequest, StageAction, StageState, StageStatus,
    StageTransition, StageTransitionRequest, StartOnboardingRequest,
};
use audienceos_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use audienceos_shared::permissions::{Action, Resource};
use audienceos_shared::team::UserRef;
use audienceos_shared::{Page, Problem};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{OnboardingRead, OnboardingWrite};
use crate::auth::{Authorized, Identity};
use crate::domain::onboarding::TransitionRequest;
use crate::domain::text::{clean, normalise_website};
use crate::error::{validate, validate_reporting_on, ApiError, Code};
use crate::onboarding::{intake_url, new_link, welcome_email};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::client_ops::MoveOutcome;
use crate::store::clients::NewClient;
use crate::store::onboarding_instances::{
    InstanceFilter, InstanceRow, NewInstance, StageStatusRow, TransitionOutcome, VerifyOutcome,
};
use crate::store::StoreError;

/// Start onboarding a client
///
/// For an existing client (`client_id`) or a new one (`client`), through `journey_id` or the agency's
/// default journey. Creates the onboarding in the journey's first stage, a public link valid for the
/// agency's link expiry (default 30 days) and, unless `send_email` is false, queues the welcome email
/// with the link to the client's contact. The link is shown only in this answer. A client has at most
/// one running onboarding (`409 onboarding_in_progress`).
#[utoipa::path(post, path = "/api/v1/onboarding/instances", tag = "onboarding", request_body = StartOnboardingRequest,
    responses((status = 201, body = OnboardingStarted), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "`onboarding_in_progress`, `contact_email_taken`, `no_default_journey`"),
        (status = 422, body = Problem)))]
pub async fn start_onboarding(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    body: web::Json<StartOnboardingRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut b = body.into_inner();
    if let Some(c) = b.client.as_mut() {
        c.name = c.name.trim().to_string();
        c.contact_email = c.contact_email.trim().to_string();
        c.contact_name = clean(c.contact_name.take());
        c.website = clean(c.website.take()).map(|w| normalise_website(&w));
    }
    validate(&b)?;
    let journey_id = pick_journey(&state, me.agency_id, b.journey_id).await?;
    let client_id = match (b.client_id, b.client.take()) {
        (Some(id), None) => known_client(&state, &me, id).await?,
        (None, Some(c)) => create_client(&state, &req, &me, c).await?,
        _ => {
            return Err(ApiError::field(
                "client_id",
                "exclusive",
                "send either client_id or client",
            ))
        }
    };
    let now = state.clock.now();
    let (token, hash) = new_link(&state.settings);
    let days = state.store.onboarding_link_days(me.agency_id).await?;
    let new = NewInstance {
        client_id,
        journey_id,
        link_token_hash: hash,
        link_expires_at: now + chrono::Duration::days(days),
        created_by: Some(me.user_id),
    };
    let id = state.store.insert_instance(me.agency_id, &new, now).await?;
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    let email_queued = b.send_email && send_welcome(&state, &row, &token).await?;
    enqueue_seo(&state, me.agency_id, client_id, id).await;
    Audit::by(&me, "onboarding.started")
        .client(client_id)
        .meta(json!({ "instance_id": id }))
        .record(&state)
        .await;
    let link = IntakeLinkIssued {
        intake_url: intake_url(&state.settings, &token),
        expires_at: row.link_expires_at,
        email_queued,
    };
    let instance = one_dto(&state, row).await?;
    Ok(HttpResponse::Created().json(OnboardingStarted { instance, link }))
}

/// List onboardings
///
/// Newest first, filtered by `status`, current `stage_id`, `client_id` or `journey_id`; keyset-paginated.
#[utoipa::path(get, path = "/api/v1/onboarding/instances", tag = "onboarding", params(ListInstancesQuery),
    responses((status = 200, body = Page<OnboardingInstance>), (status = 422, body = Problem)))]
pub async fn list_instances(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: web::Query<ListInstancesQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let filter = InstanceFilter {
        status: q.status.map(|s| s.as_str().to_string()),
        stage_id: q.stage_id,
        client_id: q.client_id,
        journey_id: q.journey_id,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (rows, next_cursor) = state
        .store
        .list_instances(me.agency_id, me.client_scope(), &filter, limit, q.cursor.as_deref())
        .await?;
    let items = instance_dtos(&state, me.agency_id, rows).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Get an onboarding
///
/// With its stages (statuses and platform verifications), the client's answers and the history.
#[utoipa::path(get, path = "/api/v1/onboarding/instances/{id}", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstanceDetail), (status = 404, body = Problem)))]
pub async fn get_instance(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .store
        .get_instance(me.agency_id, me.client_scope(), id.into_inner())
        .await?;
    let responses = state
        .store
        .list_responses(me.agency_id, row.id)
        .await?
        .into_iter()
        .map(|r| IntakeResponse {
            field_id: r.field_id,
            label: r.label,
            field_type: FieldType::parse(&r.field_type).unwrap_or(FieldType::Text),
            value: r.value,
            submitted: r.submitted_at.is_some(),
            updated_at: r.updated_at,
        })
        .collect();
    let history = state
        .store
        .list_transitions(me.agency_id, row.id)
        .await?
        .into_iter()
        .map(|t| StageTransition {
            id: t.id,
            stage_id: t.stage_id,
            stage_name: t.stage_name,
            action: StageAction::parse(&t.action).unwrap_or(StageAction::SetCurrent),
            from_status: t.from_status.as_deref().and_then(StageState::parse),
            to_status: t.to_status.as_deref().and_then(StageState::parse),
            reason: t.reason,
            actor: user_ref(t.actor_user_id, t.actor_first_name, t.actor_last_name),
            at: t.created_at,
        })
        .collect();
    let instance = one_dto(&state, row).await?;
    Ok(HttpResponse::Ok().json(OnboardingInstanceDetail {
        instance,
        responses,
        history,
    }))
}

/// Move or change a stage of an onboarding
///
/// `from_stage_id` is the current stage the caller last saw; if the onboarding has moved since, nothing
/// changes and the answer is `409 stage_conflict`. `set_current` makes `stage_id` the current stage (the
/// board's drag and drop); `complete` completes it (the current stage moves on to the next open one);
/// `block` needs a `reason`; `reopen` puts it back in progress. Each transition goes to the history and
/// the audit log. When every stage is completed the onboarding completes and the client moves to the
/// next pipeline stage.
#[utoipa::path(patch, path = "/api/v1/onboarding/instances/{id}/stage", tag = "onboarding",
    request_body = StageTransitionRequest, params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstance), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_conflict`, `onboarding_in_progress` (reopening while another runs)"),
        (status = 422, body = Problem)))]
pub async fn transition_stage(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: web::Json<StageTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.reason = clean(b.reason.take());
    validate_reporting_on(&b, "reason")?;
    if !b.action.is_requestable() {
        return Err(ApiError::field(
            "action",
            "invalid",
            "must be set_current, complete, block or reopen",
        ));
    }
    let now = state.clock.now();
    let request = TransitionRequest {
        from_stage_id: b.from_stage_id,
        action: b.action,
        stage_id: b.stage_id,
        reason: b.reason.clone(),
    };
    let outcome = state
        .store
        .transition_instance(me.agency_id, me.client_scope(), id, &request, Some(me.user_id), now)
        .await?;
    let (plan, completed_now) = match outcome {
        TransitionOutcome::Done { plan, completed_now } => (plan, completed_now),
        TransitionOutcome::Conflict {
            current_id,
            current_name,
        } => {
            return Err(ApiError::new(Code::StageConflict, format!(
                    "The onboarding has moved to \"{current_name}\" (stage {current_id}) since you loaded it; reload and try again."
                )))
        }
        TransitionOutcome::UnknownStage => {
            return Err(ApiError::field("stage_id", "unknown", "is not a stage of this onboarding's journey"))
        }
    };
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    let meta = json!({ "instance_id": id, "stage_id": plan.target, "stage": plan.target_name, "action": b.action.as_str(),
        "from_status": plan.from_status.as_str(), "to_status": plan.to_status.as_str() });
    Audit::by(&me, "onboarding.stage_transition")
        .client(row.client_id)
        .meta(meta)
        .record(&state)
        .await;
    if completed_now {
        advance_client(&state, &req, &me, &row).await?;
    }
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Record a platform verification
///
/// The state (`pending`, `verified`, `failed`) of one of a stage's platforms; written to the history.
#[utoipa::path(put, path = "/api/v1/onboarding/instances/{id}/platforms", tag = "onboarding",
    request_body = PlatformVerificationRequest, params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstance), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn verify_platform(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: web::Json<PlatformVerificationRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.platform = b.platform.trim().to_uppercase();
    validate(&b)?;
    let outcome = state
        .store
        .verify_platform(
            me.agency_id,
            me.client_scope(),
            id,
            b.stage_id,
            &b.platform,
            b.state,
            Some(me.user_id),
            state.clock.now(),
        )
        .await?;
    match outcome {
        VerifyOutcome::Done { .. } => {}
        VerifyOutcome::UnknownStage => {
            return Err(ApiError::field(
                "stage_id",
                "unknown",
                "is not a stage of this onboarding's journey",
            ))
        }
        VerifyOutcome::UnknownPlatform => {
            return Err(ApiError::field(
                "platform",
                "unknown",
                "is not a platform this stage verifies",
            ))
        }
    }
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    let meta = json!({ "instance_id": id, "stage_id": b.stage_id, "platform": b.platform, "state": b.state.as_str() });
    Audit::by(&me, "onboarding.platform_verified")
        .client(row.client_id)
        .meta(meta)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Revoke the public link
///
/// The link stops working at once (the public form answers 404). Regenerate to give the client a new one.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/link/revoke", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstance), (status = 404, body = Problem)))]
pub async fn revoke_link(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .store
        .revoke_link(me.agency_id, me.client_scope(), id, state.clock.now())
        .await?;
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    Audit::by(&me, "onboarding.link_revoked")
        .client(row.client_id)
        .meta(json!({ "instance_id": id }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Make a new public link
///
/// The old link stops working; the new one is valid for the agency's link expiry and shown only in
/// this answer. With `send_email: true` it is also emailed to the client's contact.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/link/regenerate", tag = "onboarding",
    request_body = RegenerateLinkRequest, params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = IntakeLinkIssued), (status = 404, body = Problem)))]
pub async fn regenerate_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: Option<web::Json<RegenerateLinkRequest>>,
) -> Result<HttpResponse, ApiError> {
    let send = body.is_some_and(|b| b.send_email);
    let issued = reissue(&state, &req, &me, id.into_inner(), send).await?;
    Ok(HttpResponse::Ok().json(issued))
}

/// Re-send the welcome email
///
/// Only the link's digest is kept, so this makes a new link (the old one stops working) and emails it
/// to the client's contact; `422` when the client has no contact email.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/resend-email", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = IntakeLinkIssued), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn resend_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state.store.get_instance(me.agency_id, me.client_scope(), id).await?;
    if row.client_email.is_none() {
        return Err(ApiError::field(
            "client",
            "no_contact_email",
            "the client has no contact email",
        ));
    }
    Ok(HttpResponse::Ok().json(reissue(&state, &req, &me, id, true).await?))
}

async fn reissue(
    state: &AppState,
    _req: &HttpRequest,
    me: &Identity,
    id: Uuid,
    send: bool,
) -> Result<IntakeLinkIssued, ApiError> {
    let now = state.clock.now();
    let (token, hash) = new_link(&state.settings);
    let days = state.store.onboarding_link_days(me.agency_id).await?;
    let expires_at = now + chrono::Duration::days(days);
    state
        .store
        .replace_link(me.agency_id, me.client_scope(), id, &hash, expires_at, now)
        .await?;
    let row = state.store.get_instance(me.agency_id, None, id).await?;
    let email_queued = send && send_welcome(state, &row, &token).await?;
    let meta = json!({ "instance_id": id, "email_queued": email_queued });
    Audit::by(me, "onboarding.link_regenerated")
        .client(row.client_id)
        .meta(meta)
        .record(state)
        .await;
    Ok(IntakeLinkIssued {
        intake_url: intake_url(&state.settings, &token),
        expires_at,
        email_queued,
    })
}

/// Queue the welcome email to the client's contact; false when there is none.
async fn send_welcome(state: &AppState, row: &InstanceRow, token: &str) -> Result<bool, ApiError> {
    let Some(to) = row.client_email.as_deref() else {
        return Ok(false);
    };
    let agency = state.store.get_agency(row.agency_id).await?;
    let url = intake_url(&state.settings, token);
    let email = welcome_email(
        row.agency_id,
        &agency.name,
        to,
        &row.client_name,
        &url,
        row.link_expires_at,
    );
    state.store.queue_email(&email, crate::store::now()).await?;
    state.jobs.notify();
    Ok(true)
}

/// The given journey (422 when unknown or archived), else the agency's default.
async fn pick_journey(state: &AppState, agency_id: Uuid, id: Option<Uuid>) -> Result<Uuid, ApiError> {
    let Some(id) = id else {
        return match state.store.default_journey(agency_id).await {
            Ok(j) => Ok(j.id),
            Err(StoreError::NotFound) => Err(ApiError::new(
                Code::NoDefaultJourney,
                "The agency has no default journey; pick one or make one the default.",
            )),
            Err(e) => Err(e.into()),
        };
    };
    match state.store.get_journey(agency_id, id).await {
        Ok(j) if j.archived_at.is_none() => Ok(j.id),
        Ok(_) => Err(ApiError::field("journey_id", "archived", "is archived")),
        Err(StoreError::NotFound) => Err(ApiError::field(
            "journey_id",
            "unknown",
            "is not a journey of this agency",
        )),
        Err(e) => Err(e.into()),
    }
}

/// 422 on `client_id` unless the caller may see the client.
async fn known_client(state: &AppState, me: &Identity, id: Uuid) -> Result<Uuid, ApiError> {
    match state.store.get_client(me.agency_id, me.client_scope(), id).await {
        Ok(c) => Ok(c.id),
        Err(StoreError::NotFound) => Err(ApiError::field(
            "client_id",
            "unknown",
            "is not a client of this agency",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Enrich the client's website in the background (when it has one and the provider is configured). A
/// failure here never fails the start: it is logged, and the client can be enriched by hand.
async fn enqueue_seo(state: &AppState, agency_id: Uuid, client_id: Uuid, instance_id: Uuid) {
    let queued = match state.store.get_client(agency_id, None, client_id).await {
        Ok(c) => {
            crate::seo::enqueue_for_onboarding(state, agency_id, client_id, instance_id, c.website.as_deref()).await
        }
        Err(e) => Err(e.into()),
    };
    if let Err(e) = queued {
        tracing::warn!(error.cause_chain = ?e, "could not enqueue the SEO enrichment of an onboarding client");
    }
}

/// Create the client in the first pipeline stage (needs `clients:write`).
async fn create_client(
    state: &AppState,
    _req: &HttpRequest,
    me: &Identity,
    c: audienceos_shared::onboarding::NewOnboardingClient,
) -> Result<Uuid, ApiError> {
    if !me.can(Resource::Clients, Action::Write) {
        return Err(ApiError::forbidden(
            "Creating a client needs the clients:write permission.",
        ));
    }
    let now = crate::store::now();
    let new = NewClient {
        name: c.name,
        contact_name: c.contact_name,
        contact_email: Some(c.contact_email),
        website: c.website,
        stage_id: state.store.first_stage(me.agency_id).await?.id,
        ..NewClient::default()
    };
    let id = state
        .store
        .insert_client(me.agency_id, Some(me.user_id), &new, now)
        .await?;
    state.store.refresh_health(me.agency_id, Some(id), now).await?;
    Audit::by(me, "client.created")
        .client(id)
        .meta(json!({ "via": "onboarding" }))
        .record(state)
        .await;
    Ok(id)
}

/// The onboarding completed: move its client to the next pipeline stage (if any), with a stage event,
/// refreshed health and an audit entry. A client moved meanwhile by someone else stays where it is.
async fn advance_client(
    state: &AppState,
    _req: &HttpRequest,
    me: &Identity,
    row: &InstanceRow,
) -> Result<(), ApiError> {
    let stages = state.store.list_stages(me.agency_id).await?;
    let Some(next) = stages
        .iter()
        .position(|s| s.id == row.client_stage_id)
        .and_then(|i| stages.get(i + 1))
    else {
        return Ok(());
    };
    let now = crate::store::now();
    let outcome = state
        .store
        .move_client_stage(
            me.agency_id,
            None,
            row.client_id,
            row.client_stage_id,
            next.id,
            Some(me.user_id),
            Some("Onboarding completed"),
            now,
        )
        .await?;
    if let MoveOutcome::Moved { from_name, to_name } = outcome {
        state
            .store
            .refresh_health(me.agency_id, Some(row.client_id), now)
            .await?;
        let meta = json!({ "from_stage_id": row.client_stage_id, "from_stage": from_name, "to_stage_id": next.id,
            "to_stage": to_name, "via": "onboarding_completed" });
        Audit::by(me, "client.stage_moved")
            .client(row.client_id)
            .meta(meta)
            .record(state)
            .await;
    }
    Ok(())
}

/// One onboarding's response.
pub async fn one_dto(state: &AppState, row: InstanceRow) -> Result<OnboardingInstance, ApiError> {
    let agency_id = row.agency_id;
    let mut v = instance_dtos(state, agency_id, vec![row]).await?;
    v.pop().ok_or(ApiError::NotFound)
}

/// Onboarding rows (of one agency) to responses, with their stages fetched in one batch.
pub async fn instance_dtos(
    state: &AppState,
    agency_id: Uuid,
    rows: Vec<InstanceRow>,
) -> Result<Vec<OnboardingInstance>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let statuses = state.store.instance_stage_statuses(agency_id, &ids).await?;
    let now = state.clock.now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let stages = statuses
                .iter()
                .filter(|s| s.instance_id == r.id)
                .map(stage_dto)
                .collect();
            instance_dto(r, stages, now)
        })
        .collect())
}

fn instance_dto(r: InstanceRow, stages: Vec<StageStatus>, now: DateTime<Utc>) -> OnboardingInstance {
    let state = if r.link_revoked_at.is_some() {
        LinkState::Revoked
    } else if r.link_expires_at <= now {
        LinkState::Expired
    } else {
        LinkState::Active
    };
    OnboardingInstance {
        id: r.id,
        client: OnboardingClient {
            id: r.client_id,
            name: r.client_name,
            contact_email: r.client_email,
            stage_id: r.client_stage_id,
            stage: r.client_stage,
        },
        journey_id: r.journey_id,
        journey_name: r.journey_name,
        status: InstanceStatus::parse(&r.status).unwrap_or(InstanceStatus::Pending),
        current_stage_id: r.current_stage_id,
        current_stage: r.current_stage,
        stages,
        link: IntakeLink {
            state,
            created_at: r.link_created_at,
            expires_at: r.link_expires_at,
            revoked_at: r.link_revoked_at,
        },
        created_by: user_ref(r.created_by, r.creator_first_name, r.creator_last_name),
        submitted_at: r.submitted_at,
        completed_at: r.completed_at,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn stage_dto(s: &StageStatusRow) -> StageStatus {
    let verified = s.platform_statuses.as_ref().map(|j| &j.0);
    StageStatus {
        stage_id: s.stage_id,
        name: s.name.clone(),
        position: s.position,
        status: s
            .status
            .as_deref()
            .and_then(StageState::parse)
            .unwrap_or(StageState::Pending),
        blocked_reason: s.blocked_reason.clone(),
        platforms: s
            .platforms
            .0
            .iter()
            .map(|p| PlatformVerification {
                platform: p.clone(),
                state: match verified.and_then(|m| m.get(p)).map(String::as_str) {
                    Some("verified") => PlatformState::Verified,
                    Some("failed") => PlatformState::Failed,
                    _ => PlatformState::Pending,
                },
            })
            .collect(),
        completed_at: s.completed_at,
        completed_by: user_ref(
            s.completed_by,
            s.completer_first_name.clone(),
            s.completer_last_name.clone(),
        ),
    }
}

fn user_ref(id: Option<Uuid>, first: Option<String>, last: Option<String>) -> Option<UserRef> {
    id.map(|id| UserRef {
        id,
        name: format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
            .trim()
            .to_string(),
    })
}
