//! Fault injection and inspection shared by every provider, through the library and `/_fake/`.

use std::time::{Duration, Instant};

use audienceos_fakes::{Fault, Provider};
use serde_json::{json, Value};

use crate::helpers::{client, get_json, start};
use crate::{google, slack};

async fn control(base: &str, path: &str, body: Value) {
    let res = client()
        .post(format!("{base}/_fake/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
}

#[tokio::test]
async fn a_429_carries_retry_after_in_the_provider_shape_then_calls_succeed() {
    let fakes = start();
    let (access, _) = google::connect(&fakes).await;
    fakes.inject(Fault {
        provider: Provider::Google,
        path_prefix: Some("/gmail/".into()),
        status: 429,
        count: 1,
        retry_after: Some(7),
    });
    let res = google::gmail(&fakes, &access, "/profile").await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "7");
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["status"],
        "RESOURCE_EXHAUSTED"
    );
    assert_eq!(google::gmail(&fakes, &access, "/profile").await.status(), 200);

    let calls = get_json(&format!("{}/_fake/calls?provider=google", fakes.base_url())).await;
    assert_eq!(
        calls["counts"]["GET /google/gmail/v1/users/{user}/profile"], 2,
        "{calls}"
    );
    assert_eq!(calls["calls"][3]["status"], 429);
}

#[tokio::test]
async fn faults_over_http_answer_500_and_slack_429_with_retry_after() {
    let fakes = start();
    let token = slack::connect(&fakes).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = fakes.base_url();
    control(
        &base,
        "faults",
        json!({ "provider": "slack", "status": 500, "count": 1 }),
    )
    .await;
    control(
        &base,
        "faults",
        json!({ "provider": "slack", "path_prefix": "/api/auth.", "status": 429, "count": 1, "retry_after": 30 }),
    )
    .await;
    let url = format!("{}/auth.test", fakes.api_base(Provider::Slack));
    let first = client().post(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(first.status(), 500);
    let second = client().post(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "30");
    assert_eq!(
        second.json::<Value>().await.unwrap(),
        json!({ "ok": false, "error": "ratelimited" })
    );
    assert_eq!(
        client().post(&url).bearer_auth(&token).send().await.unwrap().status(),
        200
    );
    assert_eq!(fakes.call_count(Provider::Slack, "/slack/api/auth.test"), 3);
}

#[tokio::test]
async fn expired_tokens_get_401_until_refreshed_and_revoked_consent_fails_the_refresh() {
    let fakes = start();
    let (access, refresh) = google::connect(&fakes).await;
    let base = fakes.base_url();
    control(&base, "expire-tokens", json!({ "provider": "google" })).await;
    let res = google::gmail(&fakes, &access, "/profile").await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["status"], "UNAUTHENTICATED");

    let form = crate::helpers::refresh_form(&fakes, Provider::Google, &refresh);
    let fresh: Value = google::token(&fakes, &form).await.json().await.unwrap();
    let renewed = fresh["access_token"].as_str().unwrap();
    assert_eq!(google::gmail(&fakes, renewed, "/profile").await.status(), 200);

    control(&base, "revoke-consent", json!({ "provider": "google" })).await;
    let res = google::token(&fakes, &form).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    assert_eq!(google::gmail(&fakes, renewed, "/profile").await.status(), 401);
}

#[tokio::test]
async fn delay_slows_one_provider_and_reset_restores_the_seed() {
    let fakes = start();
    let base = fakes.base_url();
    control(&base, "delay", json!({ "provider": "meta", "ms": 300 })).await;
    let started = Instant::now();
    let res = client()
        .get(format!("{}/v18.0/me", fakes.api_base(Provider::Meta)))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(res.status(), 400);

    control(&base, "reset", json!({})).await;
    assert!(fakes.calls(None).is_empty());
    client()
        .get(format!("{}/v18.0/me", fakes.api_base(Provider::Meta)))
        .send()
        .await
        .unwrap();
    assert_eq!(fakes.calls(Some(Provider::Meta)).len(), 1);
}

#[tokio::test]
async fn dataforseo_is_served_on_the_same_port() {
    let fakes = start();
    let res = client()
        .post(format!(
            "{}/v3/dataforseo_labs/google/domain_rank_overview/live",
            fakes.dataforseo_base()
        ))
        .basic_auth("seo-login@example.test", Some("seo-password"))
        .json(&json!([{ "target": "acme.com" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status_code"], 20000);
}

#[tokio::test]
async fn one_token_can_be_expired_and_new_tokens_get_the_lifetime_set_over_http() {
    let fakes = start();
    let (first, _) = google::connect(&fakes).await;
    let (second, _) = google::connect(&fakes).await;
    let base = fakes.base_url();
    control(&base, "expire-tokens", json!({ "provider": "google", "token": first })).await;
    assert_eq!(google::gmail(&fakes, &first, "/profile").await.status(), 401);
    assert_eq!(google::gmail(&fakes, &second, "/profile").await.status(), 200);

    control(&base, "token-lifetime", json!({ "provider": "google", "secs": 60 })).await;
    let back = crate::helpers::consent(&fakes, Provider::Google, "/google/o/oauth2/v2/auth", "email", "allow").await;
    let form = crate::helpers::code_form(&fakes, Provider::Google, &back["code"]);
    let body: Value = google::token(&fakes, &form).await.json().await.unwrap();
    assert_eq!(body["expires_in"], 60);
}
