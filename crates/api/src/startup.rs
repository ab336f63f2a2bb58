//! Building the application: connect and migrate the store, assemble `AppState`, bind the listener
//! (port 0 works, for tests), start the job worker, and serve the API and the built SPA on one port.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use anyhow::Context as _;
use tracing_actix_web::TracingLogger;

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::error::{finalize_response, json_error, path_error, query_error};
use crate::files::FileStore;
use crate::jobs::JobSignal;
use crate::mailer::Mailer;
use crate::rate_limit::Limiter;
use crate::store::audit::NewAuditEvent;
use crate::store::{Db, Store};
use crate::telemetry::AosRootSpan;

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

    /// Record a security event. A failure to record is logged, never shown to the caller.
    pub async fn audit(&self, event: NewAuditEvent) {
        if let Err(e) = self.store.insert_audit(&event, crate::store::now()).await {
            tracing::error!(error.cause_chain = ?e, action = event.action, "could not write the audit log");
        }
    }
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Connect, migrate, bind. Nothing is served until `run_until_stopped`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = Store::for_settings(&settings).await?;
        store.migrate().await?;
        if let Db::Sqlite(_) = store.db {
            store.analyze().await?;
        }
        let listener = TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
        Self::with_store(settings, store, listener)
    }

    /// Build around an existing store and listener (tests share the store with the app).
    pub fn with_store(settings: Settings, store: Store, listener: TcpListener) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState::new(settings, store)?);
        let server = server(state.clone(), listener)?;
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serve until a shutdown signal; the job worker, housekeeping (rate-limit counters, event pruning) and,
    /// on Postgres, the event listener run alongside.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let worker = tokio::spawn(crate::jobs::run_worker(self.state.clone()));
        let scheduler = tokio::spawn(crate::jobs::run_scheduler(self.state.clone()));
        // On Postgres: wake this process's live-update streams for events written by any process.
        let listener = tokio::spawn(crate::events::run_listener(self.state.clone()));
        let state = self.state.clone();
        let housekeeping = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            let mut ticks: u64 = 0;
            loop {
                tick.tick().await;
                state.limiter.housekeeping();
                // Every 10 minutes (and at start): drop events older than a day. Idempotent, so several
                // processes doing it is harmless.
                if ticks.is_multiple_of(10) {
                    crate::events::prune(&state).await;
                }
                ticks += 1;
            }
        });
        let result = self.server.await.context("server failed");
        worker.abort();
        scheduler.abort();
        housekeeping.abort();
        listener.abort();
        self.state.store.close().await;
        result
    }
}

fn server(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Server> {
    let json_limit = state.settings.json_limit_bytes;
    let production = state.settings.env.is_production();
    let test_hooks = state.settings.test_hooks;
    let server = HttpServer::new(move || {
        let mut security = DefaultHeaders::new()
            .add(("X-Content-Type-Options", "nosniff"))
            .add(("X-Frame-Options", "DENY"))
            .add(("Referrer-Policy", "no-referrer"))
            .add(("Cross-Origin-Opener-Policy", "same-origin"));
        if production {
            security = security.add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"));
        }
        App::new()
            .app_data(state.clone())
            .app_data(web::JsonConfig::default().limit(json_limit).error_handler(json_error))
            .app_data(web::PayloadConfig::default().limit(json_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .wrap(security)
            .wrap(from_fn(finalize_response))
            .wrap(TracingLogger::<AosRootSpan>::new())
            .configure(|cfg| crate::routes::configure(cfg, test_hooks))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
