//! Provider integrations: connect (OAuth with PKCE and a signed, session-bound state), the encrypted tokens
//! and their refresh ([`tokens`]), health, "Test connection", disconnect (revoke at the provider, delete the
//! tokens), and the syncs that bring messages and ad metrics in ([`sync`]).
//!
//! Tokens never leave this module tree in clear: the API answers with [`Integration`] views, and logs carry
//! integration ids and providers only.

pub mod accounts;
pub mod calls;
pub mod credentials;
pub mod crypto;
pub mod endpoints;
pub mod gmail;
pub mod google_ads;
pub mod meta;
pub mod oauth;
pub mod provider;
pub mod reply;
pub mod resources;
pub mod slack;
pub mod sync;
pub mod tokens;

use audienceos_shared::integrations::{
    ConnectResponse, Integration, IntegrationProvider, IntegrationStatus, OAuthAppSource, SyncOutcome, SyncStats,
    TestConnectionResult,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::stored::Stored as _;
use crate::error::Code;
use crate::state::AppState;
use crate::store::integration_credentials::CredentialRow;
use crate::store::integrations::{GrantWrite, IntegrationRow, NewIntegration, TokenUpdate};
use crate::store::oauth_states::NewOAuthState;
use crate::store::Store;
use crypto::{TokenContext, TokenField, TokenKeyring};
use provider::ProviderError;

/// Who is connecting: the signed-in user and the session the state is bound to.
#[derive(Debug, Clone, Copy)]
pub struct Connector {
    pub agency_id: Uuid,
    pub user_id: Uuid,
    pub session_id: Uuid,
}

/// Start an OAuth connect: store the state (with the PKCE verifier) and return the consent page URL.
pub async fn start_connect(
    state: &AppState,
    who: Connector,
    provider: IntegrationProvider,
) -> Result<ConnectResponse, ProviderError> {
    let id = crate::store::new_id();
    let signed = oauth::sign_state(
        state.settings.secrets.oauth_state_key.expose(),
        id,
        who.session_id,
        provider,
    );
    let app = credentials::resolve(state, who.agency_id, provider).await?;
    let auth = oauth::authorize_url(&state.settings, &app, provider, signed)?;
    let now = crate::clock::system_now();
    let expires_at = now + oauth::STATE_TTL;
    state
        .store
        .insert_oauth_state(
            &NewOAuthState {
                id,
                agency_id: who.agency_id,
                user_id: who.user_id,
                session_id: who.session_id,
                provider: provider.as_str(),
                pkce_verifier: &auth.pkce_verifier,
                redirect_uri: &oauth::redirect_uri(&state.settings),
                expires_at,
            },
            now,
        )
        .await
        .map_err(|e| ProviderError::Internal(e.into()))?;
    Ok(ConnectResponse {
        authorize_url: auth.url,
        expires_at,
    })
}

/// Why a callback was refused. Nothing is written for the state errors; `Denied` and `Exchange` have
/// used the state up (it was genuine) and changed nothing else.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("The authorization state is missing, malformed or was altered.")]
    StateInvalid,
    #[error("This authorization was started in another session. Start it again from the Integrations page.")]
    StateForeign,
    #[error("This authorization expired (it is valid for 10 minutes). Start it again.")]
    StateExpired,
    #[error("This authorization was already completed. Start a new one to connect again.")]
    StateUsed,
    #[error("Access was not granted at the provider ({0}).")]
    Denied(String),
    #[error("The provider did not accept the authorization code: {0}")]
    Exchange(ProviderError),
}

impl CallbackError {
    pub fn code(&self) -> Code {
        match self {
            CallbackError::StateInvalid => Code::OauthStateInvalid,
            CallbackError::StateForeign => Code::OauthStateForeign,
            CallbackError::StateExpired => Code::OauthStateExpired,
            CallbackError::StateUsed => Code::OauthStateUsed,
            CallbackError::Denied(_) => Code::OauthDenied,
            CallbackError::Exchange(_) => Code::OauthExchangeFailed,
        }
    }
}

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

/// The provider a callback's state names, when the state is well-formed and known (for redirects).
pub async fn callback_provider(state: &AppState, params: &CallbackParams) -> Option<IntegrationProvider> {
    let id = oauth::state_id(params.state.as_deref()?)?;
    let row = state.store.get_oauth_state(id).await.ok()??;
    IntegrationProvider::parse(&row.provider)
}

