//! Provider syncs against the in-process fakes: Gmail (first sync by window, incremental by history,
//! fallback when history expired, no duplicates on rerun, short Retry-After waited out, long one given
//! back), Slack (linked channels, users.info once per user), Meta and Google Ads (daily rows, reruns
//! keep the row count), and the resources/links routes with tenant isolation.

use std::time::Duration;

use audienceos_api::integrations::provider::ProviderError;
use audienceos_api::integrations::resources;
use audienceos_api::integrations::sync::SyncCtx;
use audienceos_fakes::google::SeedMessage;
use audienceos_fakes::slack::SlackMessage;
use audienceos_fakes::{Fault, Provider, ProviderFakes};
use audienceos_shared::integrations::{Communication, IntegrationProvider, ProviderResource, SyncStats};
use audienceos_shared::Page;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{acme_dental, first_sync_done, get_client, link, new_client, set_time};
use crate::helpers::{spawn_with_fakes, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    a_synced_message_is_activity_and_an_unanswered_one_counts_in_health,
    gmail_first_sync_files_messages_by_email_and_domain_and_skips_the_rest,
    gmail_incremental_sync_reads_history_and_a_rerun_writes_no_duplicates,
    gmail_expired_history_falls_back_to_a_window_sync,
    gmail_short_retry_after_is_waited_out_and_a_long_one_is_returned,
    slack_linked_channels_sync_with_user_names_asked_once_per_user,
    meta_daily_rows_are_upserted_and_a_rerun_keeps_the_row_count,
    google_ads_daily_rows_are_upserted_and_a_rerun_keeps_the_row_count,
    resources_are_listed_live_with_links_and_linking_is_checked,
    another_agencys_integration_is_404_for_resources_and_links,
);

const MAILBOX: &str = "owner@agency.test";

/// The app on fresh fakes, signed up; returns the agency id.
async fn connected_app(backend: Backend) -> (TestApp, ProviderFakes, Uuid) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    let (_, me) = app.signup().await;
    (app, fakes, me.agency.id)
}

