//! `AppState`: everything a handler needs, shared by all workers. A leaf: it imports the pieces it holds,
//! and nothing imports `startup` to reach it.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::files::FileStore;
use crate::jobs::JobSignal;
use crate::mailer::Mailer;
use crate::rate_limit::Limiter;
use crate::store::Store;

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub limiter: Limiter,
    pub hasher: PasswordHasher,
    pub mailer: Mailer,
    pub jobs: JobSignal,
    /// Where client files' bytes live (local directory or S3-compatible bucket).
    pub files: FileStore,
    /// The time alerts, snoozes, the rules job and the dashboard use (shiftable by the test hooks).
    pub clock: Clock,
    /// Cached hot reads and role grants, keyed by the agency data version.
    pub reads: crate::read_cache::ReadCache,
    /// Outbound calls to providers (one connection pool; each call sets its own timeout).
    pub http: reqwest::Client,
    /// Provider tokens: the encryption key ring and single-flight refresh.
    pub vault: Arc<crate::integrations::tokens::TokenVault>,
    /// Wakes this process's live-update streams (`GET /api/v1/events`).
    pub events: crate::events::EventBus,
    /// Draining and closing on SIGTERM (`crate::shutdown`).
    pub shutdown: crate::shutdown::Shutdown,
}

impl AppState {
    /// Build the state around a connected store.
    pub fn new(settings: Settings, store: Store) -> anyhow::Result<Self> {
        let limiter = match &settings.redis_url {
            Some(url) => Limiter::new(Arc::new(crate::rate_limit::redis_backend::RedisBackend::new(
                url.expose(),
                &settings.redis_key_prefix,
                &settings.rate_limits,
            )?)),
            None => Limiter::in_memory(&settings.rate_limits),
        };
        let mailer = Mailer::from_settings(&settings.mail)?;
        let files = FileStore::from_settings(&settings.files)?;
        let vault = Arc::new(crate::integrations::tokens::TokenVault::new(
            crate::integrations::crypto::TokenKeyring::from_secrets(&settings.secrets)?,
        )?);
        Ok(Self {
            vault,
            files,
            store,
            limiter,
            mailer,
            hasher: PasswordHasher::new(2),
            jobs: JobSignal::default(),
            events: crate::events::EventBus::new(settings.event_streams_max),
            shutdown: crate::shutdown::Shutdown::default(),
            clock: Clock::default(),
            reads: crate::read_cache::ReadCache::new(settings.read_cache_secs),
            http: reqwest::Client::builder()
                .user_agent(concat!("AudienceOS/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(Duration::from_secs(5))
                .build()
                .context("building the HTTP client")?,
            settings: Arc::new(settings),
        })
    }

    /// Outdate every cached read of the agency (after a write that did not come through the API middleware).
    pub async fn data_changed(&self, agency_id: uuid::Uuid) {
        if let Err(e) = self.store.bump_data_version(agency_id).await {
            tracing::warn!(error.cause_chain = ?e, %agency_id, "could not bump the agency data version; cached reads may lag until they expire");
        }
    }

    /// The one clock of the product: now, at the precision both backends store (shifted only by the test
    /// hooks, never in production).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
