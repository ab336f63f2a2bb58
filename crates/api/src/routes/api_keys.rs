//! API keys for third-party callers: create (secret shown once), list, revoke.

use actix_web::{web, HttpResponse};
use audienceos_shared::api_keys::{ApiKey, CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::{Page, PageQuery, Problem};
use chrono::Duration;
use uuid::Uuid;

use crate::auth::identity::{SettingsRead, SettingsWrite, Via};
use crate::auth::tokens::{api_key_prefix, digest, new_api_key};
use crate::auth::Authorized;
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::api_keys::{ApiKeyRow, NewApiKey};

/// List API keys
///
/// Newest first, including revoked and expired keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api_keys", params(PageQuery),
    responses((status = 200, body = Page<ApiKey>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    me: Authorized<SettingsRead>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let (rows, next_cursor) = state
        .store
        .list_api_keys(me.agency_id, q.limit(), q.cursor.as_deref())
        .await?;
    let items = rows.into_iter().map(to_dto).collect();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
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
    body: web::Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.name = body.name.trim().to_string();
    validate(&body)?;
    if matches!(me.via, Via::ApiKey { .. }) {
        return Err(ApiError::forbidden(
            "API keys cannot create API keys; sign in to create one.",
        ));
    }
    let caller_level = me.system_role.map(SystemRole::hierarchy_level).unwrap_or(i32::MAX);
    if body.role.hierarchy_level() < caller_level {
        return Err(ApiError::new(
            Code::RoleTooHigh,
            "A key cannot carry a role above your own.",
        ));
    }
    let role = state.store.get_system_role(me.agency_id, body.role).await?;
    let secret = new_api_key();
    let now = crate::clock::system_now();
    let row = state
        .store
        .insert_api_key(
            &NewApiKey {
                agency_id: me.agency_id,
                created_by: me.user_id,
                role_id: role.id,
                name: body.name,
                prefix: api_key_prefix(&secret),
                key_hash: digest(state.settings.secrets.session_key.expose(), "api_key", &secret),
                expires_at: now + Duration::days(i64::from(body.expires_in_days)),
            },
            now,
        )
        .await?;
    Audit::by(&me, "api_key.created")
        .with("api_key_id", row.id)
        .record(&state)
        .await;
    Ok(HttpResponse::Created().json(CreatedApiKey {
        api_key: to_dto(row),
        secret,
    }))
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
    let row = state
        .store
        .revoke_api_key(me.agency_id, id.into_inner(), crate::clock::system_now())
        .await?;
    Audit::by(&me, "api_key.revoked")
        .with("api_key_id", row.id)
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}
fn to_dto(r: ApiKeyRow) -> ApiKey {
    ApiKey {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        role: r
            .system_role
            .as_deref()
            .and_then(crate::store::agencies::parse_role_key)
            .unwrap_or(SystemRole::Member),
        created_at: r.created_at,
        expires_at: r.expires_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}
