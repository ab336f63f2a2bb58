//! `/api/v1/seo/*` and a client's stored SEO summary.

use audienceos_shared::seo::{ClientSeo, EnrichSeoRequest, SeoSummary, SeoUsage};
use uuid::Uuid;

use super::{get, post, ApiResult};

/// `POST /seo/enrich`: fetch the domain's SEO overview and competitors (stored on the client if given).
pub async fn enrich(domain: String, client_id: Option<Uuid>) -> ApiResult<SeoSummary> {
    post("/seo/enrich", &EnrichSeoRequest { domain, client_id }).await
}

/// `GET /clients/{id}/seo`: the summary stored on the client, if any.
pub async fn client_seo(client: Uuid) -> ApiResult<ClientSeo> {
    get(&format!("/clients/{client}/seo")).await
}

/// `GET /seo/usage`: calls and cost this month and over the last 30 days.
pub async fn usage() -> ApiResult<SeoUsage> {
    get("/seo/usage").await
}
