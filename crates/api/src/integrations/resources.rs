//! Per-provider dispatch: the provider resources an integration can link to clients ([`resources`]), and
//! the sync of an integration ([`sync`]), so callers (the resources route, the sync job) need not know
//! which provider client does what.

use audienceos_shared::integrations::{IntegrationProvider, SyncStats};

use super::calls::provider_of;
use super::provider::ProviderError;
use super::sync::SyncCtx;
use super::{gmail, google_ads, meta, slack};
use crate::state::AppState;
use crate::store::integrations::IntegrationRow;

/// The resources the provider lists live, as (external id, name): Slack channels the bot is in, Google Ads
/// customer accounts, Meta ad accounts. Gmail links nothing (messages match clients by address): empty.
pub async fn resources(state: &AppState, integration: &IntegrationRow) -> Result<Vec<(String, String)>, ProviderError> {
    match provider_of(integration)? {
        IntegrationProvider::Slack => slack::list_channels(state, integration).await,
        IntegrationProvider::GoogleAds => google_ads::list_customers(state, integration).await,
        IntegrationProvider::MetaAds => meta::list_ad_accounts(state, integration).await,
        IntegrationProvider::Gmail => Ok(Vec::new()),
    }
}

/// Run the provider's sync; times it, and tells the caches when it wrote anything.
pub async fn sync(ctx: &SyncCtx<'_>) -> Result<SyncStats, ProviderError> {
    let started = std::time::Instant::now();
    let mut stats = match provider_of(ctx.integration)? {
        IntegrationProvider::Gmail => gmail::sync(ctx).await,
        IntegrationProvider::Slack => slack::sync(ctx).await,
        IntegrationProvider::GoogleAds => google_ads::sync(ctx).await,
        IntegrationProvider::MetaAds => meta::sync(ctx).await,
    }?;
    if stats.created + stats.updated > 0 {
        ctx.state.data_changed(ctx.integration.agency_id).await;
    }
    stats.duration_ms = started.elapsed().as_millis() as i64;
    Ok(stats)
}
