//! Onboarding services shared by the agency routes and the public intake routes: public link tokens
//! (32 random bytes, stored only as a keyed digest) and the welcome email. The rules are in
//! `domain::onboarding`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::tokens::{digest, random_token};
use crate::config::Settings;
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

/// The welcome email with the public link.
pub fn welcome_email(
    agency_id: Uuid,
    agency_name: &str,
    to: &str,
    client_name: &str,
    url: &str,
    expires_at: DateTime<Utc>,
) -> NewEmail {
    let e = crate::domain::onboarding::welcome::welcome_email(agency_name, client_name, url, expires_at);
    NewEmail {
        agency_id: Some(agency_id),
        to: to.to_string(),
        subject: e.subject,
        body_text: e.body_text,
        body_html: Some(e.body_html),
    }
}
