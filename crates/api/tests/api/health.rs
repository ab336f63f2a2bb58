//! `/api/health` and `/api/health/live`.

use audienceos_shared::health::{HealthReport, HealthStatus};

use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(health_reports_each_check);

async fn health_reports_each_check(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), 200);
    let report: HealthReport = res.json().await.unwrap();
    assert_eq!(report.status, HealthStatus::Ok);
    let names: Vec<_> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["database", "migrations", "job_queue", "mail"]);
    assert!(report.checks.iter().all(|c| c.status == HealthStatus::Ok));
    assert!(report.providers.iter().any(|p| p.name == "google" && !p.configured));

    let live = app.get("/api/health/live").await;
    assert_eq!(live.status(), 200);

    app.store.close().await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), 503);
    let report: HealthReport = res.json().await.unwrap();
    assert_eq!(report.status, HealthStatus::Failing);
    assert_eq!(report.checks[0].status, HealthStatus::Failing);
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("database check failed"),
        "no internals"
    );
    assert_eq!(app.get("/api/health/live").await.status(), 200);
}

#[tokio::test]
async fn health_checks_redis_and_configured_providers() {
    let app = crate::helpers::spawn_app_with(
        Backend::Sqlite,
        &[
            ("AOS_REDIS_URL", "redis://127.0.0.1:1"),
            ("AOS_GOOGLE_CLIENT_ID", "id"),
            ("AOS_GOOGLE_CLIENT_SECRET", "secret"),
        ],
    )
    .await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), 200, "redis down degrades, it does not fail the instance");
    let report: HealthReport = res.json().await.unwrap();
    assert_eq!(report.status, HealthStatus::Degraded);
    let redis = report.checks.iter().find(|c| c.name == "redis").unwrap();
    assert_eq!(redis.status, HealthStatus::Degraded);
    assert!(report.providers.iter().any(|p| p.name == "google" && p.configured));
}
