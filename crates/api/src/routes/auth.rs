//! Sign-up, sign-in, sign-out, the current caller, and passwords (reset by email link, change).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::auth::{
    Ack, ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, Me, ResetPasswordRequest, SignupRequest,
};
use audienceos_shared::Problem;
use chrono::Duration;
use secrecy::SecretString;
use serde_json::json;

use crate::auth::identity::{client_ip, Identity, Via};
use crate::auth::session::{self, removal_cookies};
use crate::auth::tokens::{digest, random_token};
use crate::auth::AuthUser;
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

/// Sign up
///
/// Creates the agency with its four system roles and the Owner, and signs the Owner in (session and CSRF
/// cookies). Rate-limited per IP and per email.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = Me), (status = 409, body = Problem, description = "`email_taken`"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.email = normalize_email(&body.email);
    body.agency_name = body.agency_name.trim().to_string();
    body.first_name = body.first_name.trim().to_string();
    body.last_name = body.last_name.trim().to_string();
    validate(&body)?;
    throttle_account(&state, &body.email).await?;
    if state.store.find_user_by_email(&body.email).await?.is_some() {
        return Err(crate::error::on_constraint("app_user_email_key"));
    }
    let password_hash = state.hasher.hash(SecretString::from(body.password)).await?;
    let slug = unique_slug(&state, &body.agency_name).await?;
    let now = crate::clock::system_now();
    let (agency, user) = state
        .store
        .create_agency_with_owner(
            &NewAgencyWithOwner {
                agency_name: body.agency_name,
                slug,
                first_name: body.first_name,
                last_name: body.last_name,
                email: body.email,
                password_hash,
            },
            now,
        )
        .await?;
    tracing::info!(agency_id = %agency.id, "agency created");
    Audit::anonymous("auth.signup", client_ip(&req, &state.settings.trusted_proxies))
        .agency(user.agency_id)
        .actor(user.id)
        .record(&state)
        .await;
    signed_in(&state, &req, &user, StatusCode::CREATED).await
}

/// Sign in
///
/// `401 invalid_credentials` whether or not the email exists, in the same time. Rate-limited per IP and
/// per account.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = Problem, description = "`invalid_credentials`"), (status = 429, body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.email = normalize_email(&body.email);
    validate(&body)?;
    throttle_account(&state, &body.email).await?;
    let user = state.store.find_user_by_email(&body.email).await?;
    let ok = state
        .hasher
        .verify(
            SecretString::from(body.password),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
    match user {
        Some(user) if ok && user.is_active => {
            Audit::anonymous("auth.login", client_ip(&req, &state.settings.trusted_proxies))
                .agency(user.agency_id)
                .actor(user.id)
                .record(&state)
                .await;
            signed_in(&state, &req, &user, StatusCode::OK).await
        }
        user => {
            Audit::anonymous("auth.login", client_ip(&req, &state.settings.trusted_proxies))
                .account(user.as_ref().map(|u| (u.agency_id, u.id)))
                .outcome("failure")
                .meta(json!({ "reason": "invalid_credentials" }))
                .record(&state)
                .await;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Sign out
///
/// Revokes the session and clears its cookies.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem), (status = 403, body = Problem, description = "`csrf_failed`")))]
pub async fn logout(state: web::Data<AppState>, AuthUser(me): AuthUser) -> Result<HttpResponse, ApiError> {
    if let Some(id) = me.session_id() {
        state.store.revoke_session(id, crate::clock::system_now()).await?;
    }
    Audit::by(&me, "auth.logout").record(&state).await;
    let mut res = HttpResponse::NoContent();
    for c in removal_cookies() {
        res.cookie(c);
    }
    Ok(res.finish())
}

/// The current caller
///
/// The user, agency, role and effective permissions of the session or API key, with the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(state: web::Data<AppState>, AuthUser(me): AuthUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(build_me(&state, &me).await?))
}

/// Ask for a password reset link
///
/// Emails a single-use link valid for 30 minutes. Answers the same whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, body = Ack), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.email = normalize_email(&body.email);
    validate(&body)?;
    throttle_account(&state, &body.email).await?;
    if let Some(user) = state
        .store
        .find_user_by_email(&body.email)
        .await?
        .filter(|u| u.is_active)
    {
        let now = crate::clock::system_now();
        let token = random_token();
        let hash = digest(state.settings.secrets.session_key.expose(), RESET_PURPOSE, &token);
        state
            .store
            .insert_password_reset(user.id, &hash, now + Duration::minutes(RESET_TTL_MINUTES), now)
            .await?;
        let mut link = state
            .settings
            .public_url
            .join("/reset-password")
            .map_err(anyhow::Error::new)?;
        link.query_pairs_mut().append_pair("token", &token);
        state.store.queue_email(&reset_email(&user, link.as_str()), now).await?;
        state.jobs.notify();
        Audit::anonymous(
            "auth.password_reset_requested",
            client_ip(&req, &state.settings.trusted_proxies),
        )
        .agency(user.agency_id)
        .actor(user.id)
        .record(&state)
        .await;
    }
    Ok(HttpResponse::Accepted().json(Ack {
        message: "If an account exists for that address, a reset link is on its way. It is valid for 30 minutes."
            .into(),
    }))
}

/// Reset the password with an emailed token
///
/// The token works once, for 30 minutes. Every session of the user is signed out.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 200, body = Ack), (status = 400, body = Problem, description = "`invalid_token`"), (status = 422, body = Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let hash = digest(
        state.settings.secrets.session_key.expose(),
        RESET_PURPOSE,
        body.token.trim(),
    );
    let password_hash = state.hasher.hash(SecretString::from(body.password)).await?;
    let Some((user_id, agency_id)) = state
        .store
        .consume_password_reset(&hash, &password_hash, crate::clock::system_now())
        .await?
    else {
        return Err(ApiError::new(
            Code::InvalidToken,
            "This reset link is invalid, used or expired. Ask for a new one.",
        ));
    };
    Audit::anonymous("auth.password_reset", client_ip(&req, &state.settings.trusted_proxies))
        .agency(agency_id)
        .actor(user_id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(Ack {
        message: "Your password was changed. Sign in with the new one.".into(),
    }))
}

