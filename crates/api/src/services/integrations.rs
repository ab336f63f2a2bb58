//! Provider integrations as a person or key works them: list with health, start connecting, complete the
//! OAuth callback (limited, audited, first sync queued), test, "Sync now", disconnect, and the agency's own
//! OAuth apps (Owner only). The provider protocols themselves are in `crate::integrations`.

use audienceos_shared::integrations::{
    ConnectResponse, Integration, IntegrationProvider, OAuthApp, OAuthAppProvider, SetOAuthAppRequest,
    TestConnectionResult,
};
use audienceos_shared::permissions::SystemRole;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::error::{validate, ApiError, Code};
use crate::integrations::credentials;
use crate::integrations::crypto::SecretToken;
use crate::integrations::provider::ProviderError;
use crate::integrations::{self, CallbackParams, Connector};
use crate::rate_limit::{Decision, RouteClass};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::integration_credentials::CredentialWrite;

/// One entry per provider, connected or not, with its health.
pub async fn list(state: &AppState, me: &Identity) -> Result<Vec<Integration>, ApiError> {
    let rows = state.store.list_integrations(me.agency_id).await?;
    let apps = state.store.list_integration_credentials(me.agency_id).await?;
    Ok(IntegrationProvider::ALL
        .into_iter()
        .map(|p| integrations::view(state, p, rows.iter().find(|(r, _)| r.provider == p.as_str()), &apps))
        .collect())
}

/// The provider's consent page URL for this session.
pub async fn connect(
    state: &AppState,
    me: &Identity,
    provider: IntegrationProvider,
) -> Result<ConnectResponse, ApiError> {
    let res = integrations::start_connect(state, connector(me)?, provider)
        .await
        .map_err(|e| match e {
            ProviderError::NotConfigured => ApiError::new(
                Code::ProviderNotConfigured,
                format!(
                    "{} cannot connect yet: this server has no {} OAuth app and the agency has not set its own. The agency's Owner can add one on the Integrations page.",
                    provider.label(),
                    provider.oauth_app().label()
                ),
            ),
            other => ApiError::Internal(other.into()),
        })?;
    Audit::by(me, "integration.connect_started")
        .meta(json!({ "provider": provider }))
        .record(state)
        .await;
    Ok(res)
}

/// Complete a connection from the provider's callback: limited to 5 per hour per user and per IP, then
/// the state checked and the code exchanged. The connected integration's view and the limit's decision
/// (for its headers); a refusal is audited and returned with its code.
pub async fn complete_callback(
    state: &AppState,
    me: &Identity,
    ip: &str,
    params: &CallbackParams,
) -> Result<(Integration, Decision), ApiError> {
    let limits = &state.limiter;
    limits
        .enforce(RouteClass::OauthCallback, &format!("oauth:{}", me.rate_limit_key()))
        .await?;
    let decision = limits
        .enforce(RouteClass::OauthCallback, &format!("oauth:ip:{ip}"))
        .await?;
    let who = connector(me)?;
    let row = match integrations::complete_connect(state, who, params).await {
        Ok(row) => row,
        Err(e) => {
            let code = e.code().as_str();
            Audit::by(me, "integration.connect_refused")
                .outcome("failure")
                .meta(json!({ "reason": code }))
                .record(state)
                .await;
            tracing::info!(reason = code, "OAuth callback refused");
            return Err(ApiError::new(e.code(), e.to_string()));
        }
    };
    Audit::by(me, "integration.connected")
        .meta(json!({ "provider": row.provider, "integration_id": row.id }))
        .record(state)
        .await;
    let rows = state.store.list_integrations(me.agency_id).await?;
    let apps = state.store.list_integration_credentials(me.agency_id).await?;
    let provider = row.provider().unwrap_or(IntegrationProvider::Gmail);
    let view = integrations::view(state, provider, rows.iter().find(|(r, _)| r.id == row.id), &apps);
    // A new connection syncs at once.
    if let Err(e) = integrations::enqueue_sync(state, &row, "connect").await {
        tracing::warn!(error.cause_chain = ?e, "could not queue the first sync");
    }
    Ok((view, decision))
}

/// Call the provider's cheapest authenticated endpoint and update the health.
pub async fn test(state: &AppState, me: &Identity, id: Uuid) -> Result<TestConnectionResult, ApiError> {
    let row = state.store.get_integration(me.agency_id, id).await?;
    Ok(integrations::test_connection(state, &row).await)
}

/// Queue a sync (at most 5 per hour per agency): the job id and the limit's decision.
pub async fn sync_now(state: &AppState, me: &Identity, id: Uuid) -> Result<(Uuid, Decision), ApiError> {
    let row = state.store.get_integration(me.agency_id, id).await?;
    if !matches!(row.status.as_str(), "connected" | "degraded" | "syncing") {
        return Err(ApiError::new(
            Code::NotConnected,
            "The integration is not connected; connect it first.",
        ));
    }
    let decision = state
        .limiter
        .enforce(RouteClass::IntegrationSync, &format!("agency:{}", me.agency_id))
        .await?;
    let job_id = integrations::enqueue_sync(state, &row, "manual")
        .await
        .map_err(ApiError::Internal)?;
    Audit::by(me, "integration.sync_requested")
        .meta(json!({ "integration_id": row.id }))
        .record(state)
        .await;
    Ok((job_id, decision))
}

