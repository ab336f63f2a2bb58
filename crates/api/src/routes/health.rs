//! `/api/health` (deep: database, migrations, job queue lag, mail transport, Redis when configured, and
//! which providers are configured; 503 when the database or migrations fail) and `/api/health/live`.

use actix_web::{web, HttpResponse};
use audienceos_shared::health::{HealthReport, HealthStatus};

use crate::services::health;
use crate::state::AppState;

/// Deep health check
///
/// Probes the database, migrations, the job queue, the mail transport and Redis (when configured), and
/// lists which providers have credentials. `503` when the database or the migrations fail; other failing
/// checks only mark the report `degraded`.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, description = "Healthy or degraded", body = HealthReport), (status = 503, description = "Failing", body = HealthReport)))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let report = health::report(&state).await;
    if report.status == HealthStatus::Failing {
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
