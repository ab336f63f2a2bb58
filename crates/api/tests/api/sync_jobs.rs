//! Syncs as the job queue runs them: a provider's Retry-After defers the job without spending an attempt,
//! and a sync of each provider (Gmail, Slack, Google Ads, Meta) killed midway, then run again, leaves
//! exactly one row per message or campaign day, with the same numbers as a clean full sync.

use std::time::Duration;

use audienceos_fakes::google::{AdsRow, SeedMessage};
use audienceos_fakes::slack::{SlackChannel, SlackMessage};
use audienceos_fakes::{Fault, Provider};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{link, new_client, row_by_id, sync_now};
use crate::helpers::{spawn_with_fakes_and, Backend, TestApp};
use crate::on_both;

on_both!(
    a_429_with_retry_after_defers_the_sync_job_instead_of_failing_it,
    a_sync_killed_midway_and_rerun_leaves_no_duplicate_messages,
    a_slack_sync_killed_midway_and_rerun_leaves_each_message_once,
    a_google_ads_sync_killed_midway_and_rerun_leaves_each_campaign_day_once,
    a_meta_sync_killed_midway_and_rerun_leaves_each_campaign_day_once,
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
    row_by_id(app, "select status, attempts, run_at from job where id = $1", id).await
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
    let job = sync_now(&app, id).await;
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
    new_client(&app, json!({ "name": "Bulk Co", "contact_email": "bulk@bulkco.test" })).await;
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
    let partial = kill_once_written(&app, agency, id, MESSAGE_ROWS).await;
    assert!(partial < total, "killed midway after {partial} rows");
    fakes.set_delay(Provider::Google, Duration::ZERO);

    // The rerun starts from the saved cursor (none was saved midway) and upserts.
    rerun(&app, agency, id).await;
    let (rows, distinct) = count(&app, MESSAGE_ROWS, agency).await;
    assert_eq!(rows, distinct, "no message twice");
    assert_eq!(
        rows, total,
        "every bulk message once (the seeded mail matches no client)"
    );
}

/// A count over the agency's rows (`$1` is the agency).
async fn count(app: &TestApp, sql: &str, agency: Uuid) -> (i64, i64) {
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_as::<_, (i64, i64)>(sql)
        .bind(agency)
        .fetch_one(pool)
        .await
        .unwrap())
}

const MESSAGE_ROWS: &str =
    "select count(*), count(distinct provider_message_id) from communication where agency_id = $1";

const SLACK_ROWS: &str =
    "select count(*), count(distinct provider_message_id) from communication where agency_id = $1 and platform = 'slack'";

fn ad_rows(platform: &str) -> String {
    format!(
        "select count(*), cast(coalesce(sum(clicks), 0) as bigint) from ad_performance where agency_id = $1 and platform = '{platform}'"
    )
}

/// Start one sync of the integration as stored now, and abort it once `sql` counts rows (what a kill -9
/// leaves: the open transaction rolls back and nothing after it runs). Returns the count at the kill.
async fn kill_once_written(app: &TestApp, agency: Uuid, id: Uuid, sql: &str) -> i64 {
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
    for _ in 0..1_000 {
        partial = count(app, sql, agency).await.0;
        if partial > 0 || running.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !running.is_finished(),
        "the sync finished before it could be killed ({partial} rows)"
    );
    running.abort();
    let _ = running.await;
    partial
}

/// Sync again through the queue (`POST /sync`, the job drained) and check it succeeded.
async fn rerun(app: &TestApp, agency: Uuid, id: Uuid) {
    let job = sync_now(app, id).await;
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    settled(app, job).await;
    let row = app.store.get_integration(agency, id).await.unwrap();
    assert_eq!(row.last_sync_outcome.as_deref(), Some("ok"), "{:?}", row.last_error);
}

