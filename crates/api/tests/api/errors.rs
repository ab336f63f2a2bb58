//! Every error path answers problem+json with a stable code; 5xx bodies carry no internals.

use audienceos_shared::Problem;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, Backend};

async fn problem(res: reqwest::Response) -> (u16, Problem, Option<String>) {
    let status = res.status().as_u16();
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let rid = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap(), rid)
}

#[tokio::test]
async fn error_paths_answer_problem_json_with_stable_codes() {
    let app = spawn_app_with(Backend::Sqlite, &[("AOS_JSON_LIMIT_BYTES", "2048")]).await;
    let c = &app.client;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        ("unknown api route", c.get(app.url("/api/v1/nope")), 404, "not_found"),
        ("unknown api route outside v1", c.get(app.url("/api/nope")), 404, "not_found"),
        ("wrong method", c.put(app.url("/api/v1/auth/login")), 405, "method_not_allowed"),
        ("wrong method on health", c.post(app.url("/api/health")), 405, "method_not_allowed"),
        (
            "malformed json",
            c.post(app.url("/api/v1/auth/login")).header("content-type", "application/json").body("{\"email\": "),
            400,
            "malformed_json",
        ),
        ("wrong json shape", c.post(app.url("/api/v1/auth/login")).json(&json!({ "email": 5 })), 400, "invalid_body"),
        ("not json", c.post(app.url("/api/v1/auth/login")).header("content-type", "text/plain").body("hi"), 415, "unsupported_media_type"),
        (
            "body too big",
            c.post(app.url("/api/v1/auth/login")).json(&json!({ "email": "a@b.c", "password": "x".repeat(5000) })),
            413,
            "payload_too_large",
        ),
        ("unauthenticated", c.get(app.url("/api/v1/auth/me")), 401, "unauthorized"),
        ("bad api key", c.get(app.url("/api/v1/auth/me")).bearer_auth("aos_nope"), 401, "unauthorized"),
        ("not an api key", c.get(app.url("/api/v1/auth/me")).bearer_auth("something"), 401, "unauthorized"),
        (
            "validation",
            c.post(app.url("/api/v1/auth/signup")).json(&json!({ "agency_name": "", "first_name": "A", "last_name": "B", "email": "nope", "password": "short" })),
            422,
            "validation_failed",
        ),
    ];
    for (name, req, status, code) in cases {
        let (got_status, p, rid) = problem(req.send().await.unwrap()).await;
        assert_eq!((got_status, p.code.as_str()), (status, code), "case `{name}`: {p:?}");
        assert_eq!(p.status, status, "case `{name}`");
        assert!(p.type_url.ends_with(code), "case `{name}`");
        assert!(
            p.request_id.is_some() && p.request_id == rid,
            "case `{name}`: request id in body and header"
        );
        assert!(
            p.instance.as_deref().is_some_and(|i| i.starts_with("/api")),
            "case `{name}`"
        );
    }
}

#[tokio::test]
async fn validation_names_each_invalid_field() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({ "agency_name": "", "first_name": "A", "last_name": "B", "email": "nope", "password": "short" }),
        )
        .await;
    let p: Problem = res.json().await.unwrap();
    let fields: Vec<_> = p.errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
    assert_eq!(
        fields,
        [("agency_name", "length"), ("email", "email"), ("password", "length")]
    );
    assert_eq!(p.field_message("password"), Some("must be 8 to 128 characters"));
    assert_eq!(
        p.field_message("agency_name"),
        Some("is required"),
        "empty, not too short"
    );
}

#[tokio::test]
async fn bad_query_and_path_parameters_are_problems() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signup().await;
    let (s, p, _) = problem(app.get("/api/v1/api-keys?limit=abc").await).await;
    assert_eq!((s, p.code.as_str()), (400, "invalid_query"));
    let (s, p, _) = problem(app.get("/api/v1/api-keys?limit=1000").await).await;
    assert_eq!((s, p.code.as_str()), (422, "validation_failed"));
    assert_eq!(p.errors[0].field, "limit");
    let (s, p, _) = problem(app.delete("/api/v1/api-keys/not-a-uuid").await).await;
    assert_eq!((s, p.code.as_str()), (400, "invalid_id"));
    let (s, p, _) = problem(app.delete(&format!("/api/v1/api-keys/{}", uuid::Uuid::now_v7())).await).await;
    assert_eq!((s, p.code.as_str()), (404, "not_found"));
}