/// Revoke the grant at the provider and delete the stored tokens.
pub async fn disconnect(state: &AppState, me: &Identity, id: Uuid) -> Result<(), ApiError> {
    let row = state.store.get_integration(me.agency_id, id).await?;
    let revoked = integrations::disconnect(state, &row)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Audit::by(me, "integration.disconnected")
        .meta(json!({ "integration_id": row.id, "provider": row.provider, "revoked": revoked }))
        .record(state)
        .await;
    Ok(())
}

/// Set the agency's own OAuth app at `app` (Owner only). Refused while the server's settings configure the
/// provider (`409 oauth_app_server_managed`: the server's app is used and an agency's would be ignored), and
/// a new client id while a connection made with the old one is live (`409 oauth_app_in_use`); a new secret
/// for the same client id (rotated at the provider) is taken at once.
pub async fn set_oauth_app(
    state: &AppState,
    me: &Identity,
    app: OAuthAppProvider,
    body: SetOAuthAppRequest,
) -> Result<OAuthApp, ApiError> {
    require_owner(state, me, "set the agency's own OAuth app").await?;
    validate(&body)?;
    let body = body.trimmed();
    refuse_when_server_managed(state, app)?;
    let current = state
        .store
        .get_integration_credential(me.agency_id, app.as_str())
        .await?;
    if current.as_ref().is_some_and(|c| c.client_id != body.client_id) {
        refuse_while_connected(state, me, app, "Changing the client id").await?;
    }
    let id = crate::store::new_id();
    let sealed = credentials::seal_secret(
        &state.vault.keys,
        me.agency_id,
        id,
        &SecretToken::new(body.client_secret),
    )
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("sealing an OAuth client secret: {e}")))?;
    let row = state
        .store
        .upsert_integration_credential(
            &CredentialWrite {
                id,
                agency_id: me.agency_id,
                provider: app.as_str(),
                client_id: &body.client_id,
                client_secret_enc: &sealed,
                set_by: me.user_id,
            },
            crate::clock::system_now(),
        )
        .await?;
    Audit::by(me, "integration.oauth_app_set")
        .meta(json!({ "provider": app, "client_id": row.client_id, "replaced": current.is_some() }))
        .record(state)
        .await;
    tracing::info!(provider = %app, "agency OAuth app set");
    Ok(credentials::view(&state.settings, app, Some(&row)))
}

/// Forget the agency's own OAuth app at `app` (Owner only): `409 oauth_app_in_use` while a connection made
/// with it is live (disconnect it first), `404` when the agency has none.
pub async fn remove_oauth_app(state: &AppState, me: &Identity, app: OAuthAppProvider) -> Result<(), ApiError> {
    require_owner(state, me, "remove the agency's own OAuth app").await?;
    if state
        .store
        .get_integration_credential(me.agency_id, app.as_str())
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    if !credentials::server_configured(&state.settings, app) {
        refuse_while_connected(state, me, app, "Removing the app").await?;
    }
    if !state
        .store
        .delete_integration_credential(me.agency_id, app.as_str())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Audit::by(me, "integration.oauth_app_removed")
        .meta(json!({ "provider": app }))
        .record(state)
        .await;
    tracing::info!(provider = %app, "agency OAuth app removed");
    Ok(())
}

/// Only the agency's Owner manages its OAuth apps (a client secret is the agency's key to the provider);
/// a refusal is audited like any other permission denial.
async fn require_owner(state: &AppState, me: &Identity, what: &str) -> Result<(), ApiError> {
    if me.system_role == Some(SystemRole::Owner) {
        return Ok(());
    }
    Audit::by(me, "permission.denied")
        .outcome("denied")
        .with("required", "role:owner")
        .record(state)
        .await;
    Err(ApiError::forbidden(format!("Only the agency's Owner can {what}.")))
}

fn refuse_when_server_managed(state: &AppState, app: OAuthAppProvider) -> Result<(), ApiError> {
    if credentials::server_configured(&state.settings, app) {
        return Err(ApiError::new(
            Code::OauthAppServerManaged,
            format!(
                "This server already has a {} OAuth app for every agency, so an agency's own app would not be used.",
                app.label()
            ),
        ));
    }
    Ok(())
}

/// `409 oauth_app_in_use` while an integration connected through the agency's app at `app` holds a grant.
async fn refuse_while_connected(
    state: &AppState,
    me: &Identity,
    app: OAuthAppProvider,
    doing: &str,
) -> Result<(), ApiError> {
    let rows = state.store.list_integrations(me.agency_id).await?;
    let live: Vec<&str> = rows
        .iter()
        .filter(|(r, _)| r.status != "not_connected")
        .filter_map(|(r, _)| r.provider())
        .filter(|p| p.oauth_app() == app)
        .map(IntegrationProvider::label)
        .collect();
    if live.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        Code::OauthAppInUse,
        format!(
            "{doing} would cut off {} (connected through this app). Disconnect {} first.",
            live.join(" and "),
            if live.len() == 1 { "it" } else { "them" }
        ),
    ))
}

/// The session a connection is started from; an API key cannot connect a provider.
fn connector(me: &Identity) -> Result<Connector, ApiError> {
    let session_id = me.session_id().ok_or_else(|| {
        ApiError::new(
            Code::SessionRequired,
            "Connecting a provider needs a signed-in browser session, not an API key.",
        )
    })?;
    Ok(Connector {
        agency_id: me.agency_id,
        user_id: me.user_id,
        session_id,
    })
}