async fn client(app: &TestApp, name: &str) -> String {
    let res = app.post("/api/v1/clients", &json!({ "name": name })).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// Connect `provider` and let the sync its connect queued finish.
async fn connected(app: &TestApp, provider: &str) -> Uuid {
    let integration = app.connect(provider).await;
    let id = integration["id"].as_str().unwrap().parse().unwrap();
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    id
}

async fn a_slack_sync_killed_midway_and_rerun_leaves_each_message_once(backend: Backend) {
    let (app, fakes, agency) = app(backend).await;
    let acme = client(&app, "Acme Dental").await;
    let id = connected(&app, "slack").await;
    let per_channel = 450;
    for channel in ["C0BULK0001", "C0BULK0002"] {
        fakes.seed_slack_channel(SlackChannel {
            id: channel.into(),
            name: channel.to_lowercase(),
            is_private: false,
            is_member: true,
            is_archived: false,
        });
        for n in 0..per_channel {
            fakes.seed_slack_message(SlackMessage {
                channel: channel.into(),
                user: "U0DANA0001".into(),
                text: format!("Update {n}"),
                ts: String::new(),
                thread_ts: None,
            });
        }
        link(&app, id, channel, &acme).await;
    }
    fakes.set_delay(Provider::Slack, Duration::from_millis(60));
    let partial = kill_once_written(&app, agency, id, SLACK_ROWS).await;
    assert!(partial < 2 * per_channel, "killed midway after {partial} rows");
    fakes.set_delay(Provider::Slack, Duration::ZERO);

    rerun(&app, agency, id).await;
    let (rows, distinct) = count(&app, SLACK_ROWS, agency).await;
    assert_eq!(rows, distinct, "no message twice");
    assert_eq!(rows, 2 * per_channel, "every message of both channels once");
}

async fn a_google_ads_sync_killed_midway_and_rerun_leaves_each_campaign_day_once(backend: Backend) {
    let (app, fakes, agency) = app(backend).await;
    let (acme, bright) = (client(&app, "Acme Dental").await, client(&app, "BrightPath").await);
    let id = connected(&app, "google_ads").await;
    // A second customer account, with the first one's campaign days.
    let today = chrono::Utc::now().date_naive();
    fakes.seed_ads(
        (1..=29)
            .flat_map(|day| {
                (0..3).map(move |c| AdsRow {
                    customer_id: "2345678901".into(),
                    campaign_id: 222_000_001 + c,
                    campaign_name: format!("Campaign {c}"),
                    date: today - chrono::Days::new(day),
                    cost_micros: 1_000_000 * (day + c),
                    impressions: 100 * day,
                    clicks: 10 + day + c,
                    conversions: 1.0,
                    conversions_value: 10.0,
                })
            })
            .collect(),
    );
    link(&app, id, "1234567890", &acme).await;
    link(&app, id, "2345678901", &bright).await;
    let sql = ad_rows("google_ads");
    fakes.set_delay(Provider::Google, Duration::from_millis(400));
    let partial = kill_once_written(&app, agency, id, &sql).await;
    assert!(partial < 2 * 87, "killed midway after {partial} rows");
    fakes.set_delay(Provider::Google, Duration::ZERO);

    rerun(&app, agency, id).await;
    let after = count(&app, &sql, agency).await;
    assert_eq!(after.0, 2 * 87, "three campaigns, 29 days, two accounts");
    // A clean full sync from scratch finds the same rows and the same numbers.
    app.store.set_integration_cursor(agency, id, &json!({})).await.unwrap();
    rerun(&app, agency, id).await;
    assert_eq!(count(&app, &sql, agency).await, after);
}

async fn a_meta_sync_killed_midway_and_rerun_leaves_each_campaign_day_once(backend: Backend) {
    let (app, fakes, agency) = app(backend).await;
    let (acme, bright) = (client(&app, "Acme Dental").await, client(&app, "BrightPath").await);
    let id = connected(&app, "meta_ads").await;
    link(&app, id, "act_1111111111", &acme).await;
    link(&app, id, "act_2222222222", &bright).await;
    let sql = ad_rows("meta_ads");
    fakes.set_delay(Provider::Meta, Duration::from_millis(400));
    let partial = kill_once_written(&app, agency, id, &sql).await;
    assert!(partial < 87, "killed midway after {partial} rows");
    fakes.set_delay(Provider::Meta, Duration::ZERO);

    rerun(&app, agency, id).await;
    let after = count(&app, &sql, agency).await;
    assert_eq!(after.0, 87, "two campaigns and one, 29 days each");
    app.store.set_integration_cursor(agency, id, &json!({})).await.unwrap();
    rerun(&app, agency, id).await;
    assert_eq!(count(&app, &sql, agency).await, after);
}
