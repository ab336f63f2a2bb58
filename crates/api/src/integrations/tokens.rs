//! The one path to a usable provider access token: decrypt it, refresh it when it expires within the
//! margin, and mark the integration `needs_reconnect` (with an alert) when the provider refuses the grant.
//!
//! Refresh is single-flight. In a process, one async mutex per integration queues concurrent callers; across
//! processes, the `refresh_lease_until` column is a lease only one holder gets. Whoever waits re-reads the
//! row and uses the token the holder stored, so ten concurrent syncs make one refresh call; that matters
//! for Slack, whose refresh tokens rotate (a second refresh with the old one would lock the agency out).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use audienceos_shared::alerts::{AlertSeverity, AlertType};
use audienceos_shared::integrations::IntegrationProvider;

use super::crypto::{SecretToken, TokenContext, TokenField, TokenKeyring};
use super::provider::ProviderError;
use crate::state::AppState;
use crate::store::integrations::{IntegrationRow, TokenState};

/// How long a refresh lease is held at most (a crashed holder's lease lapses after this).
const LEASE: chrono::Duration = chrono::Duration::seconds(30);
/// How long a caller waits for another process's refresh before giving up for now.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(20);

/// What the token path keeps in the process: the key ring and the per-integration refresh locks.
pub struct TokenVault {
    pub keys: TokenKeyring,
    /// An HTTP client for token endpoints that never follows redirects (the `oauth2` crate's advice).
    pub oauth_http: reqwest::Client,
    locks: Mutex<HashMap<uuid::Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl TokenVault {
    pub fn new(keys: TokenKeyring) -> anyhow::Result<Self> {
        Ok(Self {
            keys,
            oauth_http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(super::provider::CALL_TIMEOUT)
                .user_agent(concat!("AudienceOS/", env!("CARGO_PKG_VERSION")))
                .build()?,
            locks: Mutex::new(HashMap::new()),
        })
    }

    fn lock_for(&self, id: uuid::Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(id).or_default().clone()
    }

    pub fn seal(
        &self,
        integration: &IntegrationRow,
        field: TokenField,
        token: &SecretToken,
    ) -> Result<String, ProviderError> {
        self.keys
            .encrypt_to_stored(token, &ctx(integration, field))
            .map_err(|e| ProviderError::Internal(anyhow::anyhow!("sealing a token: {e}")))
    }

    pub fn open(
        &self,
        integration: &IntegrationRow,
        field: TokenField,
        stored: &str,
    ) -> Result<SecretToken, ProviderError> {
        self.keys
            .decrypt(stored, &ctx(integration, field))
            .map_err(|e| ProviderError::Internal(anyhow::anyhow!("opening a token: {e}")))
    }
}

fn ctx(integration: &IntegrationRow, field: TokenField) -> TokenContext {
    TokenContext {
        agency_id: integration.agency_id,
        integration_id: integration.id,
        field,
    }
}

/// A valid access token of `integration`, refreshed first if it expires within the margin.
pub async fn valid_token(state: &AppState, integration: &IntegrationRow) -> Result<SecretToken, ProviderError> {
    current(state, integration).await.map(|(token, _)| token)
}

/// The access token and its stored form (so a 401 can say which token failed).
pub(crate) async fn current(
    state: &AppState,
    integration: &IntegrationRow,
) -> Result<(SecretToken, String), ProviderError> {
    let row = token_state(state, integration).await?;
    let Some(stored) = row.access_token_enc.clone() else {
        return Err(ProviderError::NotConnected);
    };
    if fresh(state, &row) {
        let token = state.vault.open(integration, TokenField::Access, &stored)?;
        return Ok((token, stored));
    }
    refresh_from(state, integration, &stored).await
}

/// After a 401 with the token stored as `used`: refresh, unless another caller already replaced it.
pub(crate) async fn refresh_after_401(
    state: &AppState,
    integration: &IntegrationRow,
    used: &str,
) -> Result<(SecretToken, String), ProviderError> {
    refresh_from(state, integration, used).await
}

fn fresh(state: &AppState, row: &TokenState) -> bool {
    let margin = chrono::Duration::seconds(state.settings.token_refresh_margin_secs);
    row.token_expires_at
        .is_none_or(|at| at > crate::clock::system_now() + margin)
}

async fn token_state(state: &AppState, integration: &IntegrationRow) -> Result<TokenState, ProviderError> {
    let row = state
        .store
        .integration_token_state(integration.agency_id, integration.id)
        .await
        .map_err(|e| ProviderError::Internal(e.into()))?;
    if row.status == "not_connected" || row.status == "needs_reconnect" {
        return Err(ProviderError::NotConnected);
    }
    Ok(row)
}

/// Replace the access token stored as `stale`, single-flight (see the module docs).
async fn refresh_from(
    state: &AppState,
    integration: &IntegrationRow,
    stale: &str,
) -> Result<(SecretToken, String), ProviderError> {
    let lock = state.vault.lock_for(integration.id);
    let _held = lock.lock().await;
    let waited_since = tokio::time::Instant::now();
    loop {
        let row = token_state(state, integration).await?;
        let Some(stored) = row.access_token_enc.clone() else {
            return Err(ProviderError::NotConnected);
        };
        if stored != stale && fresh(state, &row) {
            // Someone (this process or another) refreshed meanwhile.
            let token = state.vault.open(integration, TokenField::Access, &stored)?;
            return Ok((token, stored));
        }
        let now = crate::clock::system_now();
        let leased = state
            .store
            .take_refresh_lease(integration.agency_id, integration.id, now, now + LEASE)
            .await
            .map_err(|e| ProviderError::Internal(e.into()))?;
        if !leased {
            if waited_since.elapsed() > WAIT_FOR_OTHER {
                return Err(ProviderError::Unavailable(
                    "another process is refreshing the token".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let result = refresh_holding_lease(state, integration, &row, &stored).await;
        if result.is_err() {
            let _ = state
                .store
                .release_refresh_lease(integration.agency_id, integration.id)
                .await;
        }
        return result;
    }
}

async fn refresh_holding_lease(
    state: &AppState,
    integration: &IntegrationRow,
    row: &TokenState,
    stored: &str,
) -> Result<(SecretToken, String), ProviderError> {
    let provider = integration
        .provider()
        .ok_or_else(|| ProviderError::Internal(anyhow::anyhow!("unknown provider")))?;
    let access = state.vault.open(integration, TokenField::Access, stored)?;
    let refresh = match &row.refresh_token_enc {
        Some(r) => Some(state.vault.open(integration, TokenField::Refresh, r)?),
        None => None,
    };
    let http = &state.vault.oauth_http;
    let app = super::credentials::resolve(state, integration.agency_id, provider).await?;
    match super::oauth::refresh(http, &state.settings, &app, provider, &access, refresh.as_ref()).await {
        Ok(grant) => {
            let access_enc = state.vault.seal(integration, TokenField::Access, &grant.access_token)?;
            let refresh_enc = match &grant.refresh_token {
                Some(r) => Some(state.vault.seal(integration, TokenField::Refresh, r)?),
                None => None,
            };
            let now = crate::clock::system_now();
            let stored_ok = state
                .store
                .store_refreshed_tokens(
                    integration.agency_id,
                    integration.id,
                    stored,
                    &access_enc,
                    refresh_enc.as_deref(),
                    grant.expires_at,
                    now,
                )
                .await
                .map_err(|e| ProviderError::Internal(e.into()))?;
            if !stored_ok {
                // Disconnected or reconnected while we refreshed: the row is not ours to write any more.
                return Err(ProviderError::NotConnected);
            }
            tracing::info!(integration_id = %integration.id, provider = %provider, "provider token refreshed");
            Ok((grant.access_token, access_enc))
        }
        Err(ProviderError::InvalidGrant(reason)) => {
            mark_needs_reconnect(state, integration, provider, &reason).await;
            Err(ProviderError::InvalidGrant(reason))
        }
        Err(e) => Err(e),
    }
}

/// The provider refused the grant: the integration needs a reconnect, and the agency is told by an alert.
pub async fn mark_needs_reconnect(
    state: &AppState,
    integration: &IntegrationRow,
    provider: IntegrationProvider,
    reason: &str,
) {
    let now = crate::clock::system_now();
    let why = format!(
        "{} refused the stored authorization ({reason}). Connect it again.",
        provider.label()
    );
    if let Err(e) = state
        .store
        .set_integration_status(
            integration.agency_id,
            integration.id,
            "needs_reconnect",
            Some(&why),
            Some(&why),
            now,
        )
        .await
    {
        tracing::error!(error.cause_chain = ?e, "could not mark the integration as needing a reconnect");
    }
    let raised = state
        .store
        .raise_condition_alert(
            integration.agency_id,
            AlertType::Disconnect,
            AlertSeverity::High,
            &format!("{} needs to be reconnected", provider.label()),
            &why,
            &alert_key(integration),
            now,
        )
        .await;
    if let Err(e) = raised {
        tracing::error!(error.cause_chain = ?e, "could not raise the disconnect alert");
    }
    tracing::warn!(integration_id = %integration.id, provider = %provider, "provider refused the grant; needs reconnect");
    state.data_changed(integration.agency_id).await;
}

/// The dedupe key of an integration's "needs reconnect" alert (resolved on reconnect).
pub fn alert_key(integration: &IntegrationRow) -> String {
    format!("integration_disconnected:{}", integration.id)
}
