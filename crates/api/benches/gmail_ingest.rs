//! Gmail ingest throughput: how fast a first Gmail sync brings a large mailbox in, next to how fast the
//! Gmail fake itself can serve the same calls, so the sync's own cost (matching, upserts, transactions)
//! is visible apart from the HTTP round trips.
//!
//! Seeds `AOS_BENCH_MESSAGES` (default 10,000) messages into the Gmail fake, then measures:
//! 1. the fake alone: list every message (100 per page) and get each one (`format=full`) with a plain
//!    reqwest loop at the sync's concurrency;
//! 2. the full sync (list, fetch, match, upsert, cursor) into a fresh SQLite database, and into Postgres
//!    when `AOS_TEST_POSTGRES_URL` is set.
//!
//! Prints messages per second for each. Run with `cargo bench -p audienceos-api --bench gmail_ingest`
//! (benches are not part of `scripts/test`).

// Tests and benches compare against the system clock directly.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Instant;

use audienceos_api::config::Settings;
use audienceos_api::integrations::gmail::{self, CONCURRENCY};
use audienceos_api::integrations::sync::SyncCtx;
use audienceos_api::startup::Application;
use audienceos_api::store::Store;
use audienceos_fakes::google::SeedMessage;
use audienceos_fakes::{Provider, ProviderFakes};
use futures_util::StreamExt as _;
use serde_json::{json, Value};