/// Connect a provider through the fake consent page and wait for the sync the connect queues (the app's
/// job worker runs it); the integration's id and that first sync's stats.
async fn connect(app: &TestApp, agency: Uuid, provider: IntegrationProvider) -> (Uuid, SyncStats) {
    let integration = app.connect(provider.as_str()).await;
    let id: Uuid = integration["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("connected {provider}: {integration}"));
    let row = first_sync_done(app, agency, id).await;
    assert_eq!(row.last_sync_outcome.as_deref(), Some("ok"), "{:?}", row.last_error);
    let stats = row.last_sync_stats.map(|s| s.0).unwrap_or_default();
    (id, serde_json::from_value(stats).unwrap())
}

/// Run one sync of the integration as it is stored now (its current cursor).
/// Link (or with a null client, unlink) a provider's resource, as the Integrations page does.
async fn put_link(b: &Browser, integration: Uuid, external_id: &str, client_id: Value) -> reqwest::Response {
    let path = format!("/api/v1/integrations/{integration}/links/{external_id}");
    b.put(&path, &json!({ "client_id": client_id })).await
}

async fn sync(app: &TestApp, agency: Uuid, id: Uuid) -> Result<SyncStats, ProviderError> {
    let integration = app.store.get_integration(agency, id).await.unwrap();
    let ctx = SyncCtx {
        state: app.state.get_ref(),
        integration: &integration,
        now: chrono::Utc::now(),
    };
    resources::sync(&ctx).await
}

async fn communications(b: &Browser, client: Uuid) -> Vec<Communication> {
    let res = b
        .get(&format!("/api/v1/clients/{client}/communications?limit=200"))
        .await;
    assert_eq!(res.status(), 200);
    let page: Page<Communication> = res.json().await.unwrap();
    page.items
}

fn calls_to(fakes: &ProviderFakes, provider: Provider, prefix: &str) -> usize {
    fakes
        .calls(Some(provider))
        .iter()
        .filter(|c| c.path.starts_with(prefix))
        .count()
}

async fn gmail_first_sync_files_messages_by_email_and_domain_and_skips_the_rest(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let acme = acme_dental(&app).await;
    let bright = new_client(
        &app,
        json!({ "name": "BrightPath", "website": "https://www.brightpath.test" }),
    )
    .await;
    let free = new_client(&app, json!({ "name": "Freelancer", "contact_email": "solo@gmail.com" })).await;
    fakes.seed_gmail(SeedMessage {
        from: "Ops <ops@acme-dental.test>".into(),
        subject: "Invoice".into(),
        body: "Please find the invoice.".into(),
        ..SeedMessage::default()
    });
    fakes.seed_gmail(SeedMessage {
        from: "Stranger <someone@gmail.com>".into(),
        subject: "Hi".into(),
        body: "Not a client.".into(),
        ..SeedMessage::default()
    });
    fakes.seed_gmail(SeedMessage {
        from: format!("Owner <{MAILBOX}>"),
        to: Some("Sam Ortiz <sam@brightpath.test>".into()),
        subject: "Your landing page".into(),
        body: "Here is the draft.".into(),
        label_ids: Some(vec!["SENT".into()]),
        ..SeedMessage::default()
    });
    // Connecting queues the first sync.
    let (integration, stats) = connect(&app, me, IntegrationProvider::Gmail).await;
    // Seeded: Dana x2 and Sam, Lee (no client); plus ops@ (domain), someone@gmail.com (free mail), outbound.
    assert_eq!(stats.fetched, 7, "{stats:?}");
    assert_eq!(stats.created, 5, "{stats:?}");
    assert_eq!(stats.skipped, 2, "{stats:?}");

    let acme_msgs = communications(&app, acme.id).await;
    assert_eq!(acme_msgs.len(), 3);
    assert!(acme_msgs.iter().all(|m| m.is_inbound && m.platform == "gmail"));
    let by_ops = acme_msgs
        .iter()
        .find(|m| m.sender_email.as_deref() == Some("ops@acme-dental.test"));
    assert!(by_ops.is_some(), "matched by domain");
    // Dana's thread: the follow-up is the latest and inbound → needs a reply; the first one does not.
    let dana: Vec<&Communication> = acme_msgs
        .iter()
        .filter(|m| m.sender_email.as_deref() == Some("dana@acme-dental.test"))
        .collect();
    assert_eq!(dana.len(), 2);
    assert_eq!(dana[0].thread_id, dana[1].thread_id);
    assert!(dana[0].needs_reply && !dana[1].needs_reply, "{dana:?}");

    let bright_msgs = communications(&app, bright.id).await;
    assert_eq!(bright_msgs.len(), 2);
    let outbound = bright_msgs
        .iter()
        .find(|m| !m.is_inbound)
        .expect("the outbound message");
    assert_eq!(outbound.subject.as_deref(), Some("Your landing page"));
    assert!(!outbound.needs_reply);
    assert!(
        communications(&app, free.id).await.is_empty(),
        "free mail never matches by domain"
    );

    let row = app.store.get_integration(me, integration).await.unwrap();
    assert!(row.sync_cursor.0["history_id"].is_string(), "{:?}", row.sync_cursor.0);
}

async fn gmail_incremental_sync_reads_history_and_a_rerun_writes_no_duplicates(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let acme = acme_dental(&app).await;
    let (integration, first) = connect(&app, me, IntegrationProvider::Gmail).await;
    assert_eq!(first.created, 2, "{first:?}");
    let list_calls = || {
        fakes
            .calls(Some(Provider::Google))
            .iter()
            .filter(|c| c.endpoint.ends_with("/messages"))
            .count()
    };
    let lists_before = list_calls();
    assert!(lists_before >= 1, "the first sync lists the window");

    let nothing = sync(&app, me, integration).await.unwrap();
    assert_eq!(
        (nothing.fetched, nothing.created),
        (0, 0),
        "no history, nothing fetched"
    );

    fakes.seed_gmail(SeedMessage {
        from: "Dana Reed <dana@acme-dental.test>".into(),
        subject: "One more thing".into(),
        body: "Can we add a budget line?".into(),
        ..SeedMessage::default()
    });
    let next = sync(&app, me, integration).await.unwrap();
    assert_eq!((next.fetched, next.created), (1, 1), "{next:?}");
    assert_eq!(list_calls(), lists_before, "later syncs read history, not the window");
    assert!(calls_to(&fakes, Provider::Google, "/google/gmail/v1/users/me/history") >= 2);
    assert_eq!(app.store.count_communications(me, "gmail").await.unwrap(), 3);

    // A sync killed before saving its cursor reruns from the start: nothing is written twice.
    app.store
        .set_integration_cursor(me, integration, &json!({}))
        .await
        .unwrap();
    let rerun = sync(&app, me, integration).await.unwrap();
    assert_eq!(rerun.created, 0, "{rerun:?}");
    assert_eq!(rerun.updated, 3, "{rerun:?}");
    assert_eq!(app.store.count_communications(me, "gmail").await.unwrap(), 3);
    assert_eq!(communications(&app, acme.id).await.len(), 3);
}

async fn gmail_expired_history_falls_back_to_a_window_sync(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    new_client(&app, json!({ "name": "Northwind", "website": "northwind.test" })).await;
    let (integration, first) = connect(&app, me, IntegrationProvider::Gmail).await;
    assert_eq!(first.created, 1, "{first:?}");
    fakes.expire_gmail_history(MAILBOX);
    fakes.seed_gmail(SeedMessage {
        from: "Lee Park <lee@northwind.test>".into(),
        subject: "Follow-up".into(),
        body: "Any news?".into(),
        ..SeedMessage::default()
    });
    let stats = sync(&app, me, integration).await.unwrap();
    assert_eq!(stats.created, 1, "{stats:?}");
    assert_eq!(
        stats.updated, 1,
        "the window sync saw the known message again: {stats:?}"
    );
    assert_eq!(app.store.count_communications(me, "gmail").await.unwrap(), 2);
}

async fn gmail_short_retry_after_is_waited_out_and_a_long_one_is_returned(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    acme_dental(&app).await;
    fakes.inject(Fault {
        provider: Provider::Google,
        path_prefix: Some("/gmail/v1/users/me/messages".into()),
        status: 429,
        count: 2,
        retry_after: Some(1),
    });
    let started = std::time::Instant::now();
    // The sync queued by connecting meets the two 429s and waits them out.
    let (integration, first) = connect(&app, me, IntegrationProvider::Gmail).await;
    assert_eq!(first.created, 2, "{first:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "the Retry-After was honoured"
    );
    assert_eq!(
        fakes
            .calls(Some(Provider::Google))
            .iter()
            .filter(|c| c.status == 429)
            .count(),
        2
    );

    app.store
        .set_integration_cursor(me, integration, &json!({}))
        .await
        .unwrap();
    fakes.inject(Fault {
        provider: Provider::Google,
        path_prefix: Some("/gmail/v1/users/me/profile".into()),
        status: 429,
        count: 1,
        retry_after: Some(120),
    });
    let err = sync(&app, me, integration).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::RateLimited { retry_after } if retry_after == Duration::from_secs(120)),
        "{err:?}"
    );
    let row = app.store.get_integration(me, integration).await.unwrap();
    assert_eq!(row.sync_cursor.0, json!({}), "no cursor saved by a failed sync");
}

