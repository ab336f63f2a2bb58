//! The public intake form behind an emailed link, without login: open it, save a draft, submit. Anything
//! but a live link is a plain `404` that reveals nothing. Each request counts against the link (the
//! `public_token` rate class, keyed by the link's digest).

use std::collections::HashMap;

use audienceos_shared::onboarding::{
    FieldType, InstanceStatus, IntakeSaved, IntakeValue, IntakeValuesRequest, PublicAgency, PublicField, PublicIntake,
    PublicJourney,
};
use uuid::Uuid;

use super::links::link_digest;
use crate::domain::onboarding::intake::{check_values, normalise_values, sent_values, FormField};
use crate::domain::onboarding::link_is_open;
use crate::error::{validate, ApiError};
use crate::rate_limit::RouteClass;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::onboarding_instances::LinkTarget;

/// Longest token accepted (ours are 43 characters); longer ones are not looked up.
const MAX_TOKEN_LEN: usize = 128;

/// The form behind a link: the agency, the journey's intro, the fields and the values saved so far.
pub async fn open_form(state: &AppState, token: &str) -> Result<PublicIntake, ApiError> {
    let target = open_link(state, token).await?;
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
    Ok(PublicIntake {
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
    })
}

/// Save some values (each checked against its field, required ones may stay empty).
pub async fn save_draft(state: &AppState, token: &str, body: IntakeValuesRequest) -> Result<IntakeSaved, ApiError> {
    let target = open_link(state, token).await?;
    let values = checked(state, &target, body, false).await?;
    let now = state.now();
    state
        .store
        .save_intake(target.agency_id, target.id, &values, false, now)
        .await?;
    // A write without a signed-in caller, so the middleware did not outdate the agency's cached reads.
    state.data_changed(target.agency_id).await;
    Ok(IntakeSaved {
        saved_at: now,
        submitted_at: target.submitted_at,
    })
}

/// Submit the form: every value over the saved ones is checked, then the answers are submitted and the
/// journey's first stage completes; audited as coming from `ip`.
pub async fn submit(
    state: &AppState,
    token: &str,
    body: IntakeValuesRequest,
    ip: String,
) -> Result<IntakeSaved, ApiError> {
    let target = open_link(state, token).await?;
    let values = checked(state, &target, body, true).await?;
    let now = state.now();
    state
        .store
        .save_intake(target.agency_id, target.id, &values, true, now)
        .await?;
    // A write without a signed-in caller, so the middleware did not outdate the agency's cached reads.
    state.data_changed(target.agency_id).await;
    Audit::anonymous("onboarding.intake_submitted", ip)
        .agency(target.agency_id)
        .with("instance_id", target.id)
        .record(state)
        .await;
    Ok(IntakeSaved {
        saved_at: now,
        submitted_at: Some(now),
    })
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
    let status = InstanceStatus::parse(&target.status);
    if !link_is_open(status, target.link_revoked_at, target.link_expires_at, state.now()) {
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
    let fields: Vec<FormField> = state
        .store
        .form_fields(target.agency_id, target.journey_id)
        .await?
        .iter()
        .map(|f| f.form_field())
        .collect();
    let values = normalise_values(&fields, sent_values(body.values));
    let mut merged: HashMap<Uuid, String> = state
        .store
        .list_responses(target.agency_id, target.id)
        .await?
        .into_iter()
        .map(|r| (r.field_id, r.value))
        .collect();
    merged.extend(values.iter().cloned());
    let errors = check_values(&fields, &values, &merged, submit);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(values)
}
