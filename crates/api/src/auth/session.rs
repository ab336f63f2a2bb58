//! Sessions for the SPA: an opaque random token in the HttpOnly `aos_session` cookie (stored as a digest),
//! and a CSRF token bound to the session in the readable `aos_csrf` cookie (double submit).

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::HttpRequest;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::tokens::{digest, random_token};
use crate::auth::identity::client_ip;
use crate::state::AppState;
use crate::store::sessions::NewSession;
use crate::store::StoreResult;

pub const SESSION_COOKIE: &str = "aos_session";
pub const CSRF_COOKIE: &str = "aos_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const SESSION_PURPOSE: &str = "session";

/// A session just created: the cookie values to send once.
pub struct IssuedSession {
    pub id: Uuid,
    pub token: String,
    pub csrf_token: String,
    pub absolute_expires_at: DateTime<Utc>,
}

/// Create a session for the user and return its tokens.
pub async fn start(
    state: &AppState,
    req: &HttpRequest,
    user_id: Uuid,
    agency_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<IssuedSession> {
    let token = random_token();
    let csrf_token = random_token();
    let idle = Duration::minutes(state.settings.session_idle_minutes);
    let absolute = now + Duration::hours(state.settings.session_absolute_hours);
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect());
    let id = state
        .store
        .insert_session(
            &NewSession {
                user_id,
                agency_id,
                token_hash: digest(state.settings.secrets.session_key.expose(), SESSION_PURPOSE, &token),
                csrf_token: csrf_token.clone(),
                ip: Some(client_ip(req, &state.settings.trusted_proxies)),
                user_agent,
                idle_expires_at: (now + idle).min(absolute),
                absolute_expires_at: absolute,
            },
            now,
        )
        .await?;
    Ok(IssuedSession {
        id,
        token,
        csrf_token,
        absolute_expires_at: absolute,
    })
}

/// The two cookies of a session.
pub fn cookies(state: &AppState, s: &IssuedSession, now: DateTime<Utc>) -> [Cookie<'static>; 2] {
    let secure = state.settings.env.is_production() || state.settings.public_url.scheme() == "https";
    let max_age = time::Duration::seconds((s.absolute_expires_at - now).num_seconds().max(0));
    let session = Cookie::build(SESSION_COOKIE, s.token.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish();
    let csrf = Cookie::build(CSRF_COOKIE, s.csrf_token.clone())
        .path("/")
        .http_only(false)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish();
    [session, csrf]
}

/// Cookies that delete the session cookies.
pub fn removal_cookies() -> [Cookie<'static>; 2] {
    let mut a = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish();
    a.make_removal();
    let mut b = Cookie::build(CSRF_COOKIE, "")
        .path("/")
        .same_site(SameSite::Lax)
        .finish();
    b.make_removal();
    [a, b]
}