const CLIENT_DOMAINS: usize = 50;

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("AOS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let fakes = ProviderFakes::builder().start("127.0.0.1:0").expect("start the fakes");
    let now = chrono::Utc::now().timestamp();
    for i in 0..n {
        fakes.seed_gmail(SeedMessage {
            from: format!("Person {i} <person{i}@client{}.test>", i % CLIENT_DOMAINS),
            subject: format!("Message {i}"),
            body: format!("Body of message {i}. {}", "Lorem ipsum dolor sit amet. ".repeat(8)),
            date: Some(now - (i as i64) * 60),
            ..SeedMessage::default()
        });
    }
    println!("gmail_ingest: {n} messages seeded (plus the fake's 4)");

    let token = fake_token(&fakes).await;
    let fake_rate = fake_serving_rate(&fakes, &token).await;
    println!("gmail_ingest: fake alone (list + get, concurrency {CONCURRENCY}): {fake_rate:.0} messages/s");

    let sqlite_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bench.db", sqlite_dir.path().display());
    let rate = sync_rate(&fakes, &url, sqlite_dir.path()).await;
    println!("gmail_ingest: full sync into SQLite: {rate:.0} messages/s");

    if let Some(pg) = std::env::var("AOS_TEST_POSTGRES_URL").ok().filter(|v| !v.is_empty()) {
        let db = format!("aos_bench_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&pg).await.expect("connect to Postgres");
        sqlx::query(&format!("create database {db}"))
            .execute(&admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&pg).unwrap();
        url.set_path(&db);
        let dir = tempfile::tempdir().unwrap();
        let rate = sync_rate(&fakes, url.as_str(), dir.path()).await;
        println!("gmail_ingest: full sync into Postgres: {rate:.0} messages/s");
        sqlx::query(&format!("drop database {db} with (force)"))
            .execute(&admin)
            .await
            .ok();
    }
}

/// An access token of the fake's default mailbox, through its consent page and token endpoint.
async fn fake_token(fakes: &ProviderFakes) -> String {
    let base = fakes.api_base(Provider::Google);
    let (id, secret) = fakes.client(Provider::Google);
    let redirect = "http://bench.test/callback";
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = [
        ("client_id", id.as_str()),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", "https://www.googleapis.com/auth/gmail.readonly"),
        ("state", "bench"),
        ("access_type", "offline"),
        ("decision", "allow"),
    ];
    let res = http
        .post(format!("{base}/o/oauth2/v2/auth"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let body: Value = json(http.post(format!("{base}/token")).form(&[
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ]))
    .await;
    body["access_token"].as_str().expect("an access token").to_owned()
}

/// Send a request that must succeed; its JSON body.
async fn json(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

/// List and get every message with plain reqwest at the sync's concurrency; messages per second.
async fn fake_serving_rate(fakes: &ProviderFakes, token: &str) -> f64 {
    let api = format!("{}/gmail/v1/users/me", fakes.api_base(Provider::Google));
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut ids = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let mut q = vec![("maxResults", "100".to_owned()), ("q", gmail::WINDOW_QUERY.to_owned())];
        if let Some(p) = &page {
            q.push(("pageToken", p.clone()));
        }
        let body: Value = json(http.get(format!("{api}/messages")).bearer_auth(token).query(&q)).await;
        ids.extend(
            body["messages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["id"].as_str().map(str::to_owned)),
        );
        match body["nextPageToken"].as_str() {
            Some(t) => page = Some(t.to_owned()),
            None => break,
        }
    }
    let total = ids.len();
    let fetched = futures_util::stream::iter(ids)
        .map(|id| {
            let req = http
                .get(format!("{api}/messages/{id}"))
                .bearer_auth(token)
                .query(&[("format", "full")]);
            async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
        })
        .buffer_unordered(CONCURRENCY)
        .count()
        .await;
    assert_eq!(fetched, total);
    total as f64 / started.elapsed().as_secs_f64()
}

/// Spawn the app on `db_url`, connect Gmail through the fake consent page, add the clients the messages
/// match, and time one full first sync (list, fetch, match, insert); messages per second.
async fn sync_rate(fakes: &ProviderFakes, db_url: &str, data_dir: &std::path::Path) -> f64 {
    let mut vars: HashMap<String, String> = [
        ("AOS_DATA_DIR", data_dir.to_str().unwrap()),
        ("AOS_DATABASE_URL", db_url),
        ("AOS_BIND", "127.0.0.1:0"),
        ("AOS_PUBLIC_URL", "http://app.test"),
        ("AOS_LOG", "warn"),
        ("AOS_INTEGRATION_SYNC_INTERVAL_SECS", "0"),
        ("AOS_ALERT_RULES_INTERVAL_SECS", "0"),
        ("AOS_RATE_LIMIT_AUTH_IP", "1000/minute"),
        ("AOS_RATE_LIMIT_AUTH_ACCOUNT", "1000/minute"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let (id, secret) = fakes.client(Provider::Google);
    vars.insert("AOS_GOOGLE_CLIENT_ID".into(), id);
    vars.insert("AOS_GOOGLE_CLIENT_SECRET".into(), secret);
    vars.insert("AOS_GOOGLE_API_BASE".into(), fakes.api_base(Provider::Google));
    let settings = Settings::from_vars(&vars).expect("bench settings are valid");
    let store = Store::for_settings(&settings).await.expect("connect");
    store.migrate().await.expect("migrate");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_store(settings, store.clone(), listener).expect("build the app");
    let addr = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());

    let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let me: Value = json(browser.post(format!("{addr}/api/v1/auth/signup")).json(&json!({
        "agency_name": "Bench Agency", "first_name": "Bench", "last_name": "Mark",
        "email": format!("bench+{}@example.test", &tag[..12]), "password": format!("pw-{tag}"),
    })))
    .await;
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let agency: uuid::Uuid = me["agency"]["id"].as_str().unwrap().parse().unwrap();
    let connect: Value = json(
        browser
            .post(format!("{addr}/api/v1/integrations/connect"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({ "provider": "gmail" })),
    )
    .await;
    let authorize = url::Url::parse(connect["authorize_url"].as_str().expect("an authorize url")).unwrap();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("decision".into(), "allow".into()));
    let mut action = authorize.clone();
    action.set_query(None);
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = plain.post(action.as_str()).form(&form).send().await.unwrap();
    let back = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let integration: Value = json(
        browser
            .get(format!("{addr}{}?{}", back.path(), back.query().unwrap_or_default()))
            .header("accept", "application/json"),
    )
    .await;
    let integration_id: uuid::Uuid = integration["id"].as_str().expect("an integration id").parse().unwrap();

    // Connecting queues a first sync; let it finish (with no clients yet it stores nothing), then add the
    // clients and time a first sync from scratch.
    for _ in 0..1200 {
        let row = store.get_integration(agency, integration_id).await.unwrap();
        if row.last_sync_outcome.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for k in 0..CLIENT_DOMAINS {
        let res = browser
            .post(format!("{addr}/api/v1/clients"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({ "name": format!("Client {k}"), "website": format!("https://client{k}.test") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    store
        .set_integration_cursor(agency, integration_id, &json!({}))
        .await
        .unwrap();
    let row = store.get_integration(agency, integration_id).await.unwrap();
    let ctx = SyncCtx {
        state: state.get_ref(),
        integration: &row,
        now: chrono::Utc::now(),
    };
    let started = Instant::now();
    let stats = gmail::sync(&ctx).await.expect("the sync succeeds");
    let secs = started.elapsed().as_secs_f64();
    assert!(stats.created > 0, "{stats:?}");
    println!(
        "gmail_ingest:   {} fetched, {} created, {} updated, {} skipped in {secs:.2}s",
        stats.fetched, stats.created, stats.updated, stats.skipped
    );
    stats.fetched as f64 / secs
}