#[tokio::test]
async fn a_server_failure_hides_its_cause() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signup().await;
    // A query that cannot run (its table is gone) is a 500 whose cause stays in the log.
    let side = sqlx::SqlitePool::connect(&format!("sqlite://{}/test.db", app.data_dir.path().display()))
        .await
        .unwrap();
    sqlx::query("alter table label rename to label_gone")
        .execute(&side)
        .await
        .unwrap();
    side.close().await;
    let (s, p, rid) = problem(app.get("/api/v1/labels").await).await;
    assert_eq!((s, p.code.as_str()), (500, "internal"));
    let body = serde_json::to_string(&p).unwrap().to_lowercase();
    for leak in ["sqlx", "pool", "database", "sqlite", "label_gone", "no such table"] {
        assert!(!body.contains(leak), "500 body leaks `{leak}`: {body}");
    }
    let rid = rid.unwrap();
    let logs = crate::helpers::captured_logs();
    assert!(
        logs.lines().any(|l| l.contains(&rid) && l.contains("request failed")),
        "the cause is logged with the request id"
    );

    // A database that is gone is a 503 with a retry hint, and still no internals.
    app.store.close().await;
    let (s, p, _) = problem(app.get("/api/v1/auth/me").await).await;
    assert_eq!((s, p.code.as_str()), (503, "database_unavailable"));
    let body = serde_json::to_string(&p).unwrap().to_lowercase();
    for leak in ["sqlx", "pool", "sqlite", "closed"] {
        assert!(!body.contains(leak), "503 body leaks `{leak}`: {body}");
    }
}

#[tokio::test]
async fn the_spa_is_served_for_deep_links_but_never_for_api_paths() {
    let app = spawn_app(Backend::Sqlite).await;
    let dist = app.data_dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>AudienceOS</title>").unwrap();
    std::fs::write(dist.join("app-123.js"), "console.log(1)").unwrap();
    let res = app.get("/settings/api-keys").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<title>AudienceOS"));
    let res = app.get("/app-123.js").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let res = app.get("/../Cargo.toml").await;
    assert!(
        res.text().await.unwrap().contains("<title>AudienceOS"),
        "no path traversal"
    );
    let res = app.get("/api/v1/settings").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_auth_pages_and_intake_forms_get_their_own_small_pages_and_every_other_path_the_app() {
    let app = spawn_app(Backend::Sqlite).await;
    let dist = app.data_dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let page = |name: &str| format!("<!doctype html><title>AudienceOS</title><p>{name}<script>init()</script>");
    std::fs::write(dist.join("index.html"), page("app")).unwrap();
    // A build from before the split has only index.html: every path gets the app.
    let res = app.get("/sign-in").await;
    assert!(res.text().await.unwrap().contains("<p>app"));

    std::fs::write(dist.join("auth.html"), page("auth")).unwrap();
    std::fs::write(dist.join("intake.html"), page("intake")).unwrap();
    let expected = [
        ("/sign-in", "auth"),
        ("/sign-up", "auth"),
        ("/forgot-password", "auth"),
        ("/reset-password?token=abc", "auth"),
        ("/intake/t0k-en_1", "intake"),
        ("/", "app"),
        ("/clients", "app"),
        ("/settings/account", "app"),
        ("/onboarding?x=1", "app"),
        ("/intake/", "app"),
        ("/intake/a/b", "app"),
        ("/sign-in/x", "app"),
        // The files themselves, asked for by name, are served the same way.
        ("/auth.html", "auth"),
    ];
    for (path, name) in expected {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        let policy = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(
            policy.contains("sha256-"),
            "{path}: the inline script is allowed by its hash: {policy}"
        );
        assert!(
            res.text().await.unwrap().contains(&format!("<p>{name}<")),
            "{path} gets {name}"
        );
    }
}
