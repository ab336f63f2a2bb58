//! Syncs as the job queue runs them: a provider's Retry-After defers the job without spending an attempt,
//! and a sync killed midway, then run again, leaves exactly one row per message.

use std::time::Duration;

use audienceos_fakes::google::SeedMessage;
use audienceos_fakes::{Fault, Provider};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_with_fakes_and, Backend, TestApp};
use crate::on_both;

on_both!(
    a_429_with_retry_after_defers_the_sync_job_instead_of_failing_it,
    a_sync_killed_midway_and_rerun_leaves_no_duplicate_messages,
);

/// The app with no job worker racing the test (the queue is drained by hand).
async fn app(backend: Backend) -> (TestApp, audienceos_fakes::ProviderFakes, Uuid) {
    let (app, fakes) = spawn_with_fakes_and(backend, &[("AOS_JOB_POLL_MS", "60000")]).await;
    let (_, me) = app.signup().await;
    (app, fakes, me.agency.id)
}

#[derive(Debug, sqlx::FromRow)]
struct JobState {
    status: String,
    attempts: i32,
    run_at: chrono::DateTime<chrono::Utc>,
}

async fn job_state(app: &TestApp, id: Uuid) -> JobState {
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_as::<_, JobState>(
        "select status, attempts, run_at from job where id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap())
}

/// The job once no worker holds it (the app's own worker may have claimed it before `drain`).
async fn settled(app: &TestApp, job: Uuid) -> JobState {
    for _ in 0..400 {
        let state = job_state(app, job).await;
        if state.status != "running" {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job} still running");
}

async fn message_rows(app: &TestApp, agency: Uuid) -> (i64, i64) {
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_as::<_, (i64, i64)>(
        "select count(*), count(distinct provider_message_id) from communication where agency_id = $1"
    )
    .bind(agency)
    .fetch_one(pool)
    .await
    .unwrap())
}

async fn a_429_with_retry_after_defers_the_sync_job_instead_of_failing_it(backend: Backend) {
    let (app, fakes, agency) = app(backend).await;
    let gmail = app.connect("gmail").await;
    let id: Uuid = gmail["id"].as_str().unwrap().parse().unwrap();
    // The sync queued on connect runs first, cleanly.
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    fakes.inject(Fault {
        provider: Provider::Google,
        path_prefix: Some("/gmail/".into()),
        status: 429,
        count: 10,
        retry_after: Some(120),
    });
    let res = app.post(&format!("/api/v1/integrations/{id}/sync"), &json!({})).await;
    assert_eq!(res.status(), 202);
    let job: Uuid = res.json::<Value>().await.unwrap()["job_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let before = chrono::Utc::now();
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    let state = settled(&app, job).await;
    assert_eq!(state.status, "queued", "deferred, not failed");
    assert_eq!(state.attempts, 0, "a deferral spends no attempt");
    assert!(
        state.run_at >= before + chrono::Duration::seconds(110),
        "run at {:?}",
        state.run_at
    );
    let row = app.store.get_integration(agency, id).await.unwrap();
    assert_eq!(row.status, "degraded");
    assert!(row.status_reason.unwrap().contains("rate limiting"));
}

async fn a_sync_killed_midway_and_rerun_leaves_no_duplicate_messages(backend: Backend) {
    let (app, fakes, agency) = app(backend).await;
    let res = app
        .post(
            "/api/v1/clients",
            &json!({ "name": "Bulk Co", "contact_email": "bulk@bulkco.test" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let gmail = app.connect("gmail").await;
    let id: Uuid = gmail["id"].as_str().unwrap().parse().unwrap();
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    let total: i64 = 260;
    for n in 0..total {
        fakes.seed_gmail(SeedMessage {
            mailbox: None,
            from: "Bulk Buyer <bulk@bulkco.test>".into(),
            to: None,
            subject: format!("Order {n}"),
            body: format!("Order number {n}"),
            thread_id: None,
            date: None,
            label_ids: None,
        });
    }
    // Slow the provider down, start a sync, and kill it once some messages are in.
    fakes.set_delay(Provider::Google, Duration::from_millis(15));
    let integration = app.store.get_integration(agency, id).await.unwrap();
    let state = app.state.clone();
    let running = tokio::spawn(async move {
        let ctx = audienceos_api::integrations::sync::SyncCtx {
            state: state.get_ref(),
            integration: &integration,
            now: chrono::Utc::now(),
        };
        audienceos_api::integrations::resources::sync(&ctx).await
    });
    let mut partial = 0;
    for _ in 0..400 {
        partial = message_rows(&app, agency).await.0;
        if partial > 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    running.abort();
    let _ = running.await;
    assert!(partial > 4 && partial < total + 4, "killed midway after {partial} rows");
    fakes.set_delay(Provider::Google, Duration::ZERO);

    // The rerun starts from the saved cursor (none was saved midway) and upserts.
    let res = app.post(&format!("/api/v1/integrations/{id}/sync"), &json!({})).await;
    assert_eq!(res.status(), 202);
    let job: Uuid = res.json::<Value>().await.unwrap()["job_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    settled(&app, job).await;
    let (rows, distinct) = message_rows(&app, agency).await;
    assert_eq!(rows, distinct, "no message twice");
    assert_eq!(
        rows, total,
        "every bulk message once (the seeded mail matches no client)"
    );
    let row = app.store.get_integration(agency, id).await.unwrap();
    assert_eq!(row.last_sync_outcome.as_deref(), Some("ok"));
}
