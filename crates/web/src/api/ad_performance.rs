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
