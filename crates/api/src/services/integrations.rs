//! Provider integrations as a person or key works them: list with health, start connecting, complete the
//! OAuth callback (limited, audited, first sync queued), test, "Sync now", disconnect. The provider
//! protocols themselves are in `crate::integrations`.

use audienceos_shared::integrations::{ConnectResponse, Integration, IntegrationProvider, TestConnectionResult};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::error::{ApiError, Code};
use crate::integrations::provider::ProviderError;
use crate::integrations::{self, CallbackParams, Connector};
use crate::rate_limit::{Decision, RouteClass};
use crate::services::audit::Audit;
use crate::state::AppState;

/// One entry per provider, connected or not, with its health.
pub async fn list(state: &AppState, me: &Identity) -> Result<Vec<Integration>, ApiError> {
    let rows = state.store.list_integrations(me.agency_id).await?;
    Ok(IntegrationProvider::ALL
        .into_iter()
        .map(|p| integrations::view(state, p, rows.iter().find(|(r, _)| r.provider == p.as_str())))
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
            ProviderError::NotConfigured => ApiError::ProviderNotConfigured {
                provider: integrations::endpoints::settings_name(provider),
            },
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
    let provider = row.provider().unwrap_or(IntegrationProvider::Gmail);
    let view = integrations::view(state, provider, rows.iter().find(|(r, _)| r.id == row.id));
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
