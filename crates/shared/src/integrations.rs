//! Provider integrations (Gmail, Google Ads, Slack, Meta Ads): their health as the API reports it, OAuth
//! connect, test and sync, the provider resources linked to clients, the messages a sync brings in, and the
//! daily ad performance shown on a client and on the dashboard. Tokens never appear in any of these types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

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
    /// Whether Connect can start: an OAuth app is set up for the provider, the server's or the agency's
    /// own (see `oauth_app`).
    pub configured: bool,
    /// The OAuth app this integration connects through, and where it comes from.
    pub oauth_app: OAuthApp,
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

/// The provider an OAuth app is registered at. One app serves every integration of its provider: a Google
/// app connects Gmail and Google Ads. The wire name is the server's settings name of the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthAppProvider {
    Google,
    Slack,
    Meta,
}

impl OAuthAppProvider {
    pub const ALL: [OAuthAppProvider; 3] = [
        OAuthAppProvider::Google,
        OAuthAppProvider::Slack,
        OAuthAppProvider::Meta,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OAuthAppProvider::Google => "google",
            OAuthAppProvider::Slack => "slack",
            OAuthAppProvider::Meta => "meta",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            OAuthAppProvider::Google => "Google",
            OAuthAppProvider::Slack => "Slack",
            OAuthAppProvider::Meta => "Meta",
        }
    }

    /// The integrations that connect through this provider's app.
    pub fn integrations(self) -> &'static [IntegrationProvider] {
        match self {
            OAuthAppProvider::Google => &[IntegrationProvider::Gmail, IntegrationProvider::GoogleAds],
            OAuthAppProvider::Slack => &[IntegrationProvider::Slack],
            OAuthAppProvider::Meta => &[IntegrationProvider::MetaAds],
        }
    }
}

impl std::fmt::Display for OAuthAppProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IntegrationProvider {
    /// The provider whose OAuth app this integration connects through.
    pub fn oauth_app(self) -> OAuthAppProvider {
        match self {
            IntegrationProvider::Gmail | IntegrationProvider::GoogleAds => OAuthAppProvider::Google,
            IntegrationProvider::Slack => OAuthAppProvider::Slack,
            IntegrationProvider::MetaAds => OAuthAppProvider::Meta,
        }
    }
}

/// Where the OAuth app of an integration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthAppSource {
    /// The server's settings configure the provider for every agency; an agency's own app is not used.
    Server,
    /// The agency's Owner set the agency's own OAuth app in the app.
    Agency,
    /// Neither: the provider cannot be connected until one is set up.
    None,
}

/// The OAuth app an integration connects through. Never carries the client secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthApp {
    pub provider: OAuthAppProvider,
    pub source: OAuthAppSource,
    /// The agency's client id, when `source` is `agency`.
    pub client_id: Option<String>,
    /// Who set the agency's app, when `source` is `agency` and they are still in the agency.
    pub set_by_name: Option<String>,
    /// When the agency's app was last set, when `source` is `agency`.
    pub updated_at: Option<DateTime<Utc>>,
    /// The redirect URI to register with the provider's app (the same for every provider).
    pub redirect_uri: String,
}

/// The longest client id accepted (Google's are about 75 characters, Slack's and Meta's about 20).
pub const OAUTH_CLIENT_ID_MAX: u64 = 255;
/// The longest client secret accepted.
pub const OAUTH_CLIENT_SECRET_MAX: u64 = 512;

/// `PUT /api/v1/integrations/credentials/{provider}`: the agency's own OAuth app at a provider, as its
/// page at the provider shows it. Spaces and line breaks around each value are dropped; none may be inside.
#[derive(Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetOAuthAppRequest {
    /// The app's client id (Meta: the App ID).
    #[validate(length(max = 255, message = "must be at most 255 characters"))]
    #[validate(custom(function = "crate::integrations::oauth_app_value"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = r"^[ \t\r\n]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+[ \t\r\n]*$",
            example = "1234567890-abc.apps.googleusercontent.com"
        )
    )]
    pub client_id: String,
    /// The app's client secret (Meta: the App Secret). Stored encrypted; never shown again.
    #[validate(length(max = 512, message = "must be at most 512 characters"))]
    #[validate(custom(function = "crate::integrations::oauth_app_value"))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 512,
            pattern = r"^[ \t\r\n]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+[ \t\r\n]*$",
            example = "GOCSPX-example-secret"
        )
    )]
    pub client_secret: String,
}

impl SetOAuthAppRequest {
    /// The values without the spaces and line breaks a paste brings around them.
    pub fn trimmed(self) -> Self {
        Self {
            client_id: trim_paste(&self.client_id).to_owned(),
            client_secret: trim_paste(&self.client_secret).to_owned(),
        }
    }
}

impl std::fmt::Debug for SetOAuthAppRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetOAuthAppRequest")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .finish()
    }
}

/// `value` without the spaces, tabs and line breaks around it.
pub fn trim_paste(value: &str) -> &str {
    value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// A character no client id or secret holds inside: any space (Unicode's), control character or
/// zero-width no-break space, all of which a copy from a web page can bring along.
pub fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}'
}

/// A client id or secret: something besides the spaces and line breaks around it, and no space inside.
pub fn oauth_app_value(value: &str) -> Result<(), ValidationError> {
    let value = trim_paste(value);
    if value.is_empty() {
        Err(ValidationError::new("length").with_message("is required".into()))
    } else if value.chars().any(is_blank_char) {
        Err(ValidationError::new("spaces").with_message("must not contain spaces or line breaks".into()))
    } else {
        Ok(())
    }
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
    fn oauth_app_values_are_trimmed_and_hold_no_space_inside() {
        assert!(oauth_app_value(" 123.apps.googleusercontent.com\n").is_ok());
        assert_eq!(oauth_app_value("  ").unwrap_err().code, "length");
        assert_eq!(oauth_app_value("").unwrap_err().code, "length");
        for bad in ["abc def", "abc\u{a0}def", "abc\u{feff}def", "a\u{85}b", "a\nb"] {
            assert_eq!(oauth_app_value(bad).unwrap_err().code, "spaces", "{bad:?}");
        }
        let req = SetOAuthAppRequest {
            client_id: "\tid-1 ".into(),
            client_secret: " shh\r\n".into(),
        };
        assert!(req.validate().is_ok());
        let req = req.trimmed();
        assert_eq!((req.client_id.as_str(), req.client_secret.as_str()), ("id-1", "shh"));
        assert!(!format!("{req:?}").contains("shh"), "the secret never prints");
        let long = SetOAuthAppRequest {
            client_id: "x".repeat(256),
            client_secret: "y".repeat(513),
        };
        let errors = long.validate().unwrap_err();
        assert!(errors.field_errors().contains_key("client_id") && errors.field_errors().contains_key("client_secret"));
        for p in IntegrationProvider::ALL {
            assert!(p.oauth_app().integrations().contains(&p));
        }
        for a in OAuthAppProvider::ALL {
            assert_eq!(OAuthAppProvider::parse(a.as_str()), Some(a));
        }
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