/// Finish an OAuth connect: check the state (signature, session, single use, expiry), exchange the code,
/// learn the account, and store the encrypted grant. The caller queues the first sync.
pub async fn complete_connect(
    state: &AppState,
    who: Connector,
    params: &CallbackParams,
) -> Result<IntegrationRow, CallbackError> {
    let raw = params.state.as_deref().ok_or(CallbackError::StateInvalid)?;
    let id = oauth::state_id(raw).ok_or(CallbackError::StateInvalid)?;
    let row = state
        .store
        .get_oauth_state(id)
        .await
        .map_err(|e| CallbackError::Exchange(ProviderError::Internal(e.into())))?
        .ok_or(CallbackError::StateInvalid)?;
    let provider = IntegrationProvider::parse(&row.provider).ok_or(CallbackError::StateInvalid)?;
    let key = state.settings.secrets.oauth_state_key.expose();
    // The MAC binds the id to the session that started it: check it against that session first, so an
    // altered state is "invalid" and a genuine one presented by someone else is "foreign".
    if !oauth::verify_state(key, raw, row.session_id, provider) {
        return Err(CallbackError::StateInvalid);
    }
    if row.session_id != who.session_id || row.agency_id != who.agency_id || row.user_id != who.user_id {
        return Err(CallbackError::StateForeign);
    }
    if row.used_at.is_some() {
        return Err(CallbackError::StateUsed);
    }
    let now = crate::clock::system_now();
    if row.expires_at <= now {
        return Err(CallbackError::StateExpired);
    }
    if !state
        .store
        .consume_oauth_state(id, now)
        .await
        .map_err(|e| CallbackError::Exchange(ProviderError::Internal(e.into())))?
    {
        return Err(CallbackError::StateUsed);
    }
    if let Some(error) = &params.error {
        let error: String = error.chars().take(100).collect();
        return Err(CallbackError::Denied(error));
    }
    let code = params.code.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| {
        CallbackError::Exchange(ProviderError::Rejected {
            status: 400,
            message: "the provider sent no code".into(),
        })
    })?;
    let http = &state.vault.oauth_http;
    let app = credentials::resolve(state, who.agency_id, provider)
        .await
        .map_err(CallbackError::Exchange)?;
    let grant = oauth::exchange_code(http, &app, provider, code, &row.pkce_verifier, &row.redirect_uri)
        .await
        .map_err(CallbackError::Exchange)?;
    let account = accounts::whoami(state, who.agency_id, provider, &grant.access_token)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(provider = %provider, error = %e, "could not name the connected account");
            accounts::Account {
                id: String::new(),
                label: provider.label().to_owned(),
            }
        });
    let integration = store_grant(state, who, provider, &grant, &account)
        .await
        .map_err(CallbackError::Exchange)?;
    tracing::info!(integration_id = %integration.id, provider = %provider, "integration connected");
    Ok(integration)
}

async fn store_grant(
    state: &AppState,
    who: Connector,
    provider: IntegrationProvider,
    grant: &oauth::Grant,
    account: &accounts::Account,
) -> Result<IntegrationRow, ProviderError> {
    let internal = |e: crate::store::StoreError| ProviderError::Internal(e.into());
    let now = crate::clock::system_now();
    let existing = state
        .store
        .get_integration_by_provider(who.agency_id, provider.as_str())
        .await
        .map_err(internal)?;
    let row = match existing {
        Some(r) => r,
        None => match state
            .store
            .insert_integration(
                &NewIntegration {
                    agency_id: who.agency_id,
                    provider: provider.as_str().to_owned(),
                    status: "not_connected".to_owned(),
                    account_label: None,
                    scopes: String::new(),
                    token_expires_at: None,
                },
                now,
            )
            .await
        {
            Ok(r) => r,
            // A concurrent connect of the same provider created it first.
            Err(crate::store::StoreError::Conflict { .. }) => state
                .store
                .get_integration_by_provider(who.agency_id, provider.as_str())
                .await
                .map_err(internal)?
                .ok_or(ProviderError::NotConnected)?,
            Err(e) => return Err(internal(e)),
        },
    };
    let access = state.vault.seal(&row, TokenField::Access, &grant.access_token)?;
    let refresh = match &grant.refresh_token {
        Some(r) => Some(state.vault.seal(&row, TokenField::Refresh, r)?),
        None => None,
    };
    let scopes = grant.scopes.join(" ");
    state
        .store
        .save_grant(
            who.agency_id,
            row.id,
            &GrantWrite {
                access_token_enc: &access,
                refresh_token_enc: refresh.as_deref(),
                token_expires_at: grant.expires_at,
                scopes: &scopes,
                account_id: &account.id,
                account_label: &account.label,
                connected_by: who.user_id,
            },
            now,
        )
        .await
        .map_err(internal)?;
    state
        .store
        .resolve_condition_alert(who.agency_id, &tokens::alert_key(&row), now)
        .await
        .map_err(internal)?;
    state.data_changed(who.agency_id).await;
    state
        .store
        .get_integration(who.agency_id, row.id)
        .await
        .map_err(internal)
}

