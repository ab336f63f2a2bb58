//! The public intake link: tokens (32 random bytes, looked up by a keyed digest and kept sealed with the
//! token key so the live link can be copied or re-sent without replacing it), its URL, the welcome email
//! that carries it, and revoking, regenerating or re-sending it.

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
use crate::error::{ApiError, Code};
use crate::integrations::crypto::{SecretToken, TokenContext, TokenField};
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

/// The link token sealed for the onboarding `instance_id` of `agency_id` (AES-256-GCM under the token
/// key, bound to both, like provider tokens).
pub fn seal_link(state: &AppState, agency_id: Uuid, instance_id: Uuid, token: &str) -> Result<String, ApiError> {
    state
        .vault
        .keys
        .encrypt_to_stored(&SecretToken::new(token), &link_context(agency_id, instance_id))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("sealing an intake link: {e}")))
}

fn link_context(agency_id: Uuid, instance_id: Uuid) -> TokenContext {
    TokenContext {
        agency_id,
        integration_id: instance_id,
        field: TokenField::IntakeLink,
    }
}

/// The live link of an onboarding, as sent: `409 link_unavailable` when it is revoked or expired, or was
/// issued before links were kept (then only a new link helps).
pub async fn live_link(state: &AppState, me: &Identity, id: Uuid) -> Result<IntakeLinkIssued, ApiError> {
    let row = state.store.get_instance(me.tenant(), id).await?;
    let token = live_token(state, me, &row).await?;
    Ok(IntakeLinkIssued {
        intake_url: intake_url(&state.settings, &token),
        expires_at: row.link_expires_at,
        email_queued: false,
    })
}

/// The token of the instance's live link, opened from its sealed copy.
async fn live_token(state: &AppState, me: &Identity, row: &InstanceRow) -> Result<String, ApiError> {
    let unavailable = |why: &str| ApiError::new(Code::LinkUnavailable, why);
    if row.link_revoked_at.is_some() {
        return Err(unavailable(
            "The link was revoked. Issue a new link to send the client.",
        ));
    }
    if row.link_expires_at <= state.now() {
        return Err(unavailable(
            "The link has expired. Issue a new link to send the client.",
        ));
    }
    let sealed = state.store.sealed_link(me.tenant(), row.id).await?.ok_or_else(|| {
        unavailable("This link was made before links could be shown again. Issue a new link to copy it.")
    })?;
    let token = state
        .vault
        .keys
        .decrypt(&sealed, &link_context(row.agency_id, row.id))
        .map_err(|e| {
            // A key retired from AOS_TOKEN_ENCRYPTION_OLD_KEYS: the link still works, it cannot be shown.
            tracing::warn!(error = %e, instance_id = %row.id, "an intake link could not be opened");
            unavailable("This link can no longer be shown. Issue a new link to copy it.")
        })?;
    Ok(token.expose().to_string())
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

/// Re-send the welcome email with the live link (the one already sent keeps working); a new link only
/// when the live one cannot be sent again (revoked, expired, or issued before links were kept). `422`
/// when the client has no contact email.
pub async fn resend_email(state: &AppState, me: &Identity, id: Uuid) -> Result<IntakeLinkIssued, ApiError> {
    let row = state.store.get_instance(me.tenant(), id).await?;
    if row.client_email.is_none() {
        return Err(ApiError::field(
            "client",
            "no_contact_email",
            "the client has no contact email",
        ));
    }
    let Ok(token) = live_token(state, me, &row).await else {
        return regenerate(state, me, id, true).await;
    };
    let email_queued = send_welcome(state, &row, &token).await?;
    Audit::by(me, "onboarding.link_resent")
        .client(row.client_id)
        .meta(json!({ "instance_id": id, "email_queued": email_queued }))
        .record(state)
        .await;
    Ok(IntakeLinkIssued {
        intake_url: intake_url(&state.settings, &token),
        expires_at: row.link_expires_at,
        email_queued,
    })
}

/// Replace the public link with a new one valid for the agency's link expiry (the old one stops
/// working); with `send`, email it to the client's contact.
pub async fn regenerate(state: &AppState, me: &Identity, id: Uuid, send: bool) -> Result<IntakeLinkIssued, ApiError> {
    let now = state.now();
    let (token, hash) = new_link(&state.settings);
    let sealed = seal_link(state, me.agency_id, id, &token)?;
    let days = state.store.onboarding_link_days(me.agency_id).await?;
    let expires_at = link_expires_at(now, days);
    state
        .store
        .replace_link(me.tenant(), id, &hash, &sealed, expires_at, now)
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
