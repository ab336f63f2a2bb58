//! Accounts: sign-up, sign-in and its failures, sign-out, password reset by emailed link, password
//! change, and the `Me` of a caller. Sessions and their cookies are the route's (`auth::session`).

use audienceos_shared::auth::{
    ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, Me, ResetPasswordRequest, SignupRequest,
};
use chrono::Duration;
use secrecy::SecretString;
use serde_json::json;

use crate::auth::identity::{Identity, Via};
use crate::auth::tokens::{digest, random_token};
use crate::error::{validate, ApiError, Code};
use crate::rate_limit::RouteClass;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::agencies::NewAgencyWithOwner;
use crate::store::outbox::NewEmail;
use crate::store::users::UserRow;

/// Minutes a password reset link stays valid.
pub const RESET_TTL_MINUTES: i64 = 30;
const RESET_PURPOSE: &str = "password_reset";

/// Create the agency with its four system roles and the Owner: the Owner, to sign in.
pub async fn signup(state: &AppState, ip: String, mut body: SignupRequest) -> Result<UserRow, ApiError> {
    body.email = normalize_email(&body.email);
    body.agency_name = body.agency_name.trim().to_string();
    body.first_name = body.first_name.trim().to_string();
    body.last_name = body.last_name.trim().to_string();
    validate(&body)?;
    throttle_account(state, &body.email).await?;
    if state.store.find_user_by_email(&body.email).await?.is_some() {
        return Err(crate::error::on_constraint("app_user_email_key"));
    }
    let password_hash = state.hasher.hash(SecretString::from(body.password)).await?;
    let slug = unique_slug(state, &body.agency_name).await?;
    let new = NewAgencyWithOwner {
        agency_name: body.agency_name,
        slug,
        first_name: body.first_name,
        last_name: body.last_name,
        email: body.email,
        password_hash,
    };
    let (agency, user) = state
        .store
        .create_agency_with_owner(&new, crate::clock::system_now())
        .await?;
    tracing::info!(agency_id = %agency.id, "agency created");
    Audit::anonymous("auth.signup", ip)
        .agency(user.agency_id)
        .actor(user.id)
        .record(state)
        .await;
    Ok(user)
}

