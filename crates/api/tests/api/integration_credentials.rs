//! An agency's own OAuth app for a provider the server has none for: the Owner sets it (validated, the
//! secret sealed and never returned), the agency connects through the real OAuth flow with it and syncs
//! (token refresh included), another agency cannot use it, it cannot be removed or replaced while a
//! connection made with it is live, and the server's own app always wins.

use std::time::Duration;

use audienceos_api::integrations::crypto::{TokenContext, TokenField, TokenKeyring};
use audienceos_api::integrations::sync::SyncCtx;
use audienceos_api::integrations::{resources, rotate_token_key};
use audienceos_fakes::{Provider, ProviderFakes};
use audienceos_shared::permissions::SystemRole;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::set_time;
use crate::helpers::{spawn_app_with, Backend, Browser, TestApp, FAKE_DEVELOPER_TOKEN};
use crate::on_both;

on_both!(
    an_agency_connects_and_syncs_through_its_own_app_and_no_other_agency_can,
    only_the_owner_sets_or_removes_an_app_and_the_values_are_checked,
);

const CLIENT_ID: &str = "agency-app-1234.apps.googleusercontent.com";

/// The app on fresh fakes where the server has an OAuth app for Slack and Meta but none for Google (its
/// API base points at the fakes, which accept only the agency's app); returns the Google app's secret.
async fn spawn_without_server_google(backend: Backend) -> (TestApp, ProviderFakes, String) {
    let secret = format!("GOCSPX-{}", Uuid::new_v4().simple());
    let fakes = ProviderFakes::builder()
        .developer_token(FAKE_DEVELOPER_TOKEN)
        .client(Provider::Google, CLIENT_ID, secret.clone())
        .start("127.0.0.1:0")
        .expect("start the provider fakes");
    let mut vars: Vec<(String, String)> = vec![("AOS_GOOGLE_API_BASE".into(), fakes.api_base(Provider::Google))];
    for (name, p) in [("SLACK", Provider::Slack), ("META", Provider::Meta)] {
        let (id, s) = fakes.client(p);
        vars.push((format!("AOS_{name}_CLIENT_ID"), id));
        vars.push((format!("AOS_{name}_CLIENT_SECRET"), s));
        vars.push((format!("AOS_{name}_API_BASE"), fakes.api_base(p)));
    }
    vars.push(("AOS_GOOGLE_ADS_DEVELOPER_TOKEN".into(), FAKE_DEVELOPER_TOKEN.into()));
    let all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (spawn_app_with(backend, &all).await, fakes, secret)
}

async fn list(b: &Browser) -> Vec<Value> {
    let res = b.get("/api/v1/integrations").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn entry<'a>(list: &'a [Value], provider: &str) -> &'a Value {
    list.iter().find(|i| i["provider"] == provider).unwrap()
}

#[derive(Debug, sqlx::FromRow)]
struct RawCredential {
    id: Uuid,
    client_id: String,
    client_secret_enc: String,
}

async fn raw_credential(app: &TestApp, agency: Uuid) -> Option<RawCredential> {
    audienceos_api::on_db!(&app.store.db, |pool| {
        sqlx::query_as::<_, RawCredential>(
        "select id, client_id, client_secret_enc from integration_credential where agency_id = $1 and provider = 'google'"
    )
    .bind(agency)
    .fetch_optional(pool)
    .await
    .unwrap()
    })
}

/// Set the agency's own OAuth app for `provider`.
async fn put_app(b: &Browser, provider: &str, client_id: Value, client_secret: Value) -> reqwest::Response {
    let body = json!({ "client_id": client_id, "client_secret": client_secret });
    b.put(&format!("/api/v1/integrations/credentials/{provider}"), &body)
        .await
}

async fn problem_code(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    body
}

