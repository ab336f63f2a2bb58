//! OAuth connect, encrypted tokens, single-flight refresh, needs-reconnect, disconnect, and the callback's
//! refusals, against the provider fakes.

use audienceos_api::integrations::accounts::whoami;
use audienceos_api::integrations::crypto::{TokenContext, TokenField};
use audienceos_api::integrations::provider::with_token;
use audienceos_fakes::Provider;
use audienceos_shared::integrations::IntegrationProvider;
use audienceos_shared::permissions::SystemRole;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{row_by_id, set_time, strings};
use crate::helpers::{consent, spawn_with_fakes, spawn_with_fakes_and, Backend, TestApp};
use crate::on_both;

on_both!(
    connect_stores_tokens_encrypted_and_bound_to_their_agency,
    callback_refuses_tampered_foreign_expired_and_replayed_states_without_side_effects,
    an_expired_token_is_refreshed_once_for_ten_concurrent_callers_and_syncs,
    a_refused_grant_needs_a_reconnect_and_raises_an_alert,
    disconnect_revokes_at_the_provider_and_deletes_the_tokens,
    connect_needs_an_admin_session_and_a_configured_provider,
    oauth_callbacks_are_limited_to_five_an_hour,
);

#[tokio::test]
async fn logs_of_connect_refresh_and_disconnect_hold_no_token_or_code() {
    let (app, fakes) = spawn_with_fakes(Backend::Sqlite).await;
    let (_, me) = app.signup().await;
    let res = app
        .post("/api/v1/integrations/connect", &json!({ "provider": "slack" }))
        .await;
    let body: Value = res.json().await.unwrap();
    let callback = consent(&app, body["authorize_url"].as_str().unwrap(), "allow").await;
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let res = app.callback(&callback).await;
    assert_eq!(res.status(), 200);
    let connected: Value = res.json().await.unwrap();
    let id: Uuid = connected["id"].as_str().unwrap().parse().unwrap();
    let mut secrets = vec![code];
    let mut collect = |raw: RawTokens| {
        let keys = &app.state.vault.keys;
        for (sealed, field) in [
            (raw.access_token_enc, TokenField::Access),
            (raw.refresh_token_enc, TokenField::Refresh),
        ] {
            let plain = keys.decrypt(sealed.as_deref().unwrap(), &ctx(me.agency.id, id, field));
            secrets.push(plain.unwrap().expose().to_owned());
        }
    };
    collect(raw_tokens(&app, id).await);
    // A refresh (the provider expired the token) and a sync.
    fakes.expire_tokens(Provider::Slack);
    let res = app.post(&format!("/api/v1/integrations/{id}/test"), &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["ok"], true);
    collect(raw_tokens(&app, id).await);
    let res = app.post(&format!("/api/v1/integrations/{id}/sync"), &json!({})).await;
    assert_eq!(res.status(), 202);
    audienceos_api::jobs::drain(&app.state).await.unwrap();
    assert_eq!(app.delete(&format!("/api/v1/integrations/{id}")).await.status(), 204);

    let logs = crate::helpers::captured_logs();
    assert!(
        logs.contains("integration connected") && logs.contains("provider token refreshed"),
        "the flow was logged"
    );
    for s in &secrets {
        assert!(s.len() >= 8);
        assert!(!logs.contains(s.as_str()), "a token or code leaked into the logs");
    }
    assert!(
        !logs.contains("owner@agency.test"),
        "the connected account's address leaked into the logs"
    );
}

#[derive(Debug, sqlx::FromRow)]
struct RawTokens {
    access_token_enc: Option<String>,
    refresh_token_enc: Option<String>,
}

async fn raw_tokens(app: &TestApp, id: Uuid) -> RawTokens {
    row_by_id(
        app,
        "select access_token_enc, refresh_token_enc from integration where id = $1",
        id,
    )
    .await
}

fn ctx(agency: Uuid, id: Uuid, field: TokenField) -> TokenContext {
    TokenContext {
        agency_id: agency,
        integration_id: id,
        field,
    }
}

async fn integrations(app: &crate::helpers::Browser) -> Vec<Value> {
    let res = app.get("/api/v1/integrations").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn by_provider<'a>(list: &'a [Value], p: &str) -> &'a Value {
    list.iter().find(|i| i["provider"] == p).unwrap()
}