/// The user whose email and password these are, and who is active; `401 invalid_credentials` otherwise,
/// whether or not the email exists, in the same time.
pub async fn login(state: &AppState, ip: String, mut body: LoginRequest) -> Result<UserRow, ApiError> {
    body.email = normalize_email(&body.email);
    validate(&body)?;
    throttle_account(state, &body.email).await?;
    let user = state.store.find_user_by_email(&body.email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = state.hasher.verify(SecretString::from(body.password), stored).await?;
    match user {
        Some(user) if ok && user.is_active => {
            Audit::anonymous("auth.login", ip)
                .agency(user.agency_id)
                .actor(user.id)
                .record(state)
                .await;
            Ok(user)
        }
        user => {
            Audit::anonymous("auth.login", ip)
                .account(user.as_ref().map(|u| (u.agency_id, u.id)))
                .outcome("failure")
                .meta(json!({ "reason": "invalid_credentials" }))
                .record(state)
                .await;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Revoke the caller's session (an API key has none to end).
pub async fn logout(state: &AppState, me: &Identity) -> Result<(), ApiError> {
    if let Some(id) = me.session_id() {
        state.store.revoke_session(id, crate::clock::system_now()).await?;
    }
    Audit::by(me, "auth.logout").record(state).await;
    Ok(())
}

/// Email a single-use reset link to an active account with this address; nothing (and no sign of it)
/// otherwise.
pub async fn forgot_password(state: &AppState, ip: String, mut body: ForgotPasswordRequest) -> Result<(), ApiError> {
    body.email = normalize_email(&body.email);
    validate(&body)?;
    throttle_account(state, &body.email).await?;
    let Some(user) = state
        .store
        .find_user_by_email(&body.email)
        .await?
        .filter(|u| u.is_active)
    else {
        return Ok(());
    };
    let now = crate::clock::system_now();
    let token = random_token();
    let hash = digest(state.settings.secrets.session_key.expose(), RESET_PURPOSE, &token);
    let expires = now + Duration::minutes(RESET_TTL_MINUTES);
    state.store.insert_password_reset(user.id, &hash, expires, now).await?;
    let mut link = state
        .settings
        .public_url
        .join("/reset-password")
        .map_err(anyhow::Error::new)?;
    link.query_pairs_mut().append_pair("token", &token);
    state.store.queue_email(&reset_email(&user, link.as_str()), now).await?;
    state.jobs.notify();
    Audit::anonymous("auth.password_reset_requested", ip)
        .agency(user.agency_id)
        .actor(user.id)
        .record(state)
        .await;
    Ok(())
}

/// Set a new password with an emailed token (once, within 30 minutes). Every session and API key of the
/// user ends with it.
pub async fn reset_password(state: &AppState, ip: String, body: ResetPasswordRequest) -> Result<(), ApiError> {
    validate(&body)?;
    let hash = digest(
        state.settings.secrets.session_key.expose(),
        RESET_PURPOSE,
        body.token.trim(),
    );
    let password_hash = state.hasher.hash(SecretString::from(body.password)).await?;
    let consumed = state
        .store
        .consume_password_reset(&hash, &password_hash, crate::clock::system_now())
        .await?;
    let Some((user_id, agency_id)) = consumed else {
        return Err(ApiError::new(
            Code::InvalidToken,
            "This reset link is invalid, used or expired. Ask for a new one.",
        ));
    };
    Audit::anonymous("auth.password_reset", ip)
        .agency(agency_id)
        .actor(user_id)
        .record(state)
        .await;
    Ok(())
}

/// Change the caller's password (the current one is needed) and sign out their other sessions. Sessions
/// only.
pub async fn change_password(state: &AppState, me: &Identity, body: ChangePasswordRequest) -> Result<(), ApiError> {
    validate(&body)?;
    let Some(session_id) = me.session_id() else {
        return Err(ApiError::forbidden(
            "Passwords can only be changed from a signed-in session.",
        ));
    };
    let user = state.store.get_user(me.agency_id, me.user_id).await?;
    let current = SecretString::from(body.current_password);
    if !state.hasher.verify(current, Some(user.password_hash.clone())).await? {
        Audit::by(me, "auth.password_change")
            .outcome("failure")
            .record(state)
            .await;
        return Err(ApiError::WrongCurrentPassword);
    }
    let now = crate::clock::system_now();
    let hash = state.hasher.hash(SecretString::from(body.new_password)).await?;
    state.store.update_password(user.id, &hash, now).await?;
    let revoked = state.store.revoke_user_sessions(user.id, Some(session_id), now).await?;
    Audit::by(me, "auth.password_change")
        .meta(json!({ "other_sessions_revoked": revoked }))
        .record(state)
        .await;
    Ok(())
}

/// The `Me` of an identity.
pub async fn build_me(state: &AppState, id: &Identity) -> Result<Me, ApiError> {
    let user = state.store.get_user(id.agency_id, id.user_id).await?;
    let agency = state.store.get_agency(id.agency_id).await?;
    Ok(Me {
        user: audienceos_shared::auth::User {
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            created_at: user.created_at,
        },
        agency: audienceos_shared::auth::Agency {
            id: agency.id,
            name: agency.name,
            slug: agency.slug,
            timezone: agency.timezone,
        },
        role: audienceos_shared::auth::Role {
            id: id.role_id,
            name: id.role_name.clone(),
            system_role: id.system_role,
        },
        permissions: id.permissions.clone(),
        csrf_token: match &id.via {
            Via::Session { csrf_token, .. } => csrf_token.clone(),
            Via::ApiKey { .. } => String::new(),
        },
    })
}

fn reset_email(user: &UserRow, link: &str) -> NewEmail {
    let text = format!(
        "Hi {name},\n\nSomeone (hopefully you) asked to reset the password of your AudienceOS account.\n\
         Open this link within {RESET_TTL_MINUTES} minutes to choose a new password:\n\n{link}\n\n\
         If you did not ask for this, ignore this email; your password stays as it is.\n\n-- AudienceOS\n",
        name = user.first_name
    );
    let html = format!(
        "<p>Hi {name},</p><p>Someone (hopefully you) asked to reset the password of your AudienceOS account. \
         Open this link within {RESET_TTL_MINUTES} minutes to choose a new password:</p>\
         <p><a href=\"{link}\">Reset your password</a></p>\
         <p>If you did not ask for this, ignore this email; your password stays as it is.</p>",
        name = html_escape(&user.first_name),
        link = html_escape(link)
    );
    NewEmail {
        agency_id: Some(user.agency_id),
        to: user.email.clone(),
        subject: "Reset your AudienceOS password".into(),
        body_text: text,
        body_html: Some(html),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The per-account limit of sign-in, sign-up and reset requests, keyed by a digest of the email so the
/// limiter's memory holds no addresses.
async fn throttle_account(state: &AppState, email: &str) -> Result<(), ApiError> {
    let key = digest(state.settings.secrets.session_key.expose(), "rate_limit_account", email);
    state.limiter.enforce(RouteClass::AuthAccount, &key).await.map(|_| ())
}

/// `northwind-media-3f9a1c`: readable, and unique by construction (checked anyway).
async fn unique_slug(state: &AppState, name: &str) -> Result<String, ApiError> {
    let mut base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base.truncate(40);
    if base.is_empty() {
        base = "agency".into();
    }
    for _ in 0..5 {
        let slug = format!("{base}-{}", &hex::encode(crate::auth::tokens::random_bytes::<3>()));
        if !state.store.slug_exists(&slug).await? {
            return Ok(slug);
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!("could not find a free slug")))
}