async fn an_agency_connects_and_syncs_through_its_own_app_and_no_other_agency_can(backend: Backend) {
    let (app, fakes, secret) = spawn_without_server_google(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;

    // Before: Gmail and Google Ads have no OAuth app; Slack has the server's.
    let before = list(&app).await;
    for p in ["gmail", "google_ads"] {
        let i = entry(&before, p);
        assert_eq!(i["configured"], false, "{i}");
        assert_eq!(i["oauth_app"]["source"], "none");
        assert_eq!(i["oauth_app"]["provider"], "google");
        assert_eq!(i["oauth_app"]["redirect_uri"], "http://app.test/api/v1/oauth/callback");
    }
    assert_eq!(entry(&before, "slack")["oauth_app"]["source"], "server");
    assert_eq!(entry(&before, "slack")["oauth_app"]["client_id"], Value::Null);
    let res = app
        .post("/api/v1/integrations/connect", &json!({ "provider": "gmail" }))
        .await;
    assert_eq!(problem_code(res, 503).await["code"], "provider_not_configured");

    // The Owner pastes the app's id and secret (with the spaces a paste brings).
    let res = app
        .put(
            "/api/v1/integrations/credentials/google",
            &json!({ "client_id": format!("  {CLIENT_ID}\n"), "client_secret": format!("{secret} ") }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains(&secret), "the secret is never returned");
    let set: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(set["source"], "agency");
    assert_eq!(set["client_id"], CLIENT_ID);
    assert_eq!(set["set_by_name"], "Grace Hopper");
    let text = app.get("/api/v1/integrations").await.text().await.unwrap();
    assert!(!text.contains(&secret));
    let after: Vec<Value> = serde_json::from_str(&text).unwrap();
    for p in ["gmail", "google_ads"] {
        let i = entry(&after, p);
        assert_eq!(i["configured"], true);
        assert_eq!(i["oauth_app"]["source"], "agency");
        assert_eq!(i["oauth_app"]["client_id"], CLIENT_ID);
    }

    // Stored sealed, bound to its agency, its row and its field.
    let raw = raw_credential(&app, agency).await.expect("stored");
    assert_eq!(raw.client_id, CLIENT_ID);
    assert!(raw.client_secret_enc.starts_with("v1:k1:"), "{}", raw.client_secret_enc);
    assert!(!raw.client_secret_enc.contains(&secret));
    let keys = &app.state.vault.keys;
    let ctx = |agency_id, integration_id, field| TokenContext {
        agency_id,
        integration_id,
        field,
    };
    let opened = keys
        .decrypt(
            &raw.client_secret_enc,
            &ctx(agency, raw.id, TokenField::OAuthClientSecret),
        )
        .unwrap();
    assert_eq!(opened.expose(), secret);
    for wrong in [
        ctx(Uuid::now_v7(), raw.id, TokenField::OAuthClientSecret),
        ctx(agency, Uuid::now_v7(), TokenField::OAuthClientSecret),
        ctx(agency, raw.id, TokenField::Access),
    ] {
        assert!(keys.decrypt(&raw.client_secret_enc, &wrong).is_err());
    }

    // The real OAuth flow with the agency's app, and the first sync it queues.
    let connected = app.connect("gmail").await;
    assert_eq!(connected["status"], "connected", "{connected}");
    assert_eq!(connected["oauth_app"]["source"], "agency");
    let id: Uuid = connected["id"].as_str().unwrap().parse().unwrap();
    let mut first = None;
    for _ in 0..300 {
        let row = app.store.get_integration(agency, id).await.unwrap();
        if row.last_sync_outcome.is_some() {
            first = Some(row);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = first.expect("the first sync finished");
    assert_eq!(first.last_sync_outcome.as_deref(), Some("ok"), "{:?}", first.last_error);

    // A background sync after the provider expired the token: refreshed with the agency's app.
    fakes.expire_tokens(Provider::Google);
    let sql = "update integration set token_expires_at = $1 where id = $2";
    set_time(&app, sql, chrono::Utc::now() - chrono::Duration::minutes(1), id).await;
    let row = app.store.get_integration(agency, id).await.unwrap();
    let synced = resources::sync(&SyncCtx {
        state: app.state.get_ref(),
        integration: &row,
        now: chrono::Utc::now(),
    })
    .await;
    assert!(synced.is_ok(), "{synced:?}");
    assert_eq!(
        fakes.refresh_calls(Provider::Google),
        1,
        "refreshed with the agency's app"
    );
    let res = app.post(&format!("/api/v1/integrations/{id}/test"), &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["ok"], true);

    // Another agency sees no app and cannot connect: the first agency's app is its own.
    let other = app.new_browser();
    other.signup().await;
    let theirs = list(&other).await;
    assert_eq!(entry(&theirs, "gmail")["oauth_app"]["source"], "none");
    assert_eq!(entry(&theirs, "gmail")["configured"], false);
    assert!(!serde_json::to_string(&theirs).unwrap().contains(CLIENT_ID));
    let res = other
        .post("/api/v1/integrations/connect", &json!({ "provider": "google_ads" }))
        .await;
    assert_eq!(problem_code(res, 503).await["code"], "provider_not_configured");
    let res = other.delete("/api/v1/integrations/credentials/google").await;
    assert_eq!(res.status(), 404, "another agency's app is not there to remove");

    // While Gmail is connected through it, the app can be neither removed nor swapped for another client
    // id; a rotated secret for the same client id is taken.
    let res = app.delete("/api/v1/integrations/credentials/google").await;
    let body = problem_code(res, 409).await;
    assert_eq!(body["code"], "oauth_app_in_use");
    assert!(body["detail"].as_str().unwrap().contains("Gmail"), "{body}");
    let res = put_app(
        &app,
        "google",
        json!("another.apps.googleusercontent.com"),
        json!("x-1"),
    )
    .await;
    assert_eq!(problem_code(res, 409).await["code"], "oauth_app_in_use");
    let res = put_app(&app, "google", json!(CLIENT_ID), json!(secret)).await;
    assert_eq!(res.status(), 200);
    let resealed = raw_credential(&app, agency).await.unwrap();
    assert_ne!(resealed.id, raw.id, "a new secret is sealed under a new row id");
    assert_ne!(resealed.client_secret_enc, raw.client_secret_enc);

    // The server's app is the server's: an agency's own is refused for Slack.
    let res = put_app(&app, "slack", json!("1.2"), json!("s")).await;
    assert_eq!(problem_code(res, 409).await["code"], "oauth_app_server_managed");

    // Disconnect first, then the app goes; the integrations have no app again.
    assert_eq!(app.delete(&format!("/api/v1/integrations/{id}")).await.status(), 204);
    assert_eq!(
        app.delete("/api/v1/integrations/credentials/google").await.status(),
        204
    );
    assert!(raw_credential(&app, agency).await.is_none());
    assert_eq!(entry(&list(&app).await, "gmail")["oauth_app"]["source"], "none");
    assert_eq!(
        app.delete("/api/v1/integrations/credentials/google").await.status(),
        404
    );

    // The audit log names what was done, never the secret.
    let audit = app.get("/api/v1/audit-log?limit=200").await.text().await.unwrap();
    assert!(audit.contains("integration.oauth_app_set") && audit.contains("integration.oauth_app_removed"));
    assert!(!audit.contains(&secret));
    assert!(
        !crate::helpers::captured_logs().contains(&secret),
        "the secret leaked into the logs"
    );
}

async fn only_the_owner_sets_or_removes_an_app_and_the_values_are_checked(backend: Backend) {
    let (app, _fakes, secret) = spawn_without_server_google(backend).await;
    let (_, me) = app.signup().await;
    let body = json!({ "client_id": CLIENT_ID, "client_secret": secret });
    for role in [SystemRole::Admin, SystemRole::Manager, SystemRole::Member] {
        let (b, _) = app.add_user(me.agency.id, role).await;
        let res = b.put("/api/v1/integrations/credentials/google", &body).await;
        assert_eq!(problem_code(res, 403).await["code"], "forbidden", "{role:?}");
        let res = b.delete("/api/v1/integrations/credentials/google").await;
        assert_eq!(res.status(), 403, "{role:?}");
    }
    assert!(raw_credential(&app, me.agency.id).await.is_none());

    let put = |body: Value| {
        let app = &app;
        async move { app.put("/api/v1/integrations/credentials/google", &body).await }
    };
    let field_codes = |body: Value| -> Vec<(String, String)> {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let res = put(json!({ "client_id": " \n", "client_secret": "" })).await;
    let problem = problem_code(res, 422).await;
    assert_eq!(problem["code"], "validation_failed");
    let mut codes = field_codes(problem);
    codes.sort();
    assert_eq!(
        codes,
        [
            ("client_id".into(), "length".into()),
            ("client_secret".into(), "length".into())
        ]
    );
    let res = put(json!({ "client_id": "two words", "client_secret": secret })).await;
    assert_eq!(
        field_codes(problem_code(res, 422).await),
        [("client_id".into(), "spaces".into())]
    );
    let res = put(json!({ "client_id": CLIENT_ID, "client_secret": "x".repeat(513) })).await;
    assert_eq!(
        field_codes(problem_code(res, 422).await),
        [("client_secret".into(), "length".into())]
    );
    let res = put(json!({ "client_id": CLIENT_ID })).await;
    assert!(res.status().is_client_error());
    let res = app.put("/api/v1/integrations/credentials/github", &body).await;
    assert_eq!(res.status(), 404);
    assert!(raw_credential(&app, me.agency.id).await.is_none(), "nothing was stored");

    // The Owner may; removing an app the agency does not have is 404.
    assert_eq!(put(body.clone()).await.status(), 200);

    // `rotate-token-key` re-seals the secret under the new key, bound as before.
    let k1 = app.state.settings.secrets.token_encryption_key.expose().to_vec();
    let ring = TokenKeyring::new(("k2", &[9u8; 32]), &[("k1", &k1)]).unwrap();
    let report = rotate_token_key(&app.store, &ring, chrono::Utc::now()).await.unwrap();
    assert_eq!((report.oauth_apps.examined, report.oauth_apps.rotated), (1, 1));
    let raw = raw_credential(&app, me.agency.id).await.unwrap();
    assert!(raw.client_secret_enc.starts_with("v1:k2:"), "{}", raw.client_secret_enc);
    let ctx = TokenContext {
        agency_id: me.agency.id,
        integration_id: raw.id,
        field: TokenField::OAuthClientSecret,
    };
    assert_eq!(ring.decrypt(&raw.client_secret_enc, &ctx).unwrap().expose(), secret);
    let again = rotate_token_key(&app.store, &ring, chrono::Utc::now()).await.unwrap();
    assert_eq!((again.oauth_apps.examined, again.oauth_apps.rotated), (1, 0));

    assert_eq!(
        app.delete("/api/v1/integrations/credentials/google").await.status(),
        204
    );
    assert_eq!(
        app.delete("/api/v1/integrations/credentials/google").await.status(),
        404
    );
}
