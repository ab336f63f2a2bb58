//! SEO enrichment against the DataForSEO fake: the summary and its storage on a client, retries on 429
//! and 5xx, giving up after three tries, the per-agency hourly limit, the not-configured answer, domain
//! validation, tenant isolation, the usage report, and the background enrichment when onboarding starts.

use std::time::Duration;

use audienceos_api::config::ProviderSettings;
use audienceos_api::seo::dataforseo::{Outcome, SeoError};
use audienceos_api::seo::{DataForSeo, RetryPolicy};
use audienceos_fakes::dataforseo::{Endpoint, SeoFake};
use audienceos_shared::clients::Client;
use audienceos_shared::onboarding::OnboardingStarted;
use audienceos_shared::seo::{ClientSeo, SeoSummary, SeoUsage};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    seo_enrich_returns_the_summary_and_stores_it_on_the_client,
    seo_retries_after_429_then_succeeds,
    seo_gives_up_after_three_tries_with_502_upstream_failed,
    seo_wrong_credentials_are_502_without_retrying,
    seo_the_11th_enrichment_in_an_hour_is_429_per_agency,
    seo_not_configured_is_503_provider_not_configured,
    seo_junk_domains_are_422_on_the_domain_field,
    seo_another_agencys_client_is_404,
    seo_usage_counts_calls_by_outcome_and_cost,
    seo_onboarding_start_with_a_website_enriches_the_client_in_the_background,
);

async fn seo_app(backend: Backend) -> (TestApp, SeoFake) {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let base = fake.base_url();
    let app = spawn_app_with(
        backend,
        &[
            ("AOS_SEO_CLIENT_ID", fake.login()),
            ("AOS_SEO_CLIENT_SECRET", fake.password()),
            ("AOS_SEO_API_BASE", base.as_str()),
        ],
    )
    .await;
    (app, fake)
}

async fn new_client(b: &Browser, name: &str) -> Client {
    crate::fixtures::new_client(b, json!({ "name": name })).await
}

/// [`seo_app`] signed up, with a client named Acme.
async fn acme_app(backend: Backend) -> (TestApp, SeoFake, Client) {
    let (app, fake) = seo_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme").await;
    (app, fake, client)
}

async fn enrich(b: &Browser, body: Value) -> reqwest::Response {
    b.post("/api/v1/seo/enrich", &body).await
}

async fn client_seo(b: &Browser, id: uuid::Uuid) -> ClientSeo {
    let res = b.get(&format!("/api/v1/clients/{id}/seo")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn usage(b: &Browser) -> SeoUsage {
    let res = b.get("/api/v1/seo/usage").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn outcomes(u: &SeoUsage) -> Vec<(String, i64)> {
    u.this_month
        .by_outcome
        .iter()
        .map(|o| (o.outcome.clone(), o.calls))
        .collect()
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(o, n)| (o.to_string(), *n)).collect()
}

async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    body
}

async fn seo_enrich_returns_the_summary_and_stores_it_on_the_client(backend: Backend) {
    let (app, fake, client) = acme_app(backend).await;
    assert_eq!(client_seo(&app, client.id).await.summary, None, "never enriched");

    let res = enrich(
        &app,
        json!({ "domain": "https://www.Acme.com/shop?x=1", "client_id": client.id }),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["ratelimit-limit"], "10");
    assert_eq!(res.headers()["ratelimit-remaining"], "9");
    let summary: SeoSummary = res.json().await.unwrap();
    assert_eq!(summary.domain, "acme.com");
    assert!(summary.organic_keywords > 0);
    assert!(summary.top_1_keywords <= summary.top_3_keywords && summary.top_3_keywords <= summary.top_10_keywords);
    assert_eq!(summary.competitors.len(), 5);
    assert!(
        summary.competitors.iter().all(|c| c.domain != "acme.com"),
        "the target is not its own competitor"
    );
    assert!(summary
        .competitors
        .windows(2)
        .all(|w| w[0].intersecting_keywords >= w[1].intersecting_keywords));
    assert!(summary.cost_usd > 0.0);
    assert!((chrono::Utc::now() - summary.fetched_at).num_seconds() < 60);
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 1);
    assert_eq!(fake.call_count(Endpoint::CompetitorsDomain), 1);
    assert!(fake.calls().iter().all(|c| c.target == "acme.com" && c.authorized));

    let stored = client_seo(&app, client.id).await;
    assert_eq!(stored.client_id, client.id);
    assert_eq!(stored.summary.as_ref(), Some(&summary), "stored with its fetch time");

    // Without a client the summary is only returned; the stored one stays.
    let res = enrich(&app, json!({ "domain": "other-shop.com" })).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<SeoSummary>().await.unwrap().domain, "other-shop.com");
    assert_eq!(client_seo(&app, client.id).await.summary, Some(summary));
}

