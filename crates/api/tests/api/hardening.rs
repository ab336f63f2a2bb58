//! Issue 18's findings, each as a test that failed before its fix: control characters refused at the
//! edge on every route of the document, the CSV row cap, security and cache headers on API answers,
//! `503 database_unavailable` (fast) when the database is gone, and
//! `507` with nothing half-written when the file store's disk is full.

use audienceos_shared::Problem;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, Browser};
use crate::on_both;

on_both!(
    every_json_body_and_query_string_refuses_control_characters,
    csv_imports_are_capped_and_refuse_control_characters,
    api_answers_are_not_stored_and_cannot_be_framed,
    a_database_that_is_gone_answers_503_with_a_retry_hint
);

/// The first `{param}` of every path replaced by a fresh id.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(&rest[..open]);
        out.push_str(&uuid::Uuid::new_v4().to_string());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn send(app: &Browser, method: &str, path: &str, body: Option<&str>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = app.with_csrf(app.client.request(method, app.url(path)));
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body.to_string());
    }
    req.send().await.unwrap()
}

/// Every operation of the served document with a JSON body gets `{"name": "a\u0000b"}`, and every one
/// with a query parameter gets it as `%00`: each answers `422` naming that field, on both backends,
/// before anything is written. A new route is covered without editing this test.
async fn every_json_body_and_query_string_refuses_control_characters(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let doc: Value = app.get_json("/api/openapi.json").await;
    let (mut bodies, mut queries) = (0, 0);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let url = concrete(path);
            if op["requestBody"]["content"].get("application/json").is_some() {
                let res = send(&app, method, &url, Some(r#"{"name":"a\u0000b"}"#)).await;
                let status = res.status().as_u16();
                let problem: Problem = res.json().await.unwrap();
                assert_eq!(status, 422, "{method} {path}: {problem:?}");
                assert_eq!(problem.errors[0].field, "name", "{method} {path}");
                assert_eq!(problem.errors[0].code, "control_character", "{method} {path}");
                bodies += 1;
            }
            let query_param = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap().to_string());
            if let Some(name) = query_param {
                let res = send(&app, method, &format!("{url}?{name}=%00"), None).await;
                let status = res.status().as_u16();
                let problem: Problem = res.json().await.unwrap();
                assert_eq!(status, 422, "{method} {path}?{name}: {problem:?}");
                assert_eq!(problem.errors[0].field, name, "{method} {path}");
                queries += 1;
            }
        }
    }
    assert!(bodies >= 30 && queries >= 10, "{bodies} bodies, {queries} queries");
    // Nothing reached the store: the agency still has no clients.
    let list: Value = app.get_json("/api/v1/clients").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

async fn import(app: &Browser, csv: &str) -> reqwest::Response {
    app.with_csrf(app.client.post(app.url("/api/v1/clients/import")))
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn csv_imports_are_capped_and_refuse_control_characters(backend: Backend) {
    let app = spawn_app_with(backend, &[("AOS_CSV_IMPORT_MAX_ROWS", "3")]).await;
    app.signup().await;
    let res = import(&app, "name\nA\nB\nC\nD\n").await;
    assert_eq!(res.status(), 422);
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.errors[0].field, "file");
    assert_eq!(problem.errors[0].code, "too_many_rows");
    assert!(problem.errors[0].message.contains("at most 3"), "{problem:?}");

    let res = import(&app, "name,contact_name\nAcme,Ada\nNul Co,a\u{0}b\n").await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["errors"][0]["line"], 3, "{report}");
    assert_eq!(report["errors"][0]["field"], "contact_name", "{report}");
}

async fn api_answers_are_not_stored_and_cannot_be_framed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    for path in ["/api/v1/auth/me", "/api/v1/clients", "/api/v1/nothing-here"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(
            h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    let docs = app.get("/api/docs/").await;
    let policy = docs.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        policy.starts_with("default-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
}

async fn a_database_that_is_gone_answers_503_with_a_retry_hint(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    app.store.close().await;
    let res = app.get("/api/v1/clients").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "2");
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.code, "database_unavailable");

    let started = std::time::Instant::now();
    let health = app.get("/api/health").await;
    assert_eq!(health.status(), 503);
    // Not a timing assertion on speed: a health check that waited out the pool (5-10 s) would be useless
    // to a load balancer, so it must answer within its probe budget.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// A full disk on upload: a 256 KiB tmpfs under the local file store, a 600 KiB upload. The answer is
/// `507 insufficient_storage`, no file row exists and no partial object is left on the disk; a small
/// file still fits afterwards. Mounting needs root, so this is ignored elsewhere (scripts/test runs
/// ignored tests in CI, which runs as root).
#[tokio::test]
#[ignore = "mounts a tmpfs: needs root (scripts/test runs it with --run-ignored)"]
async fn a_full_disk_on_upload_is_507_and_nothing_is_half_written() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, me) = app.signup().await;
    let client_id = crate::fixtures::new_client(&app, json!({ "name": "Acme" }))
        .await
        .id
        .to_string();
    let files = app.data_dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&files)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount a tmpfs (needs root)");
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(files.clone());

    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.with_csrf(
            app.client
                .post(app.url(&format!("/api/v1/clients/{client_id}/files")))
                .multipart(form),
        )
        .send()
    };
    let res = upload(vec![b'a'; 600 * 1024], "big.txt").await.unwrap();
    assert_eq!(res.status(), 507);
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.code, "insufficient_storage");
    let listed: Value = app.get_json(&format!("/api/v1/clients/{client_id}/files")).await;
    assert_eq!(listed.as_array().unwrap().len(), 0, "no file row");
    let mut leftover = Vec::new();
    let mut dirs = vec![files.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else {
                leftover.push(entry.path());
            }
        }
    }
    assert!(leftover.is_empty(), "half-written objects left: {leftover:?}");
    assert_eq!(upload(b"small".to_vec(), "small.txt").await.unwrap().status(), 201);
    assert!(me.agency.id.to_string().len() == 36);
}
