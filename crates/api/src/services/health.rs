//! The deep health report: database, migrations, job queue lag, mail transport and Redis (when
//! configured), probed at once, each within its own budget so the whole answer comes within about a
//! second even when something hangs; and which providers are configured.

use std::time::{Duration, Instant};

use audienceos_shared::health::{HealthCheck, HealthReport, HealthStatus, ProviderConfigured};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::state::AppState;

/// A job due longer ago than this means the workers are behind.
const JOB_LAG_WARN_SECS: i64 = 300;
/// Each probe's budget: a probe that takes longer fails (a load balancer's health check must be answered
/// well within its own timeout, typically 2-5 s).
const PROBE_BUDGET: Duration = Duration::from_millis(800);

/// Probe everything at once. `Failing` when the database or the migrations fail; other failing checks
/// only degrade the report.
pub async fn report(state: &AppState) -> HealthReport {
    let (db, mig, lag, mail, redis) = tokio::join!(
        timed(state.store.ping()),
        timed(state.store.migration_status()),
        timed(state.store.oldest_due_job(crate::clock::system_now())),
        timed(state.mailer.check()),
        async {
            match &state.settings.redis_url {
                Some(url) => Some(timed(redis_ping(url.expose())).await),
                None => None,
            }
        },
    );
    let mut checks = vec![
        check("database", db, true, |()| {
            Ok(format!("{} reachable", state.store.backend_name()))
        }),
        check("migrations", mig, true, |(applied, known)| {
            anyhow::ensure!(applied == known, "{applied} of {known} migrations applied");
            Ok(format!("{known} applied"))
        }),
        check("job_queue", lag, false, |oldest| {
            let lag = oldest
                .map(|t| (crate::clock::system_now() - t).num_seconds().max(0))
                .unwrap_or(0);
            anyhow::ensure!(lag < JOB_LAG_WARN_SECS, "oldest due job is {lag} s late");
            Ok(format!("lag {lag} s"))
        }),
        check("mail", mail, false, |d| Ok(format!("{}: {d}", state.mailer.kind()))),
    ];
    if let Some(redis) = redis {
        checks.push(check("redis", redis, false, |()| Ok("PONG".to_string())));
    }
    if state.shutdown.is_draining() {
        // A load balancer takes the instance out of rotation while it finishes what it holds.
        checks.push(HealthCheck {
            name: "shutdown".into(),
            status: HealthStatus::Failing,
            latency_ms: 0,
            detail: Some("this instance is shutting down".into()),
        });
    }
    let status = if checks.iter().any(|c| c.status == HealthStatus::Failing) {
        HealthStatus::Failing
    } else if checks.iter().any(|c| c.status == HealthStatus::Degraded) {
        HealthStatus::Degraded
    } else {
        HealthStatus::Ok
    };
    let providers = state
        .settings
        .providers
        .iter()
        .map(|p| ProviderConfigured {
            name: p.name.to_string(),
            configured: p.is_configured(),
        })
        .collect();
    HealthReport {
        status,
        version: env!("CARGO_PKG_VERSION").to_string(),
        checks,
        providers,
    }
}

/// A probe's outcome within the budget, and how long it took.
type Timed<T> = (Result<T, anyhow::Error>, u64);

async fn timed<T, E: Into<anyhow::Error>>(f: impl std::future::Future<Output = Result<T, E>>) -> Timed<T> {
    let start = Instant::now();
    let out = match tokio::time::timeout(PROBE_BUDGET, f).await {
        Ok(out) => out.map_err(Into::into),
        Err(_) => Err(anyhow::anyhow!("no answer within {} ms", PROBE_BUDGET.as_millis())),
    };
    (out, start.elapsed().as_millis() as u64)
}

/// `critical` failures fail the service; others degrade it. Details never carry internals.
fn check<T>(
    name: &str,
    (result, latency_ms): Timed<T>,
    critical: bool,
    detail: impl FnOnce(T) -> anyhow::Result<String>,
) -> HealthCheck {
    match result.and_then(detail) {
        Ok(detail) => HealthCheck {
            name: name.into(),
            status: HealthStatus::Ok,
            latency_ms,
            detail: Some(detail),
        },
        Err(e) => {
            tracing::warn!(check = name, error = %e, "health check failed");
            HealthCheck {
                name: name.into(),
                status: if critical {
                    HealthStatus::Failing
                } else {
                    HealthStatus::Degraded
                },
                latency_ms,
                detail: Some(format!("{name} check failed")),
            }
        }
    }
}

/// `PING` over RESP with a 2 s budget.
async fn redis_ping(url: &str) -> anyhow::Result<()> {
    let u = url::Url::parse(url)?;
    let host = u.host_str().unwrap_or("127.0.0.1").to_string();
    let port = u.port().unwrap_or(6379);
    tokio::time::timeout(PROBE_BUDGET, async move {
        let mut conn = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
        conn.write_all(b"PING\r\n").await?;
        let mut buf = [0u8; 64];
        let n = conn.read(&mut buf).await?;
        // An auth-protected server answers -NOAUTH, which still proves it is up.
        anyhow::ensure!(
            buf[..n].starts_with(b"+PONG") || buf[..n].starts_with(b"-NOAUTH"),
            "unexpected answer"
        );
        Ok(())
    })
    .await?
}
