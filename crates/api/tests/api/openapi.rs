//! The committed OpenAPI document matches the code, and every served route is documented.

use crate::helpers::{spawn_app, Backend};

#[test]
fn openapi_json_is_up_to_date() {
    let path = format!("{}/../../openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = audienceos_api::openapi::document();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; regenerate it with:\n    cargo run -q -p audienceos-api -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn the_document_is_served_and_declares_both_auth_schemes() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["csrf_header"]["name"], "X-CSRF-Token");
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    for path in [
        "/api/health",
        "/api/health/live",
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/auth/password/change",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
        "/api/v1/audit-log",
        "/api/v1/alerts",
        "/api/v1/alerts/{id}",
        "/api/v1/alerts/{id}/snooze",
        "/api/v1/alerts/{id}/escalate",
        "/api/v1/alerts/{id}/dismiss",
        "/api/v1/alerts/{id}/resolve",
        "/api/v1/dashboard/kpis",
        "/api/v1/dashboard/trends",
        "/api/v1/dashboard/firehose",
        "/api/v1/seo/enrich",
        "/api/v1/seo/usage",
        "/api/v1/clients/{id}/seo",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().to_lowercase().contains("swagger"));
}