async fn set_expiry(app: &TestApp, id: Uuid, at: chrono::DateTime<chrono::Utc>) {
    set_time(
        app,
        "update integration set token_expires_at = $1 where id = $2",
        at,
        id,
    )
    .await;
}

async fn connect_stores_tokens_encrypted_and_bound_to_their_agency(backend: Backend) {
    let (app, _fakes) = spawn_with_fakes(backend).await;
    let (_, me) = app.signup().await;
    let before = integrations(&app).await;
    assert_eq!(before.len(), 4);
    assert!(before
        .iter()
        .all(|i| i["status"] == "not_connected" && i["configured"] == true));

    let connected = app.connect("gmail").await;
    assert_eq!(connected["status"], "connected");
    assert_eq!(connected["account_label"], "owner@agency.test");
    let id: Uuid = connected["id"].as_str().unwrap().parse().unwrap();

    let raw = raw_tokens(&app, id).await;
    let (access_enc, refresh_enc) = (raw.access_token_enc.unwrap(), raw.refresh_token_enc.unwrap());
    let keys = &app.state.vault.keys;
    let agency = me.agency.id;
    let access = keys.decrypt(&access_enc, &ctx(agency, id, TokenField::Access)).unwrap();
    let refresh = keys
        .decrypt(&refresh_enc, &ctx(agency, id, TokenField::Refresh))
        .unwrap();
    assert!(access.expose().len() > 10 && refresh.expose().len() > 10);
    for stored in [&access_enc, &refresh_enc] {
        assert!(stored.starts_with("v1:k1:"), "{stored}");
        assert!(!stored.contains(access.expose()) && !stored.contains(refresh.expose()));
    }
    // A ciphertext copied to another agency (or another integration, or the other field) does not open.
    assert!(keys
        .decrypt(&access_enc, &ctx(Uuid::now_v7(), id, TokenField::Access))
        .is_err());
    assert!(keys
        .decrypt(&access_enc, &ctx(agency, Uuid::now_v7(), TokenField::Access))
        .is_err());
    assert!(keys
        .decrypt(&access_enc, &ctx(agency, id, TokenField::Refresh))
        .is_err());
    // Nothing the API answers carries a token.
    let text = app.get("/api/v1/integrations").await.text().await.unwrap();
    assert!(!text.contains(access.expose()) && !text.contains(refresh.expose()));
    let gmail = by_provider(&integrations(&app).await, "gmail").clone();
    // (the first sync was queued on connect and may be running)
    assert_ne!(gmail["status"], "not_connected");
    assert_eq!(gmail["account_label"], "owner@agency.test");
    assert!(gmail["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.as_str().unwrap().ends_with("gmail.readonly")));
}

async fn callback_refuses_tampered_foreign_expired_and_replayed_states_without_side_effects(backend: Backend) {
    let (app, _fakes) = spawn_with_fakes_and(backend, &[("AOS_RATE_LIMIT_OAUTH_CALLBACK", "100/hour")]).await;
    let (_, me) = app.signup().await;
    let start = |b: &'static str| {
        let app = &app;
        async move {
            let res = app
                .post("/api/v1/integrations/connect", &json!({ "provider": b }))
                .await;
            assert_eq!(res.status(), 200);
            let body: Value = res.json().await.unwrap();
            consent(app, body["authorize_url"].as_str().unwrap(), "allow").await
        }
    };
    let call = |url: String| {
        let app = &app;
        async move {
            let res = app.callback(&url).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }
    };
    let nothing_stored = || async {
        let list = integrations(&app).await;
        assert!(list.iter().all(|i| i["id"].is_null()), "{list:?}");
    };
    // The callback at `url` is refused with `code`.
    let refused = |url: String, code: &'static str| {
        let call = &call;
        async move {
            let (status, body) = call(url).await;
            assert_eq!((status, body["code"].as_str()), (400, Some(code)), "{body}");
        }
    };

    // Tampered: one character of the MAC changed.
    let url = start("gmail").await;
    let mut u = url::Url::parse(&url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "state" {
                let mut v = v.clone();
                let last = v.pop().unwrap();
                v.push(if last == 'A' { 'B' } else { 'A' });
                (k, v)
            } else {
                (k, v)
            }
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(&pairs);
    refused(u.to_string(), "oauth_state_invalid").await;
    nothing_stored().await;

    // Foreign: the same genuine callback presented by another signed-in session.
    let (other, _) = app.add_user(me.agency.id, SystemRole::Admin).await;
    let res = other.callback(&url).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "oauth_state_foreign");
    nothing_stored().await;

    // Expired: a state older than 10 minutes.
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query(
        "update oauth_state set expires_at = $1"
    )
    .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    refused(url.clone(), "oauth_state_expired").await;
    nothing_stored().await;

    // Denied at the consent page.
    let res = app
        .post("/api/v1/integrations/connect", &json!({ "provider": "slack" }))
        .await;
    let body: Value = res.json().await.unwrap();
    let denied = consent(&app, body["authorize_url"].as_str().unwrap(), "deny").await;
    refused(denied, "oauth_denied").await;
    nothing_stored().await;

    // Replayed: the first use connects, the second is refused and changes nothing.
    let url = start("gmail").await;
    let (status, first) = call(url.clone()).await;
    assert_eq!(status, 200, "{first}");
    let id: Uuid = first["id"].as_str().unwrap().parse().unwrap();
    let before = raw_tokens(&app, id).await;
    refused(url, "oauth_state_used").await;
    let after = raw_tokens(&app, id).await;
    assert_eq!(before.access_token_enc, after.access_token_enc);

    // A browser is sent back to the Integrations page with the reason.
    let url = start("meta_ads").await;
    let res = other
        .client
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    // (the test browser follows the redirect to the SPA's page)
    assert_eq!(res.url().path(), "/integrations");
    assert_eq!(
        res.url().query(),
        Some("oauth_error=oauth_state_foreign&provider=meta_ads")
    );
}

