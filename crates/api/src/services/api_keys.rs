//! API keys for third-party callers: list, create (the secret is returned once and stored as a digest),
//! revoke. Key expiry is a security deadline, so it reads the system clock, not the test clock.

use audienceos_shared::api_keys::{ApiKey, CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::{Page, PageQuery};
use chrono::Duration;
use uuid::Uuid;

use crate::auth::identity::Via;
use crate::auth::tokens::{api_key_prefix, digest, new_api_key};
use crate::auth::Identity;
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::api_keys::{ApiKeyRow, NewApiKey};

/// The agency's keys, newest first, revoked and expired ones included (never their secrets).
pub async fn list(state: &AppState, me: &Identity, q: &PageQuery) -> Result<Page<ApiKey>, ApiError> {
    validate(q)?;
    let (rows, next_cursor) = state
        .store
        .list_api_keys(me.agency_id, q.limit(), q.cursor.as_deref())
        .await?;
    let items = rows.into_iter().map(to_dto).collect();
    Ok(Page { items, next_cursor })
}

/// A new key with the permissions of `role` (not above the creator's); only a signed-in person may create one.
pub async fn create(state: &AppState, me: &Identity, mut body: CreateApiKeyRequest) -> Result<CreatedApiKey, ApiError> {
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
    let key = NewApiKey {
        agency_id: me.agency_id,
        created_by: me.user_id,
        role_id: role.id,
        name: body.name,
        prefix: api_key_prefix(&secret),
        key_hash: digest(state.settings.secrets.session_key.expose(), "api_key", &secret),
        expires_at: now + Duration::days(i64::from(body.expires_in_days)),
    };
    let row = state.store.insert_api_key(&key, now).await?;
    Audit::by(me, "api_key.created")
        .with("api_key_id", row.id)
        .record(state)
        .await;
    Ok(CreatedApiKey {
        api_key: to_dto(row),
        secret,
    })
}

/// Revoke a key (effective on its next request; revoking twice is a no-op).
pub async fn revoke(state: &AppState, me: &Identity, id: Uuid) -> Result<(), ApiError> {
    let row = state
        .store
        .revoke_api_key(me.agency_id, id, crate::clock::system_now())
        .await?;
    Audit::by(me, "api_key.revoked")
        .with("api_key_id", row.id)
        .record(state)
        .await;
    Ok(())
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
