//! Onboarding journeys: list, read, create, edit, replace the ordered stage list, archive. Reading needs
//! `onboarding:read`; changing needs `onboarding:manage` (Owners and Admins). What each does is in
//! `services::onboarding::journeys`.

use actix_web::{web, HttpResponse};
use audienceos_shared::onboarding::{
    CreateJourneyRequest, Journey, ListJourneysQuery, SetJourneyStagesRequest, UpdateJourneyRequest,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{OnboardingManage, OnboardingRead};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::services::onboarding::journeys;
use crate::state::AppState;

/// List journeys
///
/// The default first, then by name. Archived journeys only with `include_archived=true`.
#[utoipa::path(get, path = "/api/v1/onboarding/journeys", tag = "onboarding", params(ListJourneysQuery),
    responses((status = 200, body = [Journey])))]
pub async fn list_journeys(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: Query<ListJourneysQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(journeys::list(&state, &me, q.include_archived).await?))
}

/// Get a journey
#[utoipa::path(get, path = "/api/v1/onboarding/journeys/{id}", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem)))]
pub async fn get_journey(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(journeys::get(&state, &me, id.into_inner()).await?))
}

/// Create a journey
///
/// With its stages in order. `is_default: true` makes it the agency's default.
#[utoipa::path(post, path = "/api/v1/onboarding/journeys", tag = "onboarding", request_body = CreateJourneyRequest,
    responses((status = 201, body = Journey), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_journey(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    body: Json<CreateJourneyRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(journeys::create(&state, &me, body.into_inner()).await?))
}

/// Update a journey
///
/// Name, intro, welcome video, or `is_default: true`. An archived journey cannot become the default.
#[utoipa::path(patch, path = "/api/v1/onboarding/journeys/{id}", tag = "onboarding", request_body = UpdateJourneyRequest,
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`journey_archived`"), (status = 422, body = Problem)))]
pub async fn update_journey(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: Json<UpdateJourneyRequest>,
) -> Result<HttpResponse, ApiError> {
    let journey = journeys::update(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(journey))
}

/// Replace a journey's stages
///
/// The whole ordered list: stages with an `id` are kept (renamed, moved, platforms changed), stages
/// without one are added, stages left out are removed. A stage an onboarding has reached cannot be
/// removed (`409 stage_in_use`).
#[utoipa::path(put, path = "/api/v1/onboarding/journeys/{id}/stages", tag = "onboarding",
    request_body = SetJourneyStagesRequest, params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_in_use`"), (status = 422, body = Problem)))]
pub async fn set_journey_stages(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: Json<SetJourneyStagesRequest>,
) -> Result<HttpResponse, ApiError> {
    let journey = journeys::set_stages(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(journey))
}

/// Archive a journey
///
/// New onboardings can no longer pick it; running ones keep it. The default cannot be archived
/// (`409 journey_is_default`): make another journey the default first.
#[utoipa::path(post, path = "/api/v1/onboarding/journeys/{id}/archive", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`journey_is_default`")))]
pub async fn archive_journey(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(journeys::archive(&state, &me, id.into_inner()).await?))
}