async fn slack_linked_channels_sync_with_user_names_asked_once_per_user(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let acme = acme_dental(&app).await;
    let (integration, _) = connect(&app, me, IntegrationProvider::Slack).await;
    link(&app, integration, "C0FAKE0001", acme.id).await;

    let stats = sync(&app, me, integration).await.unwrap();
    assert_eq!(stats.created, 3, "{stats:?}");
    let msgs = communications(&app, acme.id).await;
    assert_eq!(msgs.len(), 3);
    assert!(msgs.iter().all(|m| m.platform == "slack"));
    let names: Vec<&str> = msgs.iter().filter_map(|m| m.sender_name.as_deref()).collect();
    assert_eq!(names, vec!["Dana Reed", "Alex Kim", "Dana Reed"]);
    // Dana is the client (inbound); Alex is agency staff (outbound).
    assert!(msgs[0].is_inbound && !msgs[1].is_inbound);
    assert!(msgs[0].needs_reply);
    assert_eq!(fakes.call_count(Provider::Slack, "/slack/api/users.info"), 2);

    let rerun = sync(&app, me, integration).await.unwrap();
    assert_eq!((rerun.fetched, rerun.created), (0, 0), "{rerun:?}");
    fakes.seed_slack_message(SlackMessage {
        channel: "C0FAKE0001".into(),
        user: "U0DANA0001".into(),
        text: "Numbers look good!".into(),
        ts: String::new(),
        thread_ts: None,
    });
    let next = sync(&app, me, integration).await.unwrap();
    assert_eq!(next.created, 1, "{next:?}");
    assert_eq!(
        fakes.call_count(Provider::Slack, "/slack/api/users.info"),
        2,
        "names come from the cache"
    );
    assert_eq!(app.store.count_communications(me, "slack").await.unwrap(), 4);
    let row = app.store.get_integration(me, integration).await.unwrap();
    assert!(row.sync_cursor.0["channels"]["C0FAKE0001"].is_string());
}

