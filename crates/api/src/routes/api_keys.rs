//! API keys for third-party callers: create (secret shown once), list, revoke.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::api_keys::{ApiKey, CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::{Page, PageQuery, Problem};
use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{client_ip, SettingsRead, SettingsWrite, Via};
use crate::auth::tokens::{api_key_prefix, digest, new_api_key};
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::state::AppState;
use crate::store::api_keys::{ApiKeyRow, NewApiKey};
use crate::store::audit::NewAuditEvent;

/// List API keys
///
/// Newest first, including revoked and expired keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api_keys", params(PageQuery),
    responses((status = 200, body = Page<ApiKey>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("session_cookie" = []), ("api_key" = [])))]
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
    responses((status = 201, body = CreatedApiKey), (status = 403, body = Problem, description = "`forbidden` or `role_too_high`"), (status = 422, body = Problem)),
    security(("session_cookie" = [], "csrf_header" = [])))]
pub async fn create_api_key(
    state: web::Data<AppState>,
    req: HttpRequest,
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
        return Err(ApiError::Forbidden {
            code: "role_too_high",
            detail: "A key cannot carry a role above your own.".into(),
        });
    }
    let role = state.store.get_system_role(me.agency_id, body.role).await?;
    let secret = new_api_key();
    let now = crate::store::now();
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
    state.audit(audit(&req, &state, &me, "api_key.created", row.id)).await;
    Ok(HttpResponse::Created().json(CreatedApiKey {
        api_key: to_dto(row),
        secret,
    }))
}

/// Revoke an API key
///
/// Takes effect on the key's next request. Revoking a revoked key is a no-op.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api_keys", params(("id" = Uuid, Path, description = "API key id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)),
    security(("session_cookie" = [], "csrf_header" = []), ("api_key" = [])))]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<SettingsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .store
        .revoke_api_key(me.agency_id, id.into_inner(), crate::store::now())
        .await?;
    state.audit(audit(&req, &state, &me, "api_key.revoked", row.id)).await;
    Ok(HttpResponse::NoContent().finish())
}

fn audit(
    req: &HttpRequest,
    state: &AppState,
    me: &crate::auth::Identity,
    action: &'static str,
    key_id: Uuid,
) -> NewAuditEvent {
    NewAuditEvent {
        agency_id: Some(me.agency_id),
        actor_user_id: Some(me.user_id),
        action,
        outcome: "success",
        ip: Some(client_ip(req, &state.settings.trusted_proxies)),
        metadata: json!({ "api_key_id": key_id }),
    }
}

fn to_dto(r: ApiKeyRow) -> ApiKey {
    ApiKey {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        role: crate::routes::auth::system_role_of(r.system_role.as_deref()).unwrap_or(SystemRole::Member),
        created_at: r.created_at,
        expires_at: r.expires_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}
