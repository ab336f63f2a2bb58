//! `/api/health` (deep: database, migrations, job queue lag, mail transport, Redis when configured, and
//! which providers are configured; 503 when the database or migrations fail) and `/api/health/live`.

use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};
use audienceos_shared::health::{HealthCheck, HealthReport, HealthStatus, ProviderConfigured};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::state::AppState;

/// A job due longer ago than this means the workers are behind.
const JOB_LAG_WARN_SECS: i64 = 300;

/// Deep health check
///
/// Probes the database, migrations, the job queue, the mail transport and Redis (when configured), and
/// lists which providers have credentials. `503` when the database or the migrations fail; other failing
/// checks only mark the report `degraded`.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, description = "Healthy or degraded", body = HealthReport), (status = 503, description = "Failing", body = HealthReport)))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let mut checks = Vec::new();

    let (db, latency) = timed(state.store.ping()).await;
    checks.push(check(
        "database",
        db.map(|_| format!("{} reachable", state.store.backend_name())),
        true,
        latency,
    ));

    let (mig, latency) = timed(state.store.migration_status()).await;
    checks.push(check(
        "migrations",
        mig.and_then(|(applied, known)| {
            anyhow::ensure!(applied == known, "{applied} of {known} migrations applied");
            Ok(format!("{known} applied"))
        }),
        true,
        latency,
    ));

    let (lag, latency) = timed(state.store.oldest_due_job(crate::clock::system_now())).await;
    checks.push(check(
        "job_queue",
        lag.map_err(anyhow::Error::new).and_then(|oldest| {
            let lag = oldest
                .map(|t| (crate::clock::system_now() - t).num_seconds().max(0))
                .unwrap_or(0);
            anyhow::ensure!(lag < JOB_LAG_WARN_SECS, "oldest due job is {lag} s late");
            Ok(format!("lag {lag} s"))
        }),
        false,
        latency,
    ));

    let (mail, latency) = timed(state.mailer.check()).await;
    checks.push(check(
        "mail",
        mail.map(|d| format!("{}: {d}", state.mailer.kind())),
        false,
        latency,
    ));

    if let Some(url) = &state.settings.redis_url {
        let (redis, latency) = timed(redis_ping(url.expose())).await;
        checks.push(check("redis", redis.map(|_| "PONG".to_string()), false, latency));
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
    let report = HealthReport {
        status,
        version: env!("CARGO_PKG_VERSION").to_string(),
        checks,
        providers,
    };
    if status == HealthStatus::Failing {
        HttpResponse::ServiceUnavailable().json(report)
    } else {
        HttpResponse::Ok().json(report)
    }
}

/// Liveness
///
/// The process is up and serving; touches nothing else.
#[utoipa::path(get, path = "/api/health/live", tag = "health", responses((status = 200, description = "Alive")))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, u64) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed().as_millis() as u64)
}

/// `critical` failures fail the service; others degrade it. Details never carry internals.
fn check<E: std::fmt::Display>(name: &str, result: Result<String, E>, critical: bool, latency_ms: u64) -> HealthCheck {
    match result {
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
    tokio::time::timeout(Duration::from_secs(2), async move {
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