/// Disconnect: revoke at the provider (best effort; the answer says whether it worked) and delete the
/// tokens. Returns whether the provider confirmed the revocation.
pub async fn disconnect(state: &AppState, integration: &IntegrationRow) -> Result<bool, ProviderError> {
    let internal = |e: crate::store::StoreError| ProviderError::Internal(e.into());
    let provider = integration
        .provider()
        .ok_or_else(|| ProviderError::Internal(anyhow::anyhow!("unknown provider")))?;
    let tokens_row = state
        .store
        .integration_token_state(integration.agency_id, integration.id)
        .await
        .map_err(internal)?;
    let mut revoked = true;
    // Revoking the refresh token revokes the grant at Google; Slack revokes by the access token.
    let field_and_stored = match provider {
        IntegrationProvider::Slack => tokens_row.access_token_enc.map(|s| (TokenField::Access, s)),
        _ => tokens_row
            .refresh_token_enc
            .map(|s| (TokenField::Refresh, s))
            .or(tokens_row.access_token_enc.map(|s| (TokenField::Access, s))),
    };
    if let Some((field, stored)) = field_and_stored {
        let token = state.vault.open(integration, field, &stored)?;
        let revoked_at_provider = match credentials::resolve(state, integration.agency_id, provider).await {
            Ok(app) => oauth::revoke(&state.vault.oauth_http, &app, provider, &token).await,
            Err(e) => Err(e),
        };
        if let Err(e) = revoked_at_provider {
            tracing::warn!(integration_id = %integration.id, provider = %provider, error = %e, "revocation at the provider failed; deleting the tokens anyway");
            revoked = false;
        }
    }
    state
        .store
        .clear_grant(integration.agency_id, integration.id, crate::clock::system_now())
        .await
        .map_err(internal)?;
    state
        .store
        .resolve_condition_alert(
            integration.agency_id,
            &tokens::alert_key(integration),
            crate::clock::system_now(),
        )
        .await
        .map_err(internal)?;
    state.data_changed(integration.agency_id).await;
    tracing::info!(integration_id = %integration.id, provider = %provider, revoked, "integration disconnected");
    Ok(revoked)
}

/// "Test connection": the provider's cheapest authenticated call through the token path; updates health.
pub async fn test_connection(state: &AppState, integration: &IntegrationRow) -> TestConnectionResult {
    let started = std::time::Instant::now();
    let Some(provider) = integration.provider() else {
        return TestConnectionResult {
            ok: false,
            account_label: None,
            detail: Some("unknown provider".into()),
            status: IntegrationStatus::NotConnected,
            latency_ms: 0,
        };
    };
    let res = provider::with_token(state, integration, |token| async move {
        accounts::whoami(state, integration.agency_id, provider, &token).await
    })
    .await;
    let latency_ms = started.elapsed().as_millis() as i64;
    let now = crate::clock::system_now();
    let (ok, label, detail) = match res {
        Ok(a) => {
            let _ = state
                .store
                .set_integration_status(integration.agency_id, integration.id, "connected", None, None, now)
                .await;
            (true, Some(a.label), None)
        }
        Err(ProviderError::InvalidGrant(reason)) => {
            tokens::mark_needs_reconnect(state, integration, provider, &reason).await;
            (
                false,
                None,
                Some(format!(
                    "{} refused the stored authorization; connect it again.",
                    provider.label()
                )),
            )
        }
        Err(ProviderError::NotConnected) => (false, None, Some("Not connected.".to_owned())),
        Err(e) => {
            let why = e.to_string();
            let _ = state
                .store
                .set_integration_status(
                    integration.agency_id,
                    integration.id,
                    "degraded",
                    Some(&why),
                    Some(&why),
                    now,
                )
                .await;
            (false, None, Some(why))
        }
    };
    state.data_changed(integration.agency_id).await;
    let status = state
        .store
        .get_integration(integration.agency_id, integration.id)
        .await
        .ok()
        .and_then(|r| IntegrationStatus::parse(&r.status))
        .unwrap_or(IntegrationStatus::NotConnected);
    TestConnectionResult {
        ok,
        account_label: label,
        detail,
        status,
        latency_ms,
    }
}

