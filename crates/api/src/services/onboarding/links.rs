//! The public intake link: tokens (32 random bytes, stored only as a keyed digest), its URL, the welcome
//! email that carries it, and revoking, regenerating or re-sending it.

use audienceos_shared::onboarding::{IntakeLinkIssued, OnboardingInstance};
use serde_json::json;
use uuid::Uuid;

use super::views::one_dto;
use crate::auth::tokens::{digest, random_token};
use crate::auth::Identity;
use crate::config::Settings;
use crate::domain::onboarding::link_expires_at;
use crate::domain::onboarding::welcome::welcome_email;
use crate::domain::tenant::Tenant;
use crate::error::ApiError;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::onboarding_instances::InstanceRow;
use crate::store::outbox::NewEmail;

/// The digest purpose of onboarding link tokens (distinct from sessions, API keys and resets).
pub const LINK_PURPOSE: &str = "onboarding_link";

/// A fresh link token and its digest.
pub fn new_link(settings: &Settings) -> (String, String) {
    let token = random_token();
    let hash = link_digest(settings, &token);
    (token, hash)
}

/// The stored form of a link token.
pub fn link_digest(settings: &Settings, token: &str) -> String {
    digest(settings.secrets.session_key.expose(), LINK_PURPOSE, token)
}

/// `{public_url}/intake/{token}`.
pub fn intake_url(settings: &Settings, token: &str) -> String {
    format!("{}/intake/{token}", settings.public_url.as_str().trim_end_matches('/'))
}

/// Queue the welcome email to the client's contact; false when there is none.
pub async fn send_welcome(state: &AppState, row: &InstanceRow, token: &str) -> Result<bool, ApiError> {
    let Some(to) = row.client_email.as_deref() else {
        return Ok(false);
    };
    let agency = state.store.get_agency(row.agency_id).await?;
    let url = intake_url(&state.settings, token);
    let e = welcome_email(&agency.name, &row.client_name, &url, row.link_expires_at);
    let email = NewEmail {
        agency_id: Some(row.agency_id),
        to: to.to_string(),
        subject: e.subject,
        body_text: e.body_text,
        body_html: Some(e.body_html),
    };
    // System time, not the app clock: the job worker claims due jobs by system time, so a shifted test
    // clock must not postpone the email.
    state.store.queue_email(&email, crate::clock::system_now()).await?;
    state.jobs.notify();
    Ok(true)
}

/// Revoke the public link: it stops working at once.
pub async fn revoke(state: &AppState, me: &Identity, id: Uuid) -> Result<OnboardingInstance, ApiError> {
    state.store.revoke_link(me.tenant(), id, state.now()).await?;
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
    Audit::by(me, "onboarding.link_revoked")
        .client(row.client_id)
        .meta(json!({ "instance_id": id }))
        .record(state)
        .await;
    one_dto(state, row).await
}

/// Re-send the welcome email: a new link (only the old one's digest is kept) emailed to the client's
/// contact; `422` when the client has none.
pub async fn resend_email(state: &AppState, me: &Identity, id: Uuid) -> Result<IntakeLinkIssued, ApiError> {
    let row = state.store.get_instance(me.tenant(), id).await?;
    if row.client_email.is_none() {
        return Err(ApiError::field(
            "client",
            "no_contact_email",
            "the client has no contact email",
        ));
    }
    regenerate(state, me, id, true).await
}

/// Replace the public link with a new one valid for the agency's link expiry (the old one stops
/// working); with `send`, email it to the client's contact.
pub async fn regenerate(state: &AppState, me: &Identity, id: Uuid, send: bool) -> Result<IntakeLinkIssued, ApiError> {
    let now = state.now();
    let (token, hash) = new_link(&state.settings);
    let days = state.store.onboarding_link_days(me.agency_id).await?;
    let expires_at = link_expires_at(now, days);
    state
        .store
        .replace_link(me.tenant(), id, &hash, expires_at, now)
        .await?;
    let row = state.store.get_instance(Tenant::agency(me.agency_id), id).await?;
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
