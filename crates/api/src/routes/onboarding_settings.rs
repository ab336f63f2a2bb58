//! The agency's onboarding settings: how long a public intake link stays valid.

use actix_web::{web, HttpResponse};
use audienceos_shared::onboarding::OnboardingSettings;
use audienceos_shared::Problem;

use crate::auth::identity::{OnboardingManage, OnboardingRead};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Json;
use crate::services::onboarding::settings;
use crate::state::AppState;

/// Get the onboarding settings
#[utoipa::path(get, path = "/api/v1/onboarding/settings", tag = "onboarding",
    responses((status = 200, body = OnboardingSettings)))]
pub async fn get_onboarding_settings(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(settings::get(&state, &me).await?))
}

/// Set the onboarding settings
///
/// Applies to links made from now on; existing links keep their expiry.
#[utoipa::path(put, path = "/api/v1/onboarding/settings", tag = "onboarding", request_body = OnboardingSettings,
    responses((status = 200, body = OnboardingSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_onboarding_settings(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    body: Json<OnboardingSettings>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(settings::set(&state, &me, body.into_inner()).await?))
}
