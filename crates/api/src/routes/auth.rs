//! Sign-up, sign-in, sign-out, the current caller, and passwords (reset by email link, change).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::auth::{
    Ack, ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, Me, ResetPasswordRequest, SignupRequest,
};
use audienceos_shared::Problem;

use crate::auth::identity::{client_ip, Identity, Via};
use crate::auth::session::{self, removal_cookies};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Json;
use crate::services::auth;
use crate::state::AppState;
use crate::store::users::UserRow;

/// Sign up
///
/// Creates the agency with its four system roles and the Owner, and signs the Owner in (session and CSRF
/// cookies). Rate-limited per IP and per email.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = Me), (status = 409, body = Problem, description = "`email_taken`"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = auth::signup(&state, ip(&state, &req), body.into_inner()).await?;
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
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = auth::login(&state, ip(&state, &req), body.into_inner()).await?;
    signed_in(&state, &req, &user, StatusCode::OK).await
}

/// Sign out
///
/// Revokes the session and clears its cookies.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem), (status = 403, body = Problem, description = "`csrf_failed`")))]
pub async fn logout(state: web::Data<AppState>, AuthUser(me): AuthUser) -> Result<HttpResponse, ApiError> {
    auth::logout(&state, &me).await?;
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
    Ok(HttpResponse::Ok().json(auth::build_me(&state, &me).await?))
}

/// Ask for a password reset link
///
/// Emails a single-use link valid for 30 minutes. Answers the same whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, body = Ack), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    auth::forgot_password(&state, ip(&state, &req), body.into_inner()).await?;
    Ok(HttpResponse::Accepted().json(Ack {
        message: "If an account exists for that address, a reset link is on its way. It is valid for 30 minutes."
            .into(),
    }))
}

/// Reset the password with an emailed token
///
/// The token works once, for 30 minutes. Every session of the user is signed out and every API key
/// they created is revoked.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 200, body = Ack), (status = 400, body = Problem, description = "`invalid_token`"), (status = 422, body = Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    auth::reset_password(&state, ip(&state, &req), body.into_inner()).await?;
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
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    auth::change_password(&state, &me, body.into_inner()).await?;
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
    let me = auth::build_me(state, &identity).await?;
    let mut res = HttpResponse::build(status);
    for c in session::cookies(state, &issued, now) {
        res.cookie(c);
    }
    Ok(res.json(me))
}

fn ip(state: &AppState, req: &HttpRequest) -> String {
    client_ip(req, &state.settings.trusted_proxies)
}