/// The API view of one provider's integration (or of a provider never connected), given the agency's own
/// OAuth apps.
pub fn view(
    state: &AppState,
    provider: IntegrationProvider,
    row: Option<&(IntegrationRow, i64)>,
    own_apps: &[CredentialRow],
) -> Integration {
    let app = provider.oauth_app();
    let oauth_app = credentials::view(
        &state.settings,
        app,
        own_apps.iter().find(|c| c.provider == app.as_str()),
    );
    let configured = oauth_app.source != OAuthAppSource::None;
    let demo = credentials::server_configured(&state.settings, app)
        && credentials::server_settings(&state.settings, app).is_some_and(|p| p.demo);
    let Some((r, linked)) = row else {
        return Integration {
            provider,
            id: None,
            status: IntegrationStatus::NotConnected,
            status_reason: None,
            configured,
            oauth_app,
            demo,
            account_label: None,
            scopes: Vec::new(),
            connected_at: None,
            sync_progress: None,
            last_sync_at: None,
            last_sync: None,
            last_error: None,
            linked_resources: 0,
        };
    };
    let status = IntegrationStatus::from_stored(&r.status);
    let connected = status.has_grant();
    Integration {
        provider,
        id: Some(r.id),
        status,
        status_reason: r.status_reason.clone(),
        configured,
        oauth_app,
        demo,
        account_label: r.account_label.clone().filter(|_| connected),
        scopes: r.scopes.split_whitespace().map(str::to_owned).collect(),
        connected_at: r.connected_at.filter(|_| connected),
        sync_progress: r.sync_progress.clone().filter(|_| status == IntegrationStatus::Syncing),
        last_sync_at: r.last_sync_at,
        last_sync: r.last_sync_outcome.as_ref().map(|o| SyncOutcome {
            outcome: o.clone(),
            started_at: r.last_sync_started_at,
            finished_at: Some(r.updated_at),
            stats: r
                .last_sync_stats
                .as_ref()
                .and_then(|s| serde_json::from_value::<SyncStats>(s.0.clone()).ok())
                .unwrap_or_default(),
        }),
        last_error: r.last_error.clone(),
        linked_resources: *linked,
    }
}

/// Queue a sync of `integration` (`why` names the trigger in the job payload).
pub async fn enqueue_sync(state: &AppState, integration: &IntegrationRow, why: &str) -> anyhow::Result<Uuid> {
    let now = crate::clock::system_now();
    let id = sync::enqueue(&state.store, integration, why, None, now).await?;
    state.jobs.notify();
    Ok(id)
}

/// What a rotation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Integrations with at least one stored token.
    pub examined: usize,
    /// Integrations whose tokens were re-sealed with the current key.
    pub rotated: usize,
    /// Integrations changed by someone else (a token refresh) between the read and the write; their new
    /// values were sealed with the current key by that writer, or a rerun picks them up.
    pub skipped: usize,
    /// The agencies' own OAuth app client secrets, re-sealed alike.
    pub oauth_apps: credentials::SecretRotation,
}

/// Re-seal every stored provider token and agency OAuth app secret that is not under the current key.
/// Fails, writing nothing, when one does not open (unknown key id, tampered value): an old key is still
/// needed, keep it configured.
pub async fn rotate_token_key(
    store: &Store,
    keys: &TokenKeyring,
    now: DateTime<Utc>,
) -> anyhow::Result<RotationReport> {
    let rows = store.integration_token_rows().await?;
    let mut report = RotationReport {
        examined: rows.len(),
        ..RotationReport::default()
    };
    let mut updates = Vec::new();
    for row in rows {
        let reseal = |field: TokenField, value: &Option<String>| -> anyhow::Result<Option<String>> {
            let Some(stored) = value else { return Ok(None) };
            let ctx = TokenContext {
                agency_id: row.agency_id,
                integration_id: row.id,
                field,
            };
            keys.reencrypt(stored, &ctx)
                .map_err(|e| anyhow::anyhow!("integration {} ({} token): {e}", row.id, field.as_str()))
        };
        let access = reseal(TokenField::Access, &row.access_token_enc)?;
        let refresh = reseal(TokenField::Refresh, &row.refresh_token_enc)?;
        if access.is_none() && refresh.is_none() {
            continue;
        }
        updates.push(TokenUpdate {
            new_access: access.or_else(|| row.access_token_enc.clone()),
            new_refresh: refresh.or_else(|| row.refresh_token_enc.clone()),
            row,
        });
    }
    let (apps, resealed) = credentials::resealed_secrets(store, keys).await?;
    let applied = store.replace_integration_tokens(&updates, now).await?;
    report.rotated = applied;
    report.skipped = updates.len() - applied;
    report.oauth_apps = credentials::apply_resealed(store, apps, &resealed).await?;
    Ok(report)
}
