//! `/api/v1/auth/*`: sign-up, sign-in, sign-out, the current caller and passwords.

use audienceos_shared::auth::{
    Ack, ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, Me, ResetPasswordRequest, SignupRequest,
};

use super::{get, post, post_empty, ApiResult};

/// `GET /auth/me`: the signed-in caller.
pub async fn me() -> ApiResult<Me> {
    get("/auth/me").await
}

/// `POST /auth/login`.
pub async fn login(body: &LoginRequest) -> ApiResult<Me> {
    post("/auth/login", body).await
}

/// `POST /auth/signup`: creates the agency and its Owner, signed in.
pub async fn signup(body: &SignupRequest) -> ApiResult<Me> {
    post("/auth/signup", body).await
}

/// `POST /auth/logout`.
pub async fn logout() -> ApiResult<()> {
    post_empty("/auth/logout").await
}

/// `POST /auth/password/forgot`: the same answer whether or not the account exists.
pub async fn forgot_password(body: &ForgotPasswordRequest) -> ApiResult<Ack> {
    post("/auth/password/forgot", body).await
}

/// `POST /auth/password/reset` with the emailed token.
pub async fn reset_password(body: &ResetPasswordRequest) -> ApiResult<Ack> {
    post("/auth/password/reset", body).await
}

/// `POST /auth/password/change`: signs out the caller's other sessions.
pub async fn change_password(body: &ChangePasswordRequest) -> ApiResult<Ack> {
    post("/auth/password/change", body).await
}
