//! Building the application: connect and migrate the store, assemble `AppState`, bind the listener
//! (port 0 works, for tests), start the job worker, and serve the API and the built SPA on one port.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context as _;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::error::{finalize_response, json_error, path_error, query_error};
use crate::state::AppState;
use crate::store::{Db, Store};
use crate::telemetry::AosRootSpan;

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
        let mut worker = tokio::spawn(crate::jobs::run_worker(self.state.clone()));
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
        // SIGTERM / Ctrl-C: drain, close the streams, then stop accepting (see `crate::shutdown`).
        let handle = self.server.handle();
        let state = self.state.clone();
        let on_signal = tokio::spawn(async move {
            crate::shutdown::signal().await;
            let drain = Duration::from_secs(state.settings.shutdown_drain_secs);
            tracing::info!(drain_secs = drain.as_secs(), "shutting down: draining");
            state.shutdown.begin_drain();
            tokio::time::sleep(drain).await;
            tracing::info!("shutting down: closing streams, finishing requests in flight");
            state.shutdown.close();
            handle.stop(true).await;
        });
        let result = self.server.await.context("server failed");
        on_signal.abort();
        // The worker stops claiming when closed; a job it is running gets the grace period to finish.
        self.state.shutdown.close();
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_secs);
        if tokio::time::timeout(grace, &mut worker).await.is_err() {
            tracing::warn!(
                "a job was still running at the end of the grace period; its lease will expire and it will be retried"
            );
        }
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
    let test_hooks = state.settings.test_hooks;
    let grace_secs = state.settings.shutdown_grace_secs;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::JsonConfig::default().limit(json_limit).error_handler(json_error))
            .app_data(web::PayloadConfig::default().limit(json_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .wrap(from_fn(crate::security::security_headers))
            .wrap(from_fn(crate::compression::mark_uncompressed))
            .wrap(from_fn(finalize_response))
            // Outside `finalize_response`, which may rewrite a problem's body (`crate::compression`).
            .wrap(Compress::default())
            .wrap(from_fn(crate::compression::drop_identity_marker))
            .wrap(TracingLogger::<AosRootSpan>::new())
            .configure(|cfg| crate::routes::configure(cfg, test_hooks))
    })
    .listen(listener)?
    // Signals are ours (`run_until_stopped`), so the drain comes before actix stops accepting.
    .disable_signals()
    .shutdown_timeout(grace_secs)
    .run();
    Ok(server)
}
