//! Provider integrations (Gmail, Google Ads, Slack, Meta Ads): their health as the API reports it, OAuth
//! connect, test and sync, the provider resources linked to clients, the messages a sync brings in, and the
//! daily ad performance shown on a client and on the dashboard. Tokens never appear in any of these types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;

/// A provider an agency can connect (one connection per agency and provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegrationProvider {
    Gmail,
    GoogleAds,
    Slack,
    MetaAds,
}

impl IntegrationProvider {
    pub const ALL: [IntegrationProvider; 4] = [
        IntegrationProvider::Gmail,
        IntegrationProvider::Slack,
        IntegrationProvider::GoogleAds,
        IntegrationProvider::MetaAds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationProvider::Gmail => "gmail",
            IntegrationProvider::GoogleAds => "google_ads",
            IntegrationProvider::Slack => "slack",
            IntegrationProvider::MetaAds => "meta_ads",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            IntegrationProvider::Gmail => "Gmail",
            IntegrationProvider::GoogleAds => "Google Ads",
            IntegrationProvider::Slack => "Slack",
            IntegrationProvider::MetaAds => "Meta Ads",
        }
    }

    /// Whether a sync needs provider resources (Slack channels, ad accounts) linked to clients first.
    /// Gmail matches messages to clients by the contact's email address or domain instead.
    pub fn links_resources(self) -> bool {
        !matches!(self, IntegrationProvider::Gmail)
    }

    /// Whether `id` has the shape of this provider's resource ids: Slack channel ids (`C0123ABC`), Google
    /// Ads customer ids (`123-456-7890`, `1234567890` or `customers/1234567890`), Meta ad accounts
    /// (`act_1234` or `1234`). The id goes into provider URLs, so nothing else is accepted; Gmail links
    /// nothing.
    pub fn is_resource_id(self, id: &str) -> bool {
        let digits = |s: &str| !s.is_empty() && s.len() <= 30 && s.bytes().all(|b| b.is_ascii_digit());
        match self {
            IntegrationProvider::Gmail => false,
            IntegrationProvider::Slack => {
                (2..=30).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
            IntegrationProvider::GoogleAds => {
                let id = id.strip_prefix("customers/").unwrap_or(id);
                id.len() <= 30 && digits(&id.replace('-', "")) && !id.starts_with('-') && !id.ends_with('-')
            }
            IntegrationProvider::MetaAds => digits(id.strip_prefix("act_").unwrap_or(id)),
        }
    }

    /// What a linked resource is called for this provider.
    pub fn resource_noun(self) -> &'static str {
        match self {
            IntegrationProvider::Gmail => "mailbox",
            IntegrationProvider::Slack => "channel",
            IntegrationProvider::GoogleAds => "customer account",
            IntegrationProvider::MetaAds => "ad account",
        }
    }
}

impl std::fmt::Display for IntegrationProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The health of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    /// Never connected, or disconnected.
    NotConnected,
    /// Connected and the last sync (if any) succeeded.
    Connected,
    /// A sync is running now.
    Syncing,
    /// Connected, but the last sync or test failed for a reason that may pass (provider down, rate limited).
    Degraded,
    /// The provider refused the stored grant (revoked, expired consent): someone must connect again.
    NeedsReconnect,
}

impl IntegrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationStatus::NotConnected => "not_connected",
            IntegrationStatus::Connected => "connected",
            IntegrationStatus::Syncing => "syncing",
            IntegrationStatus::Degraded => "degraded",
            IntegrationStatus::NeedsReconnect => "needs_reconnect",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            IntegrationStatus::NotConnected,
            IntegrationStatus::Connected,
            IntegrationStatus::Syncing,
            IntegrationStatus::Degraded,
            IntegrationStatus::NeedsReconnect,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Whether tokens are held (so Test, Sync now and Disconnect make sense).
    pub fn has_grant(self) -> bool {
        !matches!(self, IntegrationStatus::NotConnected)
    }
}

/// One provider's integration as `GET /api/v1/integrations` lists it (one entry per provider, connected or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Integration {
    pub provider: IntegrationProvider,
    /// Absent until the agency first connects the provider.
    pub id: Option<Uuid>,
    pub status: IntegrationStatus,
    /// Why it is degraded or needs a reconnect.
    pub status_reason: Option<String>,
    /// Whether the server has OAuth credentials for this provider (`AOS_<PROVIDER>_CLIENT_ID`/`_SECRET`).
    pub configured: bool,
    /// Whether the provider is the local demo's stand-in (`audienceos-fakes`, `AOS_DEMO_PROVIDERS`), not
    /// the real service: what it holds is sample data. Never true in production.
    #[serde(default)]
    pub demo: bool,
    /// The connected account (mailbox address, Slack workspace, Meta user, Google Ads login).
    pub account_label: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    pub connected_at: Option<DateTime<Utc>>,
    /// What the running sync is doing, e.g. "Fetched 120 of 400 messages".
    pub sync_progress: Option<String>,
    /// When the last sync finished successfully.
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync: Option<SyncOutcome>,
    /// The last sync's or test's error, in words.
    pub last_error: Option<String>,
    /// Provider resources linked to clients (Slack channels, ad accounts).
    pub linked_resources: i64,
}