async fn seo_retries_after_429_then_succeeds(backend: Backend) {
    let (app, fake, client) = acme_app(backend).await;
    // The first call of each endpoint is refused with Retry-After: 1; the second gets through.
    fake.rate_limit_next(2, 1);
    let res = enrich(&app, json!({ "domain": "acme.com", "client_id": client.id })).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 2);
    assert_eq!(fake.call_count(Endpoint::CompetitorsDomain), 2);
    let statuses: Vec<u16> = fake.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    assert!(client_seo(&app, client.id).await.summary.is_some());
    assert_eq!(outcomes(&usage(&app).await), pairs(&[("ok", 2), ("rate_limited", 2)]));
}

async fn seo_gives_up_after_three_tries_with_502_upstream_failed(backend: Backend) {
    let (app, fake, client) = acme_app(backend).await;
    fake.fail_next(100, 503);
    let res = enrich(&app, json!({ "domain": "acme.com", "client_id": client.id })).await;
    let body = problem(res, 502, "upstream_failed").await;
    assert!(
        !body["detail"].as_str().unwrap().contains("DataForSEO"),
        "no provider internals leak: {body}"
    );
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 3);
    assert_eq!(fake.call_count(Endpoint::CompetitorsDomain), 3);
    assert_eq!(client_seo(&app, client.id).await.summary, None, "nothing stored");
    let u = usage(&app).await;
    assert_eq!(outcomes(&u), pairs(&[("server_error", 6)]));
    assert_eq!(u.this_month.cost_usd, 0.0);
}

async fn seo_wrong_credentials_are_502_without_retrying(backend: Backend) {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let base = fake.base_url();
    let app = spawn_app_with(
        backend,
        &[
            ("AOS_SEO_CLIENT_ID", fake.login()),
            ("AOS_SEO_CLIENT_SECRET", "not-the-password"),
            ("AOS_SEO_API_BASE", base.as_str()),
        ],
    )
    .await;
    app.signup().await;
    problem(
        enrich(&app, json!({ "domain": "acme.com" })).await,
        502,
        "upstream_failed",
    )
    .await;
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 1, "a 401 is not retried");
    assert_eq!(fake.call_count(Endpoint::CompetitorsDomain), 1);
    assert_eq!(outcomes(&usage(&app).await), pairs(&[("rejected", 2)]));
}

async fn seo_the_11th_enrichment_in_an_hour_is_429_per_agency(backend: Backend) {
    let (app, fake) = seo_app(backend).await;
    let (_, me) = app.signup().await;
    // Another user of the same agency shares its quota: the provider bills the agency.
    let (colleague, _) = app
        .add_user(me.agency.id, audienceos_shared::permissions::SystemRole::Admin)
        .await;
    for i in 0..10 {
        let b = if i % 2 == 0 { &app.browser } else { &colleague };
        let res = enrich(b, json!({ "domain": format!("shop{i}.com") })).await;
        assert_eq!(res.status(), 200, "call {}", i + 1);
    }
    let res = enrich(&colleague, json!({ "domain": "shop10.com" })).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    problem(res, 429, "rate_limited").await;
    assert_eq!(
        fake.call_count(Endpoint::DomainRankOverview),
        10,
        "the refused call never reached the provider"
    );

    let other = app.new_browser();
    other.signup().await;
    assert_eq!(
        enrich(&other, json!({ "domain": "acme.com" })).await.status(),
        200,
        "agencies are independent"
    );
}

async fn seo_not_configured_is_503_provider_not_configured(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme").await;
    let body = problem(
        enrich(&app, json!({ "domain": "acme.com", "client_id": client.id })).await,
        503,
        "provider_not_configured",
    )
    .await;
    assert_eq!(body["status"], 503);
    assert_eq!(client_seo(&app, client.id).await.summary, None);
    let u = usage(&app).await;
    assert!(!u.configured);
    assert_eq!(u.this_month.calls, 0);
}

async fn seo_junk_domains_are_422_on_the_domain_field(backend: Backend) {
    let (app, fake) = seo_app(backend).await;
    app.signup().await;
    for junk in [
        "",
        "   ",
        "localhost",
        "not a domain",
        "http://",
        "127.0.0.1",
        "acme..com",
    ] {
        let body = problem(enrich(&app, json!({ "domain": junk })).await, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "domain", "{junk:?}: {body}");
    }
    let body = problem(
        app.post("/api/v1/seo/enrich", &json!({ "client_id": null })).await,
        400,
        "invalid_body",
    )
    .await;
    assert_eq!(body["status"], 400);
    assert!(fake.calls().is_empty());
}

async fn seo_another_agencys_client_is_404(backend: Backend) {
    let (app, fake) = seo_app(backend).await;
    app.signup().await;
    let theirs = new_client(&app, "Theirs").await;
    let intruder = app.new_browser();
    intruder.signup().await;
    problem(
        enrich(&intruder, json!({ "domain": "acme.com", "client_id": theirs.id })).await,
        404,
        "not_found",
    )
    .await;
    problem(
        intruder.get(&format!("/api/v1/clients/{}/seo", theirs.id)).await,
        404,
        "not_found",
    )
    .await;
    assert!(fake.calls().is_empty(), "checked before calling the provider");
    assert_eq!(usage(&intruder).await.this_month.calls, 0);
}

