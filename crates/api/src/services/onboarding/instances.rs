//! Onboarding instances: start one for a client (existing or new) with a public link, the welcome email
//! and the SEO job; list and read them; move their stages (and, when the onboarding completes, the
//! client's pipeline stage); record platform verifications.

use audienceos_shared::onboarding::{
    IntakeLinkIssued, ListInstancesQuery, NewOnboardingClient, OnboardingInstance, OnboardingInstanceDetail,
    OnboardingStarted, PlatformVerificationRequest, StageTransitionRequest, StartOnboardingRequest,
};
use audienceos_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use audienceos_shared::permissions::{Action, Resource};
use audienceos_shared::Page;
use serde_json::json;
use uuid::Uuid;

use super::links::{intake_url, new_link, seal_link, send_welcome};
use super::views::{instance_dtos, one_dto, response_dto, transition_dto};
use crate::auth::Identity;
use crate::domain::onboarding::{link_expires_at, normalise_new_client, platform_code, TransitionRequest};
use crate::domain::tenant::Tenant;
use crate::domain::text::clean;
use crate::error::{validate, validate_reporting_on, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::clients::stage_moves::MoveOutcome;
use crate::store::clients::NewClient;
use crate::store::onboarding_instances::{InstanceFilter, InstanceRow, NewInstance, TransitionOutcome, VerifyOutcome};
use crate::store::StoreError;

/// Start onboarding a client: the instance in the journey's first stage, a public link valid for the
/// agency's link expiry, the welcome email (unless `send_email` is false), the SEO job and the audit
/// entries. The token is in the answer only.
pub async fn start(
    state: &AppState,
    me: &Identity,
    mut b: StartOnboardingRequest,
) -> Result<OnboardingStarted, ApiError> {
    if let Some(c) = b.client.as_mut() {
        normalise_new_client(c);
    }
    validate(&b)?;
    let journey_id = pick_journey(state, me.agency_id, b.journey_id).await?;
    let client_id = match (b.client_id, b.client.take()) {
        (Some(id), None) => known_client(state, me, id).await?,
        (None, Some(c)) => create_client(state, me, c).await?,
        _ => {
            return Err(ApiError::field(
                "client_id",
                "exclusive",
                "send either client_id or client",
            ))
        }
    };
    let now = state.now();
    let (token, hash) = new_link(&state.settings);
    let days = state.store.onboarding_link_days(me.agency_id).await?;
    let id = crate::store::new_id();
    let new = NewInstance {
        id,
        link_token_sealed: seal_link(state, me.agency_id, id, &token)?,
        client_id,
        journey_id,
        link_token_hash: hash,
        link_expires_at: link_expires_at(now, days),
        created_by: Some(me.user_id),
    };
    let id = state.store.insert_instance(me.agency_id, &new, now).await?;
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
    let email_queued = b.send_email && send_welcome(state, &row, &token).await?;
    enqueue_seo(state, me.agency_id, client_id, id).await;
    Audit::by(me, "onboarding.started")
        .client(client_id)
        .meta(json!({ "instance_id": id }))
        .record(state)
        .await;
    let link = IntakeLinkIssued {
        intake_url: intake_url(&state.settings, &token),
        expires_at: row.link_expires_at,
        email_queued,
    };
    let instance = one_dto(state, row).await?;
    Ok(OnboardingStarted { instance, link })
}

/// Onboardings the caller may see, newest first, filtered and keyset-paginated.
pub async fn list(
    state: &AppState,
    me: &Identity,
    q: &ListInstancesQuery,
) -> Result<Page<OnboardingInstance>, ApiError> {
    validate(q)?;
    let filter = InstanceFilter {
        status: q.status.map(|s| s.as_str().to_string()),
        stage_id: q.stage_id,
        client_id: q.client_id,
        journey_id: q.journey_id,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (rows, next_cursor) = state
        .store
        .list_instances(me.tenant(), &filter, limit, q.cursor.as_deref())
        .await?;
    let items = instance_dtos(state, me.agency_id, rows).await?;
    Ok(Page { items, next_cursor })
}

/// One onboarding with its stages, the client's answers and the history.
pub async fn detail(state: &AppState, me: &Identity, id: Uuid) -> Result<OnboardingInstanceDetail, ApiError> {
    let row = state.store.get_instance(me.tenant(), id).await?;
    let responses = state.store.list_responses(me.agency_id, row.id).await?;
    let history = state.store.list_transitions(me.agency_id, row.id).await?;
    Ok(OnboardingInstanceDetail {
        instance: one_dto(state, row).await?,
        responses: responses.into_iter().map(response_dto).collect(),
        history: history.into_iter().map(transition_dto).collect(),
    })
}

/// Move or change a stage, guarded by the stage the caller last saw (`409 stage_conflict`); audited.
/// When this completes the onboarding, the client moves to the next pipeline stage.
pub async fn transition_stage(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut b: StageTransitionRequest,
) -> Result<OnboardingInstance, ApiError> {
    b.reason = clean(b.reason.take());
    validate_reporting_on(&b, "reason")?;
    if !b.action.is_requestable() {
        return Err(ApiError::field(
            "action",
            "invalid",
            "must be set_current, complete, block or reopen",
        ));
    }
    let request = TransitionRequest {
        from_stage_id: b.from_stage_id,
        action: b.action,
        stage_id: b.stage_id,
        reason: b.reason.clone(),
    };
    let outcome = state
        .store
        .transition_instance(me.tenant(), id, &request, Some(me.user_id), state.now())
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
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
    let meta = json!({ "instance_id": id, "stage_id": plan.target, "stage": plan.target_name, "action": b.action.as_str(),
        "from_status": plan.from_status.as_str(), "to_status": plan.to_status.as_str() });
    Audit::by(me, "onboarding.stage_transition")
        .client(row.client_id)
        .meta(meta)
        .record(state)
        .await;
    if completed_now {
        advance_client(state, me, &row).await?;
    }
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
    one_dto(state, row).await
}

/// Record the verification state of one of a stage's platforms; written to the history and audited.
pub async fn verify_platform(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut b: PlatformVerificationRequest,
) -> Result<OnboardingInstance, ApiError> {
    b.platform = platform_code(&b.platform);
    validate(&b)?;
    let outcome = state
        .store
        .verify_platform(
            me.tenant(),
            id,
            b.stage_id,
            &b.platform,
            b.state,
            Some(me.user_id),
            state.now(),
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
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
    let meta = json!({ "instance_id": id, "stage_id": b.stage_id, "platform": b.platform, "state": b.state.as_str() });
    Audit::by(me, "onboarding.platform_verified")
        .client(row.client_id)
        .meta(meta)
        .record(state)
        .await;
    one_dto(state, row).await
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
    match state.store.get_client(me.tenant(), id).await {
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
    let queued = match state
        .store
        .get_client(crate::domain::tenant::Tenant::agency(agency_id), client_id)
        .await
    {
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
async fn create_client(state: &AppState, me: &Identity, c: NewOnboardingClient) -> Result<Uuid, ApiError> {
    if !me.can(Resource::Clients, Action::Write) {
        return Err(ApiError::forbidden(
            "Creating a client needs the clients:write permission.",
        ));
    }
    let now = state.now();
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
async fn advance_client(state: &AppState, me: &Identity, row: &InstanceRow) -> Result<(), ApiError> {
    let stages = state.store.list_stages(me.agency_id).await?;
    let Some(next) = stages
        .iter()
        .position(|s| s.id == row.client_stage_id)
        .and_then(|i| stages.get(i + 1))
    else {
        return Ok(());
    };
    let now = state.now();
    let outcome = state
        .store
        .move_client_stage(
            Tenant::agency(me.agency_id),
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
