//! The public intake form behind an emailed link, without login (`/api/public/onboarding/{token}`):
//! read the form, save a draft, submit. An unknown, expired, revoked or closed link is a plain `404`
//! that reveals nothing. Limited per client IP (the `public` class, on the scope) and per link (the
//! `public_token` class, keyed by the link's digest, in `services::onboarding::public_intake`).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::onboarding::{IntakeSaved, IntakeValuesRequest, PublicIntake};
use audienceos_shared::Problem;

use crate::auth::identity::client_ip;
use crate::error::ApiError;
use crate::extract::Json;
use crate::services::onboarding::public_intake;
use crate::state::AppState;

/// Open the intake form
///
/// The agency's name and logo, the journey's intro and welcome video, the form's fields and the values
/// saved so far. `404` for an unknown, expired or revoked link.
#[utoipa::path(get, path = "/api/public/onboarding/{token}", tag = "public",
    params(("token" = String, Path, description = "The link token from the welcome email")),
    responses((status = 200, body = PublicIntake), (status = 404, body = Problem),
        (status = 429, body = Problem, description = "`rate_limited`, with `Retry-After`")))]
pub async fn get_intake(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(public_intake::open_form(&state, &token).await?))
}

/// Save a draft of the intake form
///
/// Any subset of the fields; required fields may stay empty, but non-empty values must fit their field
/// (`422` with one error per field, named by field id). Unknown field ids are `422 unknown_field`.
#[utoipa::path(post, path = "/api/public/onboarding/{token}/draft", tag = "public", request_body = IntakeValuesRequest,
    params(("token" = String, Path, description = "The link token from the welcome email")),
    responses((status = 200, body = IntakeSaved), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn save_draft(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: Json<IntakeValuesRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(public_intake::save_draft(&state, &token, body.into_inner()).await?))
}

/// Submit the intake form
///
/// The values sent, over those saved before, are checked field by field (type, required, pattern,
/// options); any error is `422` naming each field by id, and nothing is stored. On success the answers
/// are submitted and the journey's first stage ("Intake Received") is completed.
#[utoipa::path(post, path = "/api/public/onboarding/{token}/submit", tag = "public", request_body = IntakeValuesRequest,
    params(("token" = String, Path, description = "The link token from the welcome email")),
    responses((status = 200, body = IntakeSaved), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn submit_intake(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    body: Json<IntakeValuesRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    Ok(HttpResponse::Ok().json(public_intake::submit(&state, &token, body.into_inner(), ip).await?))
}
