//! Onboarding instances: start one for a client (existing or new) with a public link and a welcome
//! email, list and read them, move their stages (guarded by the stage the caller last saw), record
//! platform verifications, and revoke, regenerate or re-send the link. Reading needs `onboarding:read`
//! (Members see only their clients' onboardings); everything else `onboarding:write`. What each does is
//! in `services::onboarding::{instances, links}`.

use actix_web::{web, HttpResponse};
use audienceos_shared::onboarding::{
    IntakeLinkIssued, ListInstancesQuery, OnboardingInstance, OnboardingInstanceDetail, OnboardingStarted,
    PlatformVerificationRequest, RegenerateLinkRequest, StageTransitionRequest, StartOnboardingRequest,
};
use audienceos_shared::{Page, Problem};
use uuid::Uuid;

use crate::auth::identity::{OnboardingRead, OnboardingWrite};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, OptionalJson, Query};
use crate::services::onboarding::{instances, links};
use crate::state::AppState;

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
    me: Authorized<OnboardingWrite>,
    body: Json<StartOnboardingRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = instances::start(&state, &me, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(started))
}

/// List onboardings
///
/// Newest first, filtered by `status`, current `stage_id`, `client_id` or `journey_id`; keyset-paginated.
#[utoipa::path(get, path = "/api/v1/onboarding/instances", tag = "onboarding", params(ListInstancesQuery),
    responses((status = 200, body = Page<OnboardingInstance>), (status = 422, body = Problem)))]
pub async fn list_instances(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: Query<ListInstancesQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(instances::list(&state, &me, &q).await?))
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
    Ok(HttpResponse::Ok().json(instances::detail(&state, &me, id.into_inner()).await?))
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
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: Json<StageTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let instance = instances::transition_stage(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(instance))
}

/// Record a platform verification
///
/// The state (`pending`, `verified`, `failed`) of one of a stage's platforms; written to the history.
#[utoipa::path(put, path = "/api/v1/onboarding/instances/{id}/platforms", tag = "onboarding",
    request_body = PlatformVerificationRequest, params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstance), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn verify_platform(
    state: web::Data<AppState>,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: Json<PlatformVerificationRequest>,
) -> Result<HttpResponse, ApiError> {
    let instance = instances::verify_platform(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(instance))
}

/// Revoke the public link
///
/// The link stops working at once (the public form answers 404). Regenerate to give the client a new one.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/link/revoke", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = OnboardingInstance), (status = 404, body = Problem)))]
pub async fn revoke_link(
    state: web::Data<AppState>,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(links::revoke(&state, &me, id.into_inner()).await?))
}

/// Get the live public link
///
/// The link already issued (and maybe emailed), to copy or send again; it keeps working. `409
/// link_unavailable` when it is revoked, expired, or was issued before links were kept: then only a new
/// link (`link/regenerate`) helps.
#[utoipa::path(get, path = "/api/v1/onboarding/instances/{id}/link", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = IntakeLinkIssued), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`link_unavailable`")))]
pub async fn get_link(
    state: web::Data<AppState>,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(links::live_link(&state, &me, id.into_inner()).await?))
}

/// Revoke the public link and issue a new one
///
/// The old link stops working; the new one is valid for the agency's link expiry. With `send_email:
/// true` it is also emailed to the client's contact.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/link/regenerate", tag = "onboarding",
    request_body = RegenerateLinkRequest, params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = IntakeLinkIssued), (status = 404, body = Problem)))]
pub async fn regenerate_link(
    state: web::Data<AppState>,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
    body: OptionalJson<RegenerateLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let send = body.into_inner().is_some_and(|b| b.send_email);
    Ok(HttpResponse::Ok().json(links::regenerate(&state, &me, id.into_inner(), send).await?))
}

/// Re-send the welcome email
///
/// Emails the live link again (the one already sent keeps working); only when it cannot be sent again
/// (revoked, expired, or issued before links were kept) is a new link made. `422` when the client has no
/// contact email.
#[utoipa::path(post, path = "/api/v1/onboarding/instances/{id}/resend-email", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Onboarding id")),
    responses((status = 200, body = IntakeLinkIssued), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn resend_email(
    state: web::Data<AppState>,
    me: Authorized<OnboardingWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(links::resend_email(&state, &me, id.into_inner()).await?))
}