/// How the last sync ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncOutcome {
    /// `ok` or `failed`.
    pub outcome: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub stats: SyncStats,
}

/// Counts of one sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncStats {
    /// Items read from the provider.
    #[serde(default)]
    pub fetched: i64,
    /// Rows written for the first time.
    #[serde(default)]
    pub created: i64,
    /// Rows that existed and were updated (or were already there: a rerun).
    #[serde(default)]
    pub updated: i64,
    /// Items not stored (no matching client, not linked).
    #[serde(default)]
    pub skipped: i64,
    #[serde(default)]
    pub duration_ms: i64,
}

/// `POST /api/v1/integrations/connect`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    pub provider: IntegrationProvider,
}

/// Where to send the browser to grant access (the provider's consent page). Valid for 10 minutes, once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectResponse {
    pub authorize_url: String,
    pub expires_at: DateTime<Utc>,
}

/// The answer of `POST /api/v1/integrations/{id}/test`: the provider's cheapest authenticated call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestConnectionResult {
    pub ok: bool,
    /// The account the provider says the token belongs to.
    pub account_label: Option<String>,
    /// What went wrong, in words.
    pub detail: Option<String>,
    pub status: IntegrationStatus,
    pub latency_ms: i64,
}

/// The answer of `POST /api/v1/integrations/{id}/sync`: the queued job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncQueued {
    pub job_id: Uuid,
}

/// A provider resource (Slack channel, Meta ad account, Google Ads customer) and the client it feeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderResource {
    pub external_id: String,
    pub name: String,
    pub client_id: Option<Uuid>,
    pub client_name: Option<String>,
}

/// `PUT /api/v1/integrations/{id}/links/{external_id}`: link the resource to a client, or unlink it (`null`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkResourceRequest {
    pub client_id: Option<Uuid>,
    /// The resource's display name as listed (kept so the UI can show links when the provider is unreachable).
    #[serde(default)]
    pub name: String,
}

/// A message synced from Gmail or Slack, as a client's communications list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Communication {
    pub id: Uuid,
    pub client_id: Uuid,
    /// `gmail` or `slack`.
    pub platform: String,
    pub thread_id: Option<String>,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub snippet: String,
    pub is_inbound: bool,
    pub needs_reply: bool,
    pub received_at: DateTime<Utc>,
}

/// `?from=&to=` (inclusive dates; default the last 30 days) and an optional platform.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AdPerformanceQuery {
    /// The first day (default: 29 days before `to`); at most 366 days before `to`.
    pub from: Option<NaiveDate>,
    /// The last day (default: today).
    pub to: Option<NaiveDate>,
    /// `google_ads` or `meta_ads`; both when absent.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = "^(google_ads|meta_ads)$"))]
    pub platform: Option<IntegrationProvider>,
}

/// Metrics summed over campaigns (one day, or a whole range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdMetrics {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1250.00"))]
    pub spend: Money,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: f64,
    /// Absent when no platform reported revenue.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub revenue: Option<Money>,
}

/// One day of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdDay {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub metrics: AdMetrics,
}

/// Ad performance over a date range: every day of the range (zeros where nothing ran), and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdPerformance {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: Vec<AdDay>,
    pub totals: AdMetrics,
    /// The same range just before this one, for "vs previous period".
    pub previous_totals: AdMetrics,
    /// Totals per platform that has data in the range.
    pub by_platform: Vec<PlatformTotals>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformTotals {
    pub platform: IntegrationProvider,
    pub totals: AdMetrics,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_must_have_the_providers_shape() {
        use IntegrationProvider as P;
        assert!(P::MetaAds.is_resource_id("act_123") && P::MetaAds.is_resource_id("123"));
        assert!(
            !P::MetaAds.is_resource_id("1/../../google/oauth2/v3/userinfo?x=") && !P::MetaAds.is_resource_id("act_")
        );
        assert!(P::GoogleAds.is_resource_id("123-456-7890") && P::GoogleAds.is_resource_id("customers/1234567890"));
        assert!(!P::GoogleAds.is_resource_id("123/../x") && !P::GoogleAds.is_resource_id("-"));
        assert!(P::Slack.is_resource_id("C0FAKE0001") && !P::Slack.is_resource_id("C0/../auth.revoke"));
        assert!(!P::Gmail.is_resource_id("anything"));
    }

    #[test]
    fn providers_and_statuses_round_trip_their_wire_names() {
        for p in IntegrationProvider::ALL {
            assert_eq!(IntegrationProvider::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::json!(p.as_str()));
        }
        assert_eq!(
            IntegrationStatus::parse("needs_reconnect"),
            Some(IntegrationStatus::NeedsReconnect)
        );
        assert!(!IntegrationStatus::NotConnected.has_grant());
    }
}