async fn an_expired_token_is_refreshed_once_for_ten_concurrent_callers_and_syncs(backend: Backend) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    app.signup().await;
    let slack = app.connect("slack").await;
    let id: Uuid = slack["id"].as_str().unwrap().parse().unwrap();
    let agency = app
        .store
        .get_integration_by_provider(slack_agency(&app).await, "slack")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(agency.id, id);
    let before = raw_tokens(&app, id).await;
    set_expiry(&app, id, chrono::Utc::now() - chrono::Duration::minutes(1)).await;
    fakes.expire_tokens(Provider::Slack);

    let state = app.state.clone();
    let row = agency.clone();
    let calls = (0..10).map(|_| {
        let state = state.clone();
        let row = row.clone();
        async move {
            with_token(&state, &row, |t| {
                let state = state.clone();
                async move { whoami(&state, row.agency_id, IntegrationProvider::Slack, &t).await }
            })
            .await
        }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(fakes.refresh_calls(Provider::Slack), 1, "single-flight refresh");
    let after = raw_tokens(&app, id).await;
    assert_ne!(before.access_token_enc, after.access_token_enc);
    // Slack rotated the refresh token, and the new one was stored.
    assert_ne!(before.refresh_token_enc, after.refresh_token_enc);

    // A 401 from the provider (token dead before its stated expiry) refreshes once and retries.
    fakes.expire_tokens(Provider::Slack);
    let res = app.post(&format!("/api/v1/integrations/{id}/test"), &json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(fakes.refresh_calls(Provider::Slack), 2);

    // Ten concurrent Gmail syncs with an expired token: one refresh, and every sync succeeds.
    let gmail = app.connect("gmail").await;
    let gmail_id: Uuid = gmail["id"].as_str().unwrap().parse().unwrap();
    let agency_id = slack_agency(&app).await;
    // (let the sync queued by the connect finish first)
    for _ in 0..200 {
        let row = app.store.get_integration(agency_id, gmail_id).await.unwrap();
        if row.last_sync_outcome.is_some() && row.status != "syncing" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    set_expiry(&app, gmail_id, chrono::Utc::now() - chrono::Duration::minutes(1)).await;
    fakes.expire_tokens(Provider::Google);
    let row = app.store.get_integration(agency_id, gmail_id).await.unwrap();
    let syncs = (0..10).map(|_| {
        let state = app.state.clone();
        let row = row.clone();
        async move {
            let ctx = audienceos_api::integrations::sync::SyncCtx {
                state: state.get_ref(),
                integration: &row,
                now: chrono::Utc::now(),
            };
            audienceos_api::integrations::resources::sync(&ctx).await
        }
    });
    let results = futures_util::future::join_all(syncs).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(
        fakes.refresh_calls(Provider::Google),
        1,
        "ten concurrent syncs, one refresh"
    );
}

async fn slack_agency(app: &TestApp) -> Uuid {
    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    me["agency"]["id"].as_str().unwrap().parse().unwrap()
}

async fn a_refused_grant_needs_a_reconnect_and_raises_an_alert(backend: Backend) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    app.signup().await;
    let gmail = app.connect("gmail").await;
    let id: Uuid = gmail["id"].as_str().unwrap().parse().unwrap();
    fakes.revoke_consent(Provider::Google);
    set_expiry(&app, id, chrono::Utc::now() - chrono::Duration::minutes(1)).await;

    let res = app.post(&format!("/api/v1/integrations/{id}/test"), &json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ok"], false);
    assert_eq!(body["status"], "needs_reconnect", "{body}");
    let g = by_provider(&integrations(&app).await, "gmail").clone();
    assert_eq!(g["status"], "needs_reconnect");
    assert!(g["status_reason"].as_str().unwrap().contains("Connect it again"), "{g}");
    let alerts: Value = app.get("/api/v1/alerts").await.json().await.unwrap();
    let titles = strings(&alerts["items"], "title");
    assert!(titles.contains(&"Gmail needs to be reconnected"), "{alerts}");
    // Syncing is refused until reconnected.
    let res = app.post(&format!("/api/v1/integrations/{id}/sync"), &json!({})).await;
    assert_eq!(res.status(), 409);

    // Reconnecting clears the state and resolves the alert.
    let again = app.connect("gmail").await;
    assert_eq!(again["status"], "connected");
    assert_eq!(again["id"], gmail["id"]);
    let alerts: Value = app.get("/api/v1/alerts").await.json().await.unwrap();
    assert!(alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["title"] != "Gmail needs to be reconnected"));
}

async fn disconnect_revokes_at_the_provider_and_deletes_the_tokens(backend: Backend) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    app.signup().await;
    let gmail = app.connect("gmail").await;
    let id: Uuid = gmail["id"].as_str().unwrap().parse().unwrap();
    let res = app.delete(&format!("/api/v1/integrations/{id}")).await;
    assert_eq!(res.status(), 204);
    assert_eq!(fakes.revocations(Provider::Google).len(), 1);
    let raw = raw_tokens(&app, id).await;
    assert!(raw.access_token_enc.is_none() && raw.refresh_token_enc.is_none());
    let g = by_provider(&integrations(&app).await, "gmail").clone();
    assert_eq!(g["status"], "not_connected");
    assert!(g["account_label"].is_null());
    // Another agency's integration is 404 everywhere.
    let other = app.new_browser();
    other.signup().await;
    for res in [
        other.delete(&format!("/api/v1/integrations/{id}")).await,
        other.post(&format!("/api/v1/integrations/{id}/test"), &json!({})).await,
        other.post(&format!("/api/v1/integrations/{id}/sync"), &json!({})).await,
    ] {
        assert_eq!(res.status(), 404);
    }
}

async fn connect_needs_an_admin_session_and_a_configured_provider(backend: Backend) {
    let (app, _fakes) = spawn_with_fakes(backend).await;
    let (_, me) = app.signup().await;
    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    let res = manager
        .post("/api/v1/integrations/connect", &json!({ "provider": "gmail" }))
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .post("/api/v1/integrations/connect", &json!({ "provider": "fax" }))
        .await;
    assert_eq!(res.status(), 400);

    let bare = crate::helpers::spawn_app(backend).await;
    bare.signup().await;
    let res = bare
        .post("/api/v1/integrations/connect", &json!({ "provider": "gmail" }))
        .await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "provider_not_configured");
    let list = integrations(&bare).await;
    assert!(list.iter().all(|i| i["configured"] == false));
}

async fn oauth_callbacks_are_limited_to_five_an_hour(backend: Backend) {
    let (app, _fakes) = spawn_with_fakes(backend).await;
    app.signup().await;
    for _ in 0..5 {
        let res = app.get("/api/v1/oauth/callback?state=forged.state&code=x").await;
        assert_eq!(res.status(), 400);
    }
    let res = app.get("/api/v1/oauth/callback?state=forged.state&code=x").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}
