//! API keys for third-party callers: the HTTP surface of `services::api_keys`.

use actix_web::{web, HttpResponse};
use audienceos_shared::api_keys::{ApiKey, CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::{Page, PageQuery, Problem};
use uuid::Uuid;

use crate::auth::identity::{SettingsRead, SettingsWrite};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::services::api_keys;
use crate::state::AppState;

/// List API keys
///
/// Newest first, including revoked and expired keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api_keys", params(PageQuery),
    responses((status = 200, body = Page<ApiKey>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    me: Authorized<SettingsRead>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(api_keys::list(&state, &me, &q).await?))
}

/// Create an API key
///
/// The key carries the permissions of `role`, which may not outrank the creator's role. The secret is in
/// this response only. API keys cannot create API keys.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api_keys", request_body = CreateApiKeyRequest,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = Problem, description = "`forbidden` or `role_too_high`"), (status = 422, body = Problem)))]
pub async fn create_api_key(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    body: Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(api_keys::create(&state, &me, body.into_inner()).await?))
}

/// Revoke an API key
///
/// Takes effect on the key's next request. Revoking a revoked key is a no-op.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api_keys", params(("id" = Uuid, Path, description = "API key id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)))]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    api_keys::revoke(&state, &me, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
