//! Daily ad spend, clicks and conversions synced from Google Ads and Meta Ads: one client's, or the
//! agency's (for a member: the clients they may see).

use audienceos_shared::integrations::{AdPerformance, AdPerformanceQuery};
use uuid::Uuid;

use super::{get, query_string, ApiResult};

/// `GET /clients/{id}/ad-performance?from=&to=&platform=`.
pub async fn client_ad_performance(client: Uuid, query: &AdPerformanceQuery) -> ApiResult<AdPerformance> {
    get(&format!("/clients/{client}/ad-performance{}", query_string(query))).await
}

/// `GET /ad-performance?from=&to=&platform=`: every client the caller may see, summed.
pub async fn agency_ad_performance(query: &AdPerformanceQuery) -> ApiResult<AdPerformance> {
    get(&format!("/ad-performance{}", query_string(query))).await
}

#[cfg(test)]
mod tests {
    use audienceos_shared::integrations::IntegrationProvider;
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn the_query_has_iso_dates_and_leaves_out_an_absent_platform() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d);
        let mut query = AdPerformanceQuery {
            from: day(1),
            to: day(30),
            platform: Some(IntegrationProvider::GoogleAds),
        };
        assert_eq!(
            query_string(&query),
            "?from=2026-03-01&to=2026-03-30&platform=google_ads"
        );
        query.platform = None;
        assert_eq!(query_string(&query), "?from=2026-03-01&to=2026-03-30");
    }
}
