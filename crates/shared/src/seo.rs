//! SEO enrichment: the request, the summary stored on a client, and the provider usage (cost) report.
//! The domain rule lives here so the SPA normalises and checks a domain exactly as the API does.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Enrich a domain with SEO data (DataForSEO Labs: domain overview and competitors).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrichSeoRequest {
    /// A domain or URL; the scheme, `www.`, port, path and query are dropped (`https://www.acme.com/shop` →
    /// `acme.com`).
    #[cfg_attr(feature = "openapi", schema(example = "acme.com"))]
    pub domain: String,
    /// Store the result on this client (replacing its previous summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
}

/// A domain's organic search footprint and its top competitors, as fetched from the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeoSummary {
    /// The normalised domain that was looked up.
    pub domain: String,
    /// Keywords the domain ranks for in Google's organic results (United States, English).
    pub organic_keywords: i64,
    /// Estimated monthly organic traffic (visits).
    pub organic_traffic: f64,
    /// What the organic traffic would cost as ads, in USD per month.
    pub organic_traffic_value_usd: f64,
    /// Keywords ranking first.
    pub top_1_keywords: i64,
    /// Keywords ranking in positions 1 to 3.
    pub top_3_keywords: i64,
    /// Keywords ranking in positions 1 to 10.
    pub top_10_keywords: i64,
    /// Keywords the domain buys ads on.
    pub paid_keywords: i64,
    /// Up to five domains competing for the same keywords, most overlap first.
    pub competitors: Vec<SeoCompetitor>,
    /// What the provider charged for this enrichment, in USD.
    pub cost_usd: f64,
    pub fetched_at: DateTime<Utc>,
}

/// A domain competing with the looked-up one in organic search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeoCompetitor {
    pub domain: String,
    /// Keywords both domains rank for.
    pub intersecting_keywords: i64,
    /// The competitor's average position on those keywords.
    pub avg_position: f64,
    /// Keywords the competitor ranks for in all.
    pub organic_keywords: i64,
    /// The competitor's estimated monthly organic traffic.
    pub organic_traffic: f64,
}

/// The SEO summary stored on a client (`summary` is null until the client is enriched).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientSeo {
    pub client_id: Uuid,
    pub summary: Option<SeoSummary>,
}

/// Provider calls of the agency (each try of each endpoint counts), for the cost report in settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeoUsage {
    /// Whether the SEO provider is configured on this server.
    pub configured: bool,
    /// Since the first day of the current month (UTC).
    pub this_month: SeoUsagePeriod,
    /// The last 30 days.
    pub last_30_days: SeoUsagePeriod,
}

/// Provider calls in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeoUsagePeriod {
    pub since: DateTime<Utc>,
    /// Every call, whatever its outcome.
    pub calls: i64,
    /// Calls per outcome (`ok`, `rate_limited`, `server_error`, `timeout`, `network_error`, `rejected`),
    /// only outcomes that occurred, sorted by outcome.
    pub by_outcome: Vec<SeoOutcomeCount>,
    /// What the provider reported charging, in USD.
    pub cost_usd: f64,
}

/// How many calls ended one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeoOutcomeCount {
    pub outcome: String,
    pub calls: i64,
}

/// Normalise a domain or URL to the bare host the provider expects: lower case, without scheme, user
/// info, port, path, query, trailing dot or leading `www.`. `None` when what is left is not a public
/// host name (dot-separated labels of letters, digits and hyphens, with an alphabetic top-level label).
pub fn normalize_domain(input: &str) -> Option<String> {
    let mut s = input.trim().to_ascii_lowercase();
    if let Some((_, rest)) = s.split_once("://") {
        s = rest.to_string();
    }
    let host = s.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default().trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let tld = host.rsplit('.').next().unwrap_or_default();
    let ok = crate::validation::is_host_name(host, true)
        && tld.len() >= 2
        && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--"));
    ok.then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::normalize_domain;

    #[test]
    fn domains_are_normalised_to_the_bare_host() {
        for (input, want) in [
            ("acme.com", "acme.com"),
            ("  ACME.com ", "acme.com"),
            ("https://www.acme.com/shop?x=1#top", "acme.com"),
            ("http://user:pw@shop.acme.co.uk:8080/", "shop.acme.co.uk"),
            ("www.acme.com.", "acme.com"),
            ("acme.xn--p1ai", "acme.xn--p1ai"),
        ] {
            assert_eq!(normalize_domain(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn junk_is_not_a_domain() {
        for input in [
            "",
            "acme",
            "localhost",
            "127.0.0.1",
            "acme..com",
            "-acme.com",
            "acme.c",
            "ac me.com",
            "https://",
            "acme.com\u{0}",
        ] {
            assert_eq!(normalize_domain(input), None, "{input:?}");
        }
    }
}
