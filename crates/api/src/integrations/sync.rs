//! The sync contract every provider implements, and the `integration_sync` job that runs them.
//!
//! A provider's `sync(ctx)` reads from the provider through [`super::provider::with_token`], writes
//! idempotently (upserts keyed by the provider's own ids, so a rerun after a crash writes no duplicate),
//! reports progress with [`SyncCtx::progress`], saves its resume point with [`SyncCtx::save_cursor`] only
//! after the rows it covers are written, and returns its counts.

use audienceos_shared::integrations::SyncStats;
use chrono::{DateTime, Utc};

use crate::startup::AppState;
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

    /// Save where the next sync resumes. Call only once the rows it covers are stored.
    pub async fn save_cursor(&self, cursor: &serde_json::Value) -> Result<(), super::provider::ProviderError> {
        self.state
            .store
            .set_integration_cursor(self.integration.agency_id, self.integration.id, cursor)
            .await
            .map_err(|e| super::provider::ProviderError::Internal(e.into()))
    }
}

/// Counts, built up as a sync goes.
pub fn stats() -> SyncStats {
    SyncStats::default()
}
