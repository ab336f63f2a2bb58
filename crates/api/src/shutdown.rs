//! Stopping without dropping anyone. On SIGTERM (or Ctrl-C) the process:
//!
//! 1. **drains** for `AOS_SHUTDOWN_DRAIN_SECS`: it keeps serving, `/api/health` answers `503` (so a load
//!    balancer takes it out of rotation) and every answer carries `Connection: close` (so kept-alive
//!    clients reconnect, through the balancer, elsewhere); the job worker stops claiming;
//! 2. **closes** its live-update streams, each with a last `retry:` hint (browsers reconnect, elsewhere);
//! 3. **stops accepting** and gives requests in flight `AOS_SHUTDOWN_GRACE_SECS` to finish, as does a
//!    job that is running (one still running after that keeps its lease, which expires, and the job is
//!    retried by another process).

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// The process's shutdown state, shared by the server, the streams and the worker.
#[derive(Debug)]
pub struct Shutdown {
    draining: AtomicBool,
    /// `true` once streams must close and the worker must stop.
    closing: watch::Sender<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            draining: AtomicBool::new(false),
            closing: watch::channel(false).0,
        }
    }
}

impl Shutdown {
    /// Step 1: fail health, close connections after each answer, stop claiming jobs.
    pub fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether the process is shutting down (health fails, no new jobs).
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Step 2: end every live-update stream and the worker's wait.
    pub fn close(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.closing.send_replace(true);
    }

    /// Resolves once `close` has been called (at once if it already was).
    pub async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        // The sender lives as long as `self`, so `wait_for` only ends when the value is true.
        let _ = rx.wait_for(|closing| *closing).await;
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
