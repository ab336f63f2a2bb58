//! Which OAuth app (client id and secret) an agency's connections go through: the server's, when its
//! settings configure the provider (an agency's own app is then ignored: it overrides nothing the server
//! sets), else the agency's own, which its Owner pasted in the app. [`resolve`] is the one place that
//! decides; the authorize URL, the code exchange, token refresh, revocation, account lookups and the API
//! calls of syncs all take their provider settings from it, so a connection made with an agency's app keeps
//! working in background syncs.
//!
//! The agency's client secret is sealed like provider tokens (AES-256-GCM under the token key), bound to its
//! agency, its row and the field `oauth_client_secret`: it opens neither as a token nor in another row.

use std::borrow::Cow;

use audienceos_shared::integrations::{IntegrationProvider, OAuthApp, OAuthAppProvider, OAuthAppSource};
use secrecy::SecretString;
use uuid::Uuid;

use super::crypto::{SecretToken, TokenContext, TokenCryptoError, TokenField, TokenKeyring};
use super::provider::ProviderError;
use crate::config::{ProviderSettings, Settings};
use crate::state::AppState;
use crate::store::integration_credentials::{CredentialRow, SealedSecret};
use crate::store::Store;

/// The server's settings of the provider an app is registered at (base URLs, and its OAuth client when set).
pub fn server_settings(settings: &Settings, app: OAuthAppProvider) -> Option<&ProviderSettings> {
    settings.provider(app.as_str())
}

/// Whether the server's settings configure the provider's OAuth app (then every agency uses it).
pub fn server_configured(settings: &Settings, app: OAuthAppProvider) -> bool {
    server_settings(settings, app).is_some_and(ProviderSettings::is_configured)
}

/// The provider settings `agency_id`'s connections of `provider` use: the server's when it configures the
/// provider, else the server's (base URLs) with the agency's own client id and secret. `NotConfigured`
/// when neither has an OAuth app.
pub async fn resolve(
    state: &AppState,
    agency_id: Uuid,
    provider: IntegrationProvider,
) -> Result<Cow<'_, ProviderSettings>, ProviderError> {
    let app = provider.oauth_app();
    let server = server_settings(&state.settings, app).ok_or(ProviderError::NotConfigured)?;
    if server.is_configured() {
        return Ok(Cow::Borrowed(server));
    }
    let row = state
        .store
        .get_integration_credential(agency_id, app.as_str())
        .await
        .map_err(|e| ProviderError::Internal(e.into()))?
        .ok_or(ProviderError::NotConfigured)?;
    let secret = open_secret(&state.vault.keys, &row)
        .map_err(|e| ProviderError::Internal(anyhow::anyhow!("opening an agency's OAuth client secret: {e}")))?;
    let mut own = server.clone();
    own.client_id = Some(row.client_id);
    own.client_secret = Some(SecretString::from(secret.expose().to_owned()));
    Ok(Cow::Owned(own))
}

/// What a sealed secret is bound to: its agency, its row and the field.
pub fn secret_context(agency_id: Uuid, credential_id: Uuid) -> TokenContext {
    TokenContext {
        agency_id,
        integration_id: credential_id,
        field: TokenField::OAuthClientSecret,
    }
}

/// Seal a client secret for the credential row `credential_id` of `agency_id`.
pub fn seal_secret(
    keys: &TokenKeyring,
    agency_id: Uuid,
    credential_id: Uuid,
    secret: &SecretToken,
) -> Result<String, TokenCryptoError> {
    keys.encrypt_to_stored(secret, &secret_context(agency_id, credential_id))
}

fn open_secret(keys: &TokenKeyring, row: &CredentialRow) -> Result<SecretToken, TokenCryptoError> {
    keys.decrypt(&row.client_secret_enc, &secret_context(row.agency_id, row.id))
}

/// The API view of the OAuth app an integration of `app` connects through (never its secret).
pub fn view(settings: &Settings, app: OAuthAppProvider, row: Option<&CredentialRow>) -> OAuthApp {
    let redirect_uri = super::oauth::redirect_uri(settings);
    if server_configured(settings, app) {
        return OAuthApp {
            provider: app,
            source: OAuthAppSource::Server,
            client_id: None,
            set_by_name: None,
            updated_at: None,
            redirect_uri,
        };
    }
    match row {
        Some(r) => OAuthApp {
            provider: app,
            source: OAuthAppSource::Agency,
            client_id: Some(r.client_id.clone()),
            set_by_name: r.set_by_name.clone().filter(|n| !n.trim().is_empty()),
            updated_at: Some(r.updated_at),
            redirect_uri,
        },
        None => OAuthApp {
            provider: app,
            source: OAuthAppSource::None,
            client_id: None,
            set_by_name: None,
            updated_at: None,
            redirect_uri,
        },
    }
}

/// What re-sealing the agencies' client secrets did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecretRotation {
    /// Agency OAuth apps stored.
    pub examined: usize,
    /// Secrets re-sealed with the current key.
    pub rotated: usize,
    /// Secrets replaced by someone else between the read and the write (sealed with the current key by
    /// that writer).
    pub skipped: usize,
}

/// The agencies' client secrets that are not under the current key, re-sealed (checked before anything is
/// written: a secret that does not open fails the whole rotation).
/// Returns how many are stored and the new stored forms.
pub async fn resealed_secrets(
    store: &Store,
    keys: &TokenKeyring,
) -> anyhow::Result<(usize, Vec<(SealedSecret, String)>)> {
    let rows = store.integration_credential_secrets().await?;
    let examined = rows.len();
    let mut out = Vec::new();
    for row in rows {
        let ctx = secret_context(row.agency_id, row.id);
        if let Some(new) = keys
            .reencrypt(&row.client_secret_enc, &ctx)
            .map_err(|e| anyhow::anyhow!("agency OAuth app {} (client secret): {e}", row.id))?
        {
            out.push((row, new));
        }
    }
    Ok((examined, out))
}

/// Write what [`resealed_secrets`] prepared (compare-and-set per row).
pub async fn apply_resealed(
    store: &Store,
    examined: usize,
    resealed: &[(SealedSecret, String)],
) -> anyhow::Result<SecretRotation> {
    let mut report = SecretRotation {
        examined,
        ..SecretRotation::default()
    };
    for (old, new) in resealed {
        if store.reseal_integration_credential(old, new).await? {
            report.rotated += 1;
        } else {
            report.skipped += 1;
        }
    }
    Ok(report)
}
