//! SEO enrichment: look a domain up at the provider, log every call for the agency's cost report, and
//! store the summary on a client. Used by `POST /api/v1/seo/enrich` and by the `seo_enrich` job that
//! onboarding enqueues for a client with a website.

use audienceos_shared::seo::SeoSummary;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::AppState;
use crate::store::jobs::NewJob;
use crate::store::seo::NewSeoCall;

pub mod dataforseo;

pub use dataforseo::{DataForSeo, RetryPolicy};

/// The job that enriches a client in the background.
pub const SEO_ENRICH_JOB: &str = "seo_enrich";
/// The provider's name in the settings (`AOS_SEO_*`).
pub const PROVIDER: &str = "seo";

/// Why an enrichment did not produce a summary.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error("the SEO provider is not configured")]
    NotConfigured,
    #[error(transparent)]
    Provider(#[from] dataforseo::SeoError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The `seo_enrich` job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrichJob {
    pub agency_id: Uuid,
    pub client_id: Uuid,
    pub domain: String,
}

/// The provider client, when the provider is configured.
pub fn client(state: &AppState) -> Option<DataForSeo> {
    let provider = state.settings.provider(PROVIDER)?;
    DataForSeo::from_settings(state.http.clone(), provider)
}

/// Fetch `domain`'s summary (a normalised host), record the calls made, and store the summary on
/// `client_id` when given. The caller has checked that the client is the agency's and visible.
pub async fn enrich(
    state: &AppState,
    agency_id: Uuid,
    client_id: Option<Uuid>,
    domain: &str,
) -> Result<SeoSummary, EnrichError> {
    let provider = client(state).ok_or(EnrichError::NotConfigured)?;
    let enrichment = provider.enrich(domain).await;
    let calls: Vec<NewSeoCall> = enrichment
        .attempts
        .iter()
        .map(|a| NewSeoCall {
            at: a.at,
            endpoint: a.endpoint.as_str(),
            outcome: a.outcome.as_str(),
            cost_micros: (a.cost_usd * 1_000_000.0).round().max(0.0) as i64,
        })
        .collect();
    state
        .store
        .insert_seo_calls(agency_id, &calls, crate::clock::system_now())
        .await?;
    let summary = enrichment.result?;
    if let Some(client_id) = client_id {
        state
            .store
            .upsert_client_seo(agency_id, client_id, &summary, crate::clock::system_now())
            .await?;
    }
    Ok(summary)
}

/// Enqueue the background enrichment of a client whose onboarding `instance_id` just started. Does nothing
/// when the provider is not configured or the website has no usable domain. Once per onboarding.
pub async fn enqueue_for_onboarding(
    state: &AppState,
    agency_id: Uuid,
    client_id: Uuid,
    instance_id: Uuid,
    website: Option<&str>,
) -> anyhow::Result<bool> {
    let Some(domain) = website.and_then(audienceos_shared::seo::normalize_domain) else {
        return Ok(false);
    };
    if client(state).is_none() {
        return Ok(false);
    }
    let now = crate::clock::system_now();
    let payload = serde_json::to_value(EnrichJob {
        agency_id,
        client_id,
        domain,
    })?;
    state
        .store
        .enqueue_job(
            &NewJob {
                kind: SEO_ENRICH_JOB,
                payload,
                run_at: now,
                // Each run already tries every endpoint three times; one more run a little later covers a
                // short provider outage without multiplying the bill.
                max_attempts: 2,
                idempotency_key: Some(format!("{SEO_ENRICH_JOB}:{instance_id}")),
            },
            now,
        )
        .await?;
    state.jobs.notify();
    Ok(true)
}

/// Run one `seo_enrich` job. A client deleted meanwhile, or a provider no longer configured, ends the job.
pub async fn run_job(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let job: EnrichJob = serde_json::from_value(payload.clone())?;
    let result = enrich(state, job.agency_id, Some(job.client_id), &job.domain).await;
    // The calls were logged (a write) whether or not a summary came back.
    state.data_changed(job.agency_id).await;
    match result {
        Ok(_) => Ok(()),
        Err(e @ (EnrichError::NotConfigured | EnrichError::Store(crate::store::StoreError::NotFound))) => {
            tracing::info!(error = %e, "SEO enrichment skipped");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
