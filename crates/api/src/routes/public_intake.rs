//! The public intake form behind an emailed link, without login (`/api/public/onboarding/{token}`):
//! read the form, save a draft, submit. An unknown, expired, revoked or closed link is a plain `404`
//! that reveals nothing. Limited per client IP (the `public` class, on the scope) and per link (the
//! `public_token` class, keyed by the link's digest, here).

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::onboarding::{
    FieldType, InstanceStatus, IntakeSaved, IntakeValue, IntakeValuesRequest, PublicAgency, PublicField, PublicIntake,
    PublicJourney,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::client_ip;
use crate::domain::onboarding::intake::check_values;
use crate::error::{validate, ApiError};
use crate::onboarding::link_digest;
use crate::rate_limit::RouteClass;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::onboarding_instances::LinkTarget;

/// Longest token accepted (ours are 43 characters); longer ones are not looked up.
const MAX_TOKEN_LEN: usize = 128;

/// Open the intake form
///
/// The agency's name and logo, the journey's intro and welcome video, the form's fields and the values
/// saved so far. `404` for an unknown, expired or revoked link.
#[utoipa::path(get, path = "/api/public/onboarding/{token}", tag = "public",
    params(("token" = String, Path, description = "The link token from the welcome email")),
    responses((status = 200, body = PublicIntake), (status = 404, body = Problem),
        (status = 429, body = Problem, description = "`rate_limited`, with `Retry-After`")))]
pub async fn get_intake(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let target = open_link(&state, &token).await?;
    let fields = state.store.form_fields(target.agency_id, target.journey_id).await?;
    let values = state
        .store
        .list_responses(target.agency_id, target.id)
        .await?
        .into_iter()
        .filter(|r| fields.iter().any(|f| f.id == r.field_id))
        .map(|r| IntakeValue {
            field_id: r.field_id,
            value: r.value,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PublicIntake {
        agency: PublicAgency {
            name: target.agency_name,
            logo_url: target.logo_url,
        },
        journey: PublicJourney {
            name: target.journey_name,
            intro: target.intro,
            welcome_video_url: target.welcome_video_url,
        },
        fields: fields
            .into_iter()
            .map(|f| PublicField {
                id: f.id,
                label: f.label,
                field_type: FieldType::parse(&f.field_type).unwrap_or(FieldType::Text),
                placeholder: f.placeholder,
                required: f.required,
                options: f.options.0,
                pattern: f.pattern,
            })
            .collect(),
        values,
        submitted_at: target.submitted_at,
    }))
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
    body: web::Json<IntakeValuesRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = open_link(&state, &token).await?;
    let values = checked(&state, &target, body.into_inner(), false).await?;
    let now = state.clock.now();
    state
        .store
        .save_intake(target.agency_id, target.id, &values, false, now)
        .await?;
    // A write without a signed-in caller, so the middleware did not outdate the agency's cached reads.
    state.data_changed(target.agency_id).await;
    Ok(HttpResponse::Ok().json(IntakeSaved {
        saved_at: now,
        submitted_at: target.submitted_at,
    }))
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
    body: web::Json<IntakeValuesRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = open_link(&state, &token).await?;
    let values = checked(&state, &target, body.into_inner(), true).await?;
    let now = state.clock.now();
    state
        .store
        .save_intake(target.agency_id, target.id, &values, true, now)
        .await?;
    // A write without a signed-in caller, so the middleware did not outdate the agency's cached reads.
    state.data_changed(target.agency_id).await;
    Audit::anonymous(
        "onboarding.intake_submitted",
        client_ip(&req, &state.settings.trusted_proxies),
    )
    .agency(target.agency_id)
    .with("instance_id", target.id)
    .record(&state)
    .await;
    Ok(HttpResponse::Ok().json(IntakeSaved {
        saved_at: now,
        submitted_at: Some(now),
    }))
}

/// Count the request against the link, then resolve it; anything but a live link is `404`.
async fn open_link(state: &AppState, token: &str) -> Result<LinkTarget, ApiError> {
    let token = token.trim();
    let hash = link_digest(&state.settings, token);
    state
        .limiter
        .enforce(RouteClass::PublicToken, &format!("link:{}", &hash[..32]))
        .await?;
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(ApiError::NotFound);
    }
    let target = state.store.find_link_target(&hash).await?.ok_or(ApiError::NotFound)?;
    let open = matches!(
        InstanceStatus::parse(&target.status),
        Some(InstanceStatus::Pending | InstanceStatus::InProgress)
    );
    if !open || target.link_revoked_at.is_some() || target.link_expires_at <= state.clock.now() {
        return Err(ApiError::NotFound);
    }
    Ok(target)
}

/// The trimmed values (the last of duplicates wins), checked against the form with the saved answers
/// under them, or `422`.
async fn checked(
    state: &AppState,
    target: &LinkTarget,
    body: IntakeValuesRequest,
    submit: bool,
) -> Result<Vec<(Uuid, String)>, ApiError> {
    validate(&body)?;
    let mut values: Vec<(Uuid, String)> = Vec::new();
    for v in body.values {
        values.retain(|(id, _)| *id != v.field_id);
        values.push((v.field_id, v.value.trim().to_string()));
    }
    let fields = state.store.form_fields(target.agency_id, target.journey_id).await?;
    let mut merged: HashMap<Uuid, String> = state
        .store
        .list_responses(target.agency_id, target.id)
        .await?
        .into_iter()
        .map(|r| (r.field_id, r.value))
        .collect();
    merged.extend(values.iter().cloned());
    let fields: Vec<_> = fields.iter().map(|f| f.form_field()).collect();
    let errors = check_values(&fields, &values, &merged, submit);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(values)
}
