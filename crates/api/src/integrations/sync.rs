//! The sync contract every provider implements, and the `integration_sync` job that runs them.
//!
//! A provider's `sync(ctx)` reads from the provider through [`super::provider::with_token`], writes
//! idempotently (upserts keyed by the provider's own ids, so a rerun after a crash writes no duplicate),
//! reports progress with [`SyncCtx::progress`], saves its resume point with [`SyncCtx::save_cursor`] only
//! after the rows it covers are written, and returns its counts.

use audienceos_shared::integrations::SyncStats;
use chrono::{DateTime, Utc};

use crate::state::AppState;
use crate::store::integrations::IntegrationRow;

/// What a provider sync gets.
pub struct SyncCtx<'a> {
    pub state: &'a AppState,
    pub integration: &'a IntegrationRow,
    /// When the sync started (the job's clock).
    pub now: DateTime<Utc>,
}

impl SyncCtx<'_> {
    /// The resume point the last sync saved (`{}` at first).
    pub fn cursor(&self) -> &serde_json::Value {
        &self.integration.sync_cursor.0
    }

    /// Tell the UI what the sync is doing ("Fetched 120 of 400 messages"). Best effort.
    pub async fn progress(&self, text: &str) {
        if let Err(e) = self
            .state
            .store
            .set_integration_progress(self.integration.agency_id, self.integration.id, Some(text))
            .await
        {
            tracing::warn!(error.cause_chain = ?e, "could not record sync progress");
        }
    }

    /// The provider resources (channels, ad accounts) linked to clients on this integration.
    pub async fn links(
        &self,
    ) -> Result<Vec<crate::store::integration_resources::LinkRow>, super::provider::ProviderError> {
        self.state
            .store
            .list_integration_links(self.integration.agency_id, self.integration.id)
            .await
            .map_err(|e| super::provider::ProviderError::Internal(e.into()))
    }

    /// Upsert daily campaign rows and count them into `stats` (rows refused, e.g. for a client that is
    /// gone, count as skipped).
    pub async fn store_ad_days(
        &self,
        rows: &[crate::store::ad_performance::NewAdDay],
        stats: &mut SyncStats,
    ) -> Result<(), super::provider::ProviderError> {
        let counts = self
            .state
            .store
            .upsert_ad_days(self.integration.agency_id, rows, self.now)
            .await
            .map_err(|e| super::provider::ProviderError::Internal(e.into()))?;
        stats.created += counts.created;
        stats.updated += counts.existing;
        stats.skipped += rows.len() as i64 - counts.created - counts.existing;
        Ok(())
    }

    /// Save where the next sync resumes. Call only once the rows it covers are stored.
    pub async fn save_cursor(&self, cursor: &serde_json::Value) -> Result<(), super::provider::ProviderError> {
        self.state
            .store
            .set_integration_cursor(self.integration.agency_id, self.integration.id, cursor)
            .await
            .map_err(|e| super::provider::ProviderError::Internal(e.into()))
    }
}

/// The job kind of a sync.
pub const SYNC_JOB: &str = "integration_sync";

/// The `integration_sync` job's payload.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SyncJob {
    pub agency_id: uuid::Uuid,
    pub integration_id: uuid::Uuid,
    /// What asked for it: `connect`, `manual` or `scheduled`.
    pub reason: String,
}

/// A job that must run again at `at` without counting as a failed attempt (the provider said Retry-After).
#[derive(Debug, thiserror::Error)]
#[error("the provider asked us to come back at {at}")]
pub struct RetryLater {
    pub at: DateTime<Utc>,
}