async fn meta_daily_rows_are_upserted_and_a_rerun_keeps_the_row_count(backend: Backend) {
    let (app, _fakes, me) = connected_app(backend).await;
    let acme = new_client(&app, json!({ "name": "Acme Dental" })).await;
    let (integration, _) = connect(&app, me, IntegrationProvider::MetaAds).await;
    link(&app, integration, "act_1111111111", acme.id).await;
    let first = sync(&app, me, integration).await.unwrap();
    // Two campaigns, every seeded day of the 30-day window (the fake seeds up to yesterday).
    assert_eq!(first.created, 2 * 29, "{first:?}");
    let count = app.store.count_ad_days(me, "meta_ads").await.unwrap();
    assert_eq!(count, 58);
    let rerun = sync(&app, me, integration).await.unwrap();
    assert_eq!(rerun.created, 0, "{rerun:?}");
    assert!(
        rerun.updated > 0 && rerun.updated <= 6,
        "only the last days are re-read: {rerun:?}"
    );
    assert_eq!(app.store.count_ad_days(me, "meta_ads").await.unwrap(), count);
    // A full rerun from scratch writes nothing new either.
    app.store
        .set_integration_cursor(me, integration, &json!({}))
        .await
        .unwrap();
    let full = sync(&app, me, integration).await.unwrap();
    assert_eq!((full.created, full.updated), (0, 58));

    let res = app.get(&format!("/api/v1/clients/{}/ad-performance", acme.id)).await;
    let p: audienceos_shared::integrations::AdPerformance = res.json().await.unwrap();
    assert_eq!(p.days.len(), 30);
    assert!(p.totals.spend.cents() > 0 && p.totals.clicks > 0);
    assert!(p.totals.revenue.is_some());
}

async fn google_ads_daily_rows_are_upserted_and_a_rerun_keeps_the_row_count(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let acme = new_client(&app, json!({ "name": "Acme Dental" })).await;
    let (integration, _) = connect(&app, me, IntegrationProvider::GoogleAds).await;
    link(&app, integration, "1234567890", acme.id).await;
    let first = sync(&app, me, integration).await.unwrap();
    assert_eq!(first.created, 3 * 29, "{first:?}");
    let rerun = sync(&app, me, integration).await.unwrap();
    assert_eq!(rerun.created, 0, "{rerun:?}");
    assert_eq!(app.store.count_ad_days(me, "google_ads").await.unwrap(), 87);
    let searches = fakes
        .calls(Some(Provider::Google))
        .iter()
        .filter(|c| c.path.ends_with("googleAds:searchStream"))
        .count();
    assert_eq!(searches, 2);
    let p: audienceos_shared::integrations::AdPerformance = app.get_json("/api/v1/ad-performance").await;
    assert_eq!(p.by_platform.len(), 1);
    assert_eq!(p.by_platform[0].platform, IntegrationProvider::GoogleAds);
}

