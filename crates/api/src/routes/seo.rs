//! SEO enrichment: enrich a domain (optionally storing the summary on a client), read a client's stored
//! summary, and the provider usage report for settings. Enrichment is limited per agency (`seo_enrich`,
//! 10/hour by default), because the provider bills the agency's account, whoever asks.

use actix_web::{web, HttpResponse};
use audienceos_shared::seo::SeoOutcomeCount;
use audienceos_shared::seo::{normalize_domain, ClientSeo, EnrichSeoRequest, SeoSummary, SeoUsage, SeoUsagePeriod};
use audienceos_shared::Problem;
use chrono::{DateTime, Datelike as _, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite, SettingsRead};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Json;
use crate::rate_limit::{apply_headers, RouteClass};
use crate::seo::{self, EnrichError};
use crate::services::audit::Audit;
use crate::state::AppState;

/// Enrich a domain with SEO data
///
/// Looks the domain up at the SEO provider (DataForSEO Labs, Google US/English: the domain's organic
/// overview and its top five competitors; both calls run concurrently, each tried up to three times with
/// backoff honouring `Retry-After`). With `client_id` the summary is stored on that client, replacing the
/// previous one. At most 10 enrichments per hour per agency. Every provider call is logged for the usage
/// report, failed ones included.
#[utoipa::path(post, path = "/api/v1/seo/enrich", tag = "seo", request_body = EnrichSeoRequest,
    responses((status = 200, body = SeoSummary),
        (status = 404, body = Problem, description = "`client_id` is not a client the caller can see"),
        (status = 422, body = Problem, description = "`domain` is not a domain name"),
        (status = 429, body = Problem, description = "`rate_limited`, with `Retry-After`"),
        (status = 502, body = Problem, description = "`upstream_failed`: the provider failed three times, or refused"),
        (status = 503, body = Problem, description = "`provider_not_configured`")))]
pub async fn enrich_seo(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    body: Json<EnrichSeoRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let domain = normalize_domain(&body.domain)
        .ok_or_else(|| ApiError::field("domain", "domain", "must be a domain name such as acme.com"))?;
    if seo::client(&state).is_none() {
        return Err(ApiError::ProviderNotConfigured {
            provider: seo::PROVIDER,
        });
    }
    if let Some(client_id) = body.client_id {
        state.store.check_client_visible(me.tenant(), client_id).await?;
    }
    let decision = state
        .limiter
        .enforce(RouteClass::SeoEnrich, &format!("agency:{}", me.agency_id))
        .await?;
    let summary = seo::enrich(&state, me.agency_id, body.client_id, &domain)
        .await
        .map_err(|e| match e {
            EnrichError::NotConfigured => ApiError::ProviderNotConfigured {
                provider: seo::PROVIDER,
            },
            EnrichError::Provider(e) => ApiError::Upstream(e.into()),
            EnrichError::Store(e) => e.into(),
        })?;
    if let Some(client_id) = body.client_id {
        Audit::by(&me, "client.seo_enriched")
            .client(client_id)
            .meta(json!({ "domain": domain }))
            .record(&state)
            .await;
    }
    let mut res = HttpResponse::Ok().json(summary);
    apply_headers(res.headers_mut(), &decision);
    Ok(res)
}

/// Get a client's SEO summary
///
/// The summary stored by the last enrichment of the client (by hand or when its onboarding started), or
/// `summary: null` when it was never enriched.
#[utoipa::path(get, path = "/api/v1/clients/{id}/seo", tag = "seo",
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = ClientSeo), (status = 404, body = Problem)))]
pub async fn get_client_seo(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let summary = state.store.find_client_seo(me.agency_id, client_id).await?;
    Ok(HttpResponse::Ok().json(ClientSeo { client_id, summary }))
}

/// SEO provider usage
///
/// The agency's calls to the SEO provider this month and in the last 30 days: every try of every
/// endpoint, by outcome, and what the provider reported charging (USD).
#[utoipa::path(get, path = "/api/v1/seo/usage", tag = "seo",
    responses((status = 200, body = SeoUsage), (status = 403, body = Problem)))]
pub async fn seo_usage(state: web::Data<AppState>, me: Authorized<SettingsRead>) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let month_start = now
        .date_naive()
        .with_day(1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(now);
    Ok(HttpResponse::Ok().json(SeoUsage {
        configured: seo::client(&state).is_some(),
        this_month: usage_since(&state, me.agency_id, month_start).await?,
        last_30_days: usage_since(&state, me.agency_id, now - chrono::Duration::days(30)).await?,
    }))
}

async fn usage_since(state: &AppState, agency_id: Uuid, since: DateTime<Utc>) -> Result<SeoUsagePeriod, ApiError> {
    let rows = state.store.seo_usage(agency_id, since).await?;
    Ok(SeoUsagePeriod {
        since,
        calls: rows.iter().map(|r| r.calls).sum(),
        cost_usd: rows.iter().map(|r| r.cost_micros).sum::<i64>() as f64 / 1_000_000.0,
        by_outcome: rows
            .into_iter()
            .map(|r| SeoOutcomeCount {
                outcome: r.outcome,
                calls: r.calls,
            })
            .collect(),
    })
}
