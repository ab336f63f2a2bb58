//! CSV imports run as durable jobs: `202` with a Location, progress while the job writes its batches,
//! the same report as the import within the request, visible only to its agency's writers, and
//! a job killed midway, then run again (even twice at once), writes every row exactly once.

use std::time::Duration;

use audienceos_api::domain::tenant::Tenant;
use audienceos_api::store::client_imports::NewClientImport;
use audienceos_shared::clients::{ClientImport, ImportStatus};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{new_client, post_csv};
use crate::helpers::{spawn_app, spawn_app_with, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    an_import_job_reports_progress_then_the_same_report_as_within_the_request,
    an_import_job_killed_midway_resumes_and_writes_every_row_once,
);

async fn start(b: &Browser, csv: &str) -> reqwest::Response {
    post_csv(b, "/api/v1/clients/imports", csv).await
}

/// Follow the import until it is finished, collecting the progress seen on the way.
async fn follow(b: &Browser, id: Uuid) -> (ClientImport, Vec<u32>) {
    let mut seen = Vec::new();
    for _ in 0..600 {
        let res = b.get(&format!("/api/v1/clients/imports/{id}")).await;
        assert_eq!(res.status(), 200);
        let import: ClientImport = res.json().await.unwrap();
        seen.push(import.processed_rows);
        if import.status.is_finished() {
            return (import, seen);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("import {id} did not finish");
}

async fn client_count(app: &TestApp, agency: Uuid) -> (i64, i64) {
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_as::<_, (i64, i64)>(
        "select count(*), count(distinct name) from client where agency_id = $1"
    )
    .bind(agency)
    .fetch_one(pool)
    .await
    .unwrap())
}

async fn an_import_job_reports_progress_then_the_same_report_as_within_the_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    new_client(&app, json!({ "name": "Old Name", "contact_email": "kept@acme.test" })).await;
    // 450 data rows: three batches; line 3 has a bad stage, line 5 a bad date, line 452 updates by email.
    let mut csv = String::from("name,stage,due_date,contact_email\n");
    for n in 0..449 {
        match n {
            1 => csv.push_str("Bad Stage Co,Nowhere,,\n"),
            3 => csv.push_str("Bad Date Co,,someday,\n"),
            _ => csv.push_str(&format!("Client {n:04},,,\n")),
        }
    }
    csv.push_str("New Name,,,KEPT@acme.test\n");

    let res = start(&app, &csv).await;
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let started: ClientImport = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/clients/imports/{}", started.id));
    assert_eq!(started.total_rows, 450);
    assert!(!started.status.is_finished() || started.processed_rows == 450);

    let (done, seen) = follow(&app, started.id).await;
    assert_eq!(done.status, ImportStatus::Done, "{done:?}");
    assert_eq!((done.created, done.updated), (447, 1), "{done:?}");
    assert_eq!(done.processed_rows, 450);
    assert_eq!(done.percent(), 100);
    assert!(done.finished_at.is_some());
    let lines: Vec<(u32, Option<&str>)> = done.errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(lines, [(3, Some("stage")), (5, Some("due_date"))], "{:?}", done.errors);
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {seen:?}"
    );
    assert_eq!(client_count(&app, me.agency.id).await, (448, 448));
    let list: serde_json::Value = app.get_json("/api/v1/clients?q=New%20Name").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "the known email updated its client"
    );

    // The same file within the request reports the same (all rows now update or fail the same way).
    let res = app
        .browser
        .with_csrf(
            app.client
                .post(app.url("/api/v1/clients/import"))
                .header("content-type", "text/csv")
                .body(csv.clone()),
        )
        .send()
        .await
        .unwrap();
    let report: audienceos_shared::clients::ImportReport = res.json().await.unwrap();
    assert_eq!(report.errors, done.errors);

    // File-level problems are answered at once, before any job.
    let res = start(&app, "contact_email\nx@y.test\n").await;
    assert_eq!(res.status(), 422);
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.errors[0].field, "name");

    // Another agency cannot see it; a Member sees only their own imports.
    let other = app.new_browser();
    other.signup().await;
    let res = other.get(&format!("/api/v1/clients/imports/{}", started.id)).await;
    assert_eq!(res.status(), 404);
    // A Member may not import (no clients write), nor read the agency's imports.
    let (member, _) = app.add_user(me.agency.id, SystemRole::Member).await;
    let res = member.get(&format!("/api/v1/clients/imports/{}", started.id)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(start(&member, "name\nMember Co\n").await.status(), 403);

    let audit: serde_json::Value = app.get_json("/api/v1/audit-log?limit=100").await;
    let logged = audit["items"].as_array().unwrap();
    assert!(
        logged.iter().any(|e| e["action"] == "client.imported"
            && e["metadata"]["import_id"] == json!(started.id)
            && e["actor_user_id"] == json!(me.user.id)),
        "the job's import is audited as its starter's: {audit}"
    );
}

async fn an_import_job_killed_midway_resumes_and_writes_every_row_once(backend: Backend) {
    // No worker racing the test: the import is stored without waking it, and it polls once a minute.
    let app = spawn_app_with(backend, &[("AOS_JOB_POLL_MS", "60000")]).await;
    let (_, me) = app.signup().await;
    let total = 3_000;
    // No contact emails: a row written twice would be a second client, not an update.
    let mut csv = String::from("name,labels\n");
    for n in 0..total {
        csv.push_str(&format!("Bulk {n:05},Imported batch\n"));
    }
    let id = app
        .store
        .create_client_import(
            &NewClientImport {
                tenant: Tenant::agency(me.agency.id),
                created_by: me.user.id,
                csv: &csv,
                total_rows: total,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let payload = json!({ "import_id": id });

    let state = app.state.clone();
    let p = payload.clone();
    let running =
        tokio::spawn(async move { audienceos_api::services::client_csv::run_import_job(state.get_ref(), &p).await });
    let mut partial = 0;
    for _ in 0..2_000 {
        partial = app
            .store
            .get_client_import(me.agency.id, id, None)
            .await
            .unwrap()
            .processed_rows;
        if partial > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.abort();
    let _ = running.await;
    let killed = app.store.get_client_import(me.agency.id, id, None).await.unwrap();
    assert!(
        killed.processed_rows > 0 && (killed.processed_rows as u32) < total,
        "killed midway after {partial} rows"
    );
    let (rows, _) = client_count(&app, me.agency.id).await;
    assert_eq!(
        rows, killed.created_count as i64,
        "what was written and what the import says it wrote agree"
    );

    // Two runs at once (a lease that expired under a slow run): each batch is written by one of them.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let state = app.state.clone();
            let p = payload.clone();
            tokio::spawn(async move { audienceos_api::services::client_csv::run_import_job(state.get_ref(), &p).await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let done = app.store.get_client_import(me.agency.id, id, None).await.unwrap();
    assert_eq!(done.status, "done");
    assert_eq!((done.created_count, done.processed_rows), (total as i32, total as i32));
    assert_eq!(
        client_count(&app, me.agency.id).await,
        (total as i64, total as i64),
        "every row exactly once"
    );
    // The queued job then finds the import done and completes without writing.
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    assert_eq!(client_count(&app, me.agency.id).await.0, total as i64);
    let res = app.get(&format!("/api/v1/clients/imports/{id}")).await;
    let import: ClientImport = res.json().await.unwrap();
    assert_eq!(
        (import.status, import.created, import.errors.len()),
        (ImportStatus::Done, total, 0)
    );
}