async fn seo_usage_counts_calls_by_outcome_and_cost(backend: Backend) {
    let (app, fake) = seo_app(backend).await;
    app.signup().await;
    let first: SeoSummary = enrich(&app, json!({ "domain": "acme.com" }))
        .await
        .json()
        .await
        .unwrap();
    fake.fail_next(1, 500);
    let second: SeoSummary = enrich(&app, json!({ "domain": "acme.org" }))
        .await
        .json()
        .await
        .unwrap();
    let u = usage(&app).await;
    assert!(u.configured);
    assert_eq!(u.this_month.calls, 5);
    assert_eq!(outcomes(&u), pairs(&[("ok", 4), ("server_error", 1)]));
    assert!(
        (u.this_month.cost_usd - (first.cost_usd + second.cost_usd)).abs() < 1e-6,
        "{u:?}"
    );
    assert_eq!(u.last_30_days.calls, 5);
    assert_eq!(u.last_30_days.cost_usd, u.this_month.cost_usd);

    // Another agency's report is its own.
    let other = app.new_browser();
    other.signup().await;
    assert_eq!(usage(&other).await.this_month.calls, 0);
}

async fn seo_onboarding_start_with_a_website_enriches_the_client_in_the_background(backend: Backend) {
    let (app, fake) = seo_app(backend).await;
    app.signup().await;
    let res = app
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client": { "name": "Acme Outdoor", "contact_email": "acme@example.test",
                "website": "https://www.acme-outdoor.com/" } }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let started: OnboardingStarted = res.json().await.unwrap();
    let client_id = started.instance.client.id;
    let mut stored = None;
    for _ in 0..200 {
        stored = client_seo(&app, client_id).await.summary;
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = stored.expect("the seo_enrich job stored a summary");
    assert_eq!(stored.domain, "acme-outdoor.com");
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 1);

    // A client without a website is not enriched, and the background call did not use the hourly quota.
    let res = app
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client": { "name": "No Site", "contact_email": "nosite@example.test" } }),
        )
        .await;
    assert_eq!(res.status(), 201);
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 1);
    let res = enrich(&app, json!({ "domain": "acme.com" })).await;
    assert_eq!(res.headers()["ratelimit-remaining"], "9");
}

fn provider(fake: &SeoFake, password: &str) -> ProviderSettings {
    ProviderSettings {
        name: "seo",
        client_id: Some(fake.login().to_string()),
        client_secret: Some(password.to_string().into()),
        api_base: url::Url::parse(&fake.base_url()).unwrap(),
        overridden: true,
        demo: false,
    }
}

fn quick(timeout_ms: u64) -> RetryPolicy {
    RetryPolicy {
        timeout: Duration::from_millis(timeout_ms),
        tries: 3,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_millis(50),
    }
}

#[tokio::test]
async fn seo_client_retries_slow_answers_as_timeouts_and_gives_up() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    fake.set_delay(Duration::from_millis(400));
    let client = DataForSeo::from_settings(reqwest::Client::new(), &provider(&fake, fake.password()))
        .unwrap()
        .with_policy(quick(100));
    let e = client.enrich("acme.com").await;
    assert!(
        matches!(e.result, Err(SeoError::GaveUp { tries: 3, .. })),
        "{:?}",
        e.result
    );
    assert_eq!(e.attempts.len(), 6);
    assert!(e.attempts.iter().all(|a| a.outcome == Outcome::Timeout));

    fake.set_delay(Duration::ZERO);
    let e = client.enrich("acme.com").await;
    assert!(e.result.is_ok(), "{:?}", e.result);
}

#[tokio::test]
async fn seo_client_caps_retry_after_and_recovers_from_a_500() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    // Retry-After: 3600 would stall for an hour; the policy cuts it to 50 ms.
    fake.rate_limit_next(1, 3600);
    fake.fail_next(1, 500);
    let client = DataForSeo::from_settings(reqwest::Client::new(), &provider(&fake, fake.password()))
        .unwrap()
        .with_policy(quick(2_000));
    let started = std::time::Instant::now();
    let e = client.enrich("acme.com").await;
    assert!(e.result.is_ok(), "{:?}", e.result);
    assert!(started.elapsed() < Duration::from_secs(2));
    let mut seen: Vec<&str> = e.attempts.iter().map(|a| a.outcome.as_str()).collect();
    seen.sort();
    assert_eq!(seen, ["ok", "ok", "rate_limited", "server_error"]);
    let paid: f64 = e.attempts.iter().map(|a| a.cost_usd).sum();
    assert!((paid - e.result.unwrap().cost_usd).abs() < 1e-9);
}

#[test]
fn seo_client_needs_both_login_and_password() {
    let fake_base = url::Url::parse("http://127.0.0.1:9/dataforseo").unwrap();
    let settings = ProviderSettings {
        name: "seo",
        client_id: Some("login".into()),
        client_secret: None,
        api_base: fake_base,
        overridden: true,
        demo: false,
    };
    assert!(DataForSeo::from_settings(reqwest::Client::new(), &settings).is_none());
}