/// Queue a sync; `period` (scheduled syncs) makes it once per period however many processes ask.
pub async fn enqueue(
    store: &crate::store::Store,
    integration: &IntegrationRow,
    reason: &str,
    period: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<uuid::Uuid> {
    let key = match period {
        Some(p) => format!("{SYNC_JOB}:{}:{p}", integration.id),
        None => format!("{SYNC_JOB}:{}:{reason}:{}", integration.id, crate::store::new_id()),
    };
    Ok(store
        .enqueue_job(
            &crate::store::jobs::NewJob {
                kind: SYNC_JOB,
                payload: serde_json::to_value(SyncJob {
                    agency_id: integration.agency_id,
                    integration_id: integration.id,
                    reason: reason.to_owned(),
                })?,
                run_at: now,
                max_attempts: 5,
                idempotency_key: Some(key),
            },
            now,
        )
        .await?)
}

/// Queue the scheduled sync of every connected integration for the current period.
pub async fn schedule_all(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let interval = state.settings.integration_sync_interval_secs;
    if interval == 0 {
        return Ok(0);
    }
    let period = now.timestamp().div_euclid(interval as i64);
    let mut n = 0;
    for integration in state.store.syncable_integrations().await? {
        enqueue(&state.store, &integration, "scheduled", Some(period), now).await?;
        n += 1;
    }
    Ok(n)
}

/// Run one sync job: mark the integration syncing, run the provider's sync, record the outcome and the
/// integration's health. A rate limit defers the job ([`RetryLater`]); a transient failure fails it so the
/// queue retries with backoff; a refused grant or a permanent refusal ends it (retrying cannot help).
pub async fn run_job(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    use super::provider::ProviderError as E;
    let job: SyncJob = serde_json::from_value(payload.clone())?;
    let integration = match state.store.get_integration(job.agency_id, job.integration_id).await {
        Ok(i) => i,
        Err(crate::store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(provider) = integration.provider() else {
        return Ok(());
    };
    let now = crate::clock::system_now();
    if !state
        .store
        .begin_sync(integration.agency_id, integration.id, now)
        .await?
    {
        return Ok(()); // disconnected or needs a reconnect: nothing to sync
    }
    state.data_changed(integration.agency_id).await;
    let started = std::time::Instant::now();
    let ctx = SyncCtx {
        state,
        integration: &integration,
        now,
    };
    let result = run_provider(provider, &ctx).await;
    let duration_ms = started.elapsed().as_millis() as i64;
    let finish = |ok: bool, stats: SyncStats, status: &'static str, reason: Option<String>, error: Option<String>| {
        let stats = serde_json::to_value(SyncStats { duration_ms, ..stats }).unwrap_or_default();
        async move {
            let f = crate::store::integrations::SyncFinish {
                ok,
                stats,
                status,
                status_reason: reason.as_deref(),
                error: error.as_deref(),
            };
            state
                .store
                .finish_sync(integration.agency_id, integration.id, &f, crate::clock::system_now())
                .await
        }
    };
    let outcome = match result {
        Ok(stats) => {
            tracing::info!(
                integration_id = %integration.id, provider = %provider, fetched = stats.fetched,
                created = stats.created, updated = stats.updated, skipped = stats.skipped, duration_ms, "sync done"
            );
            finish(true, stats, "connected", None, None).await?;
            Ok(())
        }
        Err(E::RateLimited { retry_after }) => {
            let at = crate::clock::system_now() + chrono::Duration::from_std(retry_after).unwrap_or_default();
            let why = format!(
                "{} is rate limiting; the sync resumes at {}",
                provider.label(),
                at.format("%H:%M:%S UTC")
            );
            finish(false, SyncStats::default(), "degraded", Some(why.clone()), Some(why)).await?;
            Err(RetryLater { at }.into())
        }
        Err(E::InvalidGrant(reason)) => {
            finish(false, SyncStats::default(), "needs_reconnect", None, None).await?;
            super::tokens::mark_needs_reconnect(state, &integration, provider, &reason).await;
            Ok(())
        }
        Err(E::NotConnected) => Ok(()),
        Err(e) => {
            let why = e.to_string();
            tracing::warn!(integration_id = %integration.id, provider = %provider, error = %why, "sync failed");
            finish(
                false,
                SyncStats::default(),
                "degraded",
                Some(why.clone()),
                Some(why.clone()),
            )
            .await?;
            if e.is_transient() || matches!(e, E::Internal(_)) {
                Err(anyhow::anyhow!("sync failed: {why}"))
            } else {
                Ok(())
            }
        }
    };
    state.data_changed(integration.agency_id).await;
    outcome
}

/// The provider's sync.
async fn run_provider(
    provider: audienceos_shared::integrations::IntegrationProvider,
    ctx: &SyncCtx<'_>,
) -> Result<SyncStats, super::provider::ProviderError> {
    debug_assert_eq!(ctx.integration.provider(), Some(provider));
    super::resources::sync(ctx).await
}