async fn resources_are_listed_live_with_links_and_linking_is_checked(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let acme = new_client(&app, json!({ "name": "Acme Dental" })).await;
    let (integration, _) = connect(&app, me, IntegrationProvider::Slack).await;
    link(&app, integration, "C0FAKE0001", acme.id).await;
    link(&app, integration, "CGONE", acme.id).await;
    let res = app.get(&format!("/api/v1/integrations/{integration}/resources")).await;
    assert_eq!(res.status(), 200);
    let list: Vec<ProviderResource> = res.json().await.unwrap();
    let acme_channel = list.iter().find(|r| r.external_id == "C0FAKE0001").unwrap();
    assert_eq!(acme_channel.name, "#acme-dental");
    assert_eq!(acme_channel.client_id, Some(acme.id));
    assert_eq!(acme_channel.client_name.as_deref(), Some("Acme Dental"));
    assert!(list
        .iter()
        .any(|r| r.external_id == "C0FAKE0002" && r.client_id.is_none()));
    assert!(!list.iter().any(|r| r.name == "#random"), "the bot is not in #random");
    assert!(list.iter().any(|r| r.external_id == "CGONE"), "stale links stay listed");

    // Unlink.
    let res = put_link(&app, integration, "CGONE", json!(null)).await;
    assert_eq!(res.status(), 200);
    let r: ProviderResource = res.json().await.unwrap();
    assert_eq!(r.client_id, None);

    // A client of another agency is refused.
    let other = app.new_browser();
    other.signup().await;
    let foreign = new_client(&other, json!({ "name": "Foreign" })).await;
    let res = put_link(&app, integration, "C0FAKE0002", json!(foreign.id)).await;
    assert_eq!(res.status(), 422);

    // The provider failing is a 502, not an empty list.
    fakes.inject(Fault {
        provider: Provider::Slack,
        path_prefix: Some("/api/conversations.list".into()),
        status: 500,
        count: 1,
        retry_after: None,
    });
    let res = app.get(&format!("/api/v1/integrations/{integration}/resources")).await;
    assert_eq!(res.status(), 502);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "upstream_failed");
}

async fn another_agencys_integration_is_404_for_resources_and_links(backend: Backend) {
    let (app, _fakes, me) = connected_app(backend).await;
    let acme = new_client(&app, json!({ "name": "Acme Dental" })).await;
    let (integration, _) = connect(&app, me, IntegrationProvider::MetaAds).await;
    let other = app.new_browser();
    other.signup().await;
    let theirs = new_client(&other, json!({ "name": "Theirs" })).await;
    let res = other
        .get(&format!("/api/v1/integrations/{integration}/resources"))
        .await;
    assert_eq!(res.status(), 404);
    let res = put_link(&other, integration, "act_1111111111", json!(theirs.id)).await;
    assert_eq!(res.status(), 404);
    let res = app.get(&format!("/api/v1/integrations/{integration}/resources")).await;
    assert_eq!(res.status(), 200);
    let list: Vec<ProviderResource> = res.json().await.unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let _ = acme;
}

/// A client's synced message moves its last activity forward (so the inactivity rule sees conversations),
/// and a message waiting for a reply for more than a day makes the client's health yellow with a reason.
async fn a_synced_message_is_activity_and_an_unanswered_one_counts_in_health(backend: Backend) {
    let (app, fakes, me) = connected_app(backend).await;
    let ivy = new_client(&app, json!({ "name": "Ivy Leaf", "contact_email": "ivy@ivyleaf.test" })).await;
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    set_time(
        &app,
        "update client set last_activity_at = $1 where id = $2",
        month_ago,
        ivy.id,
    )
    .await;
    let sent = chrono::Utc::now() - chrono::Duration::days(2);
    fakes.seed_gmail(SeedMessage {
        from: "Ivy Leaf <ivy@ivyleaf.test>".into(),
        subject: "Where is the report?".into(),
        body: "We have not heard back.".into(),
        date: Some(sent.timestamp()),
        ..SeedMessage::default()
    });
    connect(&app, me, IntegrationProvider::Gmail).await;

    let activity: chrono::DateTime<chrono::Utc> = audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_scalar(
        "select last_activity_at from client where id = $1"
    )
    .bind(ivy.id)
    .fetch_one(pool)
    .await
    .unwrap());
    assert!(
        (activity - sent).num_seconds().abs() <= 1,
        "last activity {activity} is the message's time {sent}"
    );

    app.store
        .refresh_health(me, Some(ivy.id), chrono::Utc::now())
        .await
        .unwrap();
    let client = get_client(&app, ivy.id).await;
    let reason = client
        .health_reasons
        .iter()
        .find(|r| r.code == "unanswered_messages")
        .unwrap_or_else(|| panic!("no unanswered reason in {:?}", client.health_reasons));
    assert_eq!(reason.message, "1 client message waiting for a reply");
    assert_eq!(client.health, audienceos_shared::clients::Health::Yellow);
}