/// Change the password
///
/// Needs the current password; signs out every other session of the user. Sessions only (not API keys).
#[utoipa::path(post, path = "/api/v1/auth/password/change", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 200, body = Ack), (status = 401, body = Problem, description = "`invalid_credentials` (wrong current password)"), (status = 422, body = Problem)))]
pub async fn change_password(
    state: web::Data<AppState>,
    AuthUser(me): AuthUser,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let Some(session_id) = me.session_id() else {
        return Err(ApiError::forbidden(
            "Passwords can only be changed from a signed-in session.",
        ));
    };
    let user = state.store.get_user(me.agency_id, me.user_id).await?;
    if !state
        .hasher
        .verify(
            SecretString::from(body.current_password),
            Some(user.password_hash.clone()),
        )
        .await?
    {
        Audit::by(&me, "auth.password_change")
            .outcome("failure")
            .record(&state)
            .await;
        return Err(ApiError::WrongCurrentPassword);
    }
    let now = crate::clock::system_now();
    let hash = state.hasher.hash(SecretString::from(body.new_password)).await?;
    state.store.update_password(user.id, &hash, now).await?;
    let revoked = state.store.revoke_user_sessions(user.id, Some(session_id), now).await?;
    Audit::by(&me, "auth.password_change")
        .meta(json!({ "other_sessions_revoked": revoked }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(Ack {
        message: "Password changed. Other sessions were signed out.".into(),
    }))
}

/// Start a session for `user` and answer with `Me` and the cookies.
async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    user: &UserRow,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let now = crate::clock::system_now();
    let issued = session::start(state, req, user.id, user.agency_id, now).await?;
    let role = state.store.get_role(user.agency_id, user.role_id).await?;
    let identity = Identity {
        user_id: user.id,
        agency_id: user.agency_id,
        role_id: role.id,
        system_role: role.system(),
        role_name: role.name,
        permissions: state.store.role_permissions(user.agency_id, user.role_id).await?,
        via: Via::Session {
            session_id: issued.id,
            csrf_token: issued.csrf_token.clone(),
        },
        csrf_ok: true,
        data_version: 0,
        ip: client_ip(req, &state.settings.trusted_proxies),
    };
    let me = build_me(state, &identity).await?;
    let mut res = HttpResponse::build(status);
    for c in session::cookies(state, &issued, now) {
        res.cookie(c);
    }
    Ok(res.json(me))
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
