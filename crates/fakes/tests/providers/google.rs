//! Google: the OAuth code + PKCE flow, Gmail list/get/history/send, and Ads searchStream.

use audienceos_fakes::google::{AdsRow, SeedMessage};
use audienceos_fakes::{Provider, ProviderFakes};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::helpers::{client, code_form, consent, get_json, post_form, refresh_form, start};

const AUTHORIZE: &str = "/google/o/oauth2/v2/auth";
const SCOPE: &str = "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send";

pub async fn token(fakes: &ProviderFakes, form: &[(String, String)]) -> reqwest::Response {
    post_form(&format!("{}/token", fakes.api_base(Provider::Google)), form).await
}

/// Consent, then the code exchange; returns `(access_token, refresh_token)`.
pub async fn connect(fakes: &ProviderFakes) -> (String, String) {
    let back = consent(fakes, Provider::Google, AUTHORIZE, SCOPE, "allow").await;
    let res = token(fakes, &code_form(fakes, Provider::Google, &back["code"])).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

pub async fn gmail(fakes: &ProviderFakes, token: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}/gmail/v1/users/me{path}", fakes.api_base(Provider::Google)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn gmail_json(fakes: &ProviderFakes, token: &str, path: &str) -> Value {
    gmail(fakes, token, path).await.json().await.unwrap()
}

#[tokio::test]
async fn code_flow_with_pkce_issues_tokens_once_and_refreshes() {
    let fakes = start();
    let back = consent(&fakes, Provider::Google, AUTHORIZE, SCOPE, "allow").await;
    assert_eq!(back["state"], "st-123");
    let form = code_form(&fakes, Provider::Google, &back["code"]);

    let mut wrong = form.clone();
    wrong[5].1 = "not-the-verifier-not-the-verifier-not-the-verifier".into();
    let res = token(&fakes, &wrong).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "error": "invalid_grant", "error_description": "Invalid code verifier." })
    );

    let res = token(&fakes, &form).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["scope"], SCOPE);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();

    let profile: Value = gmail_json(&fakes, access, "/profile").await;
    assert_eq!(profile["emailAddress"], "owner@agency.test");

    let res = token(&fakes, &refresh_form(&fakes, Provider::Google, refresh)).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    assert_ne!(body["access_token"], access);
    assert_eq!(fakes.refresh_calls(Provider::Google), 1);

    // A replayed code fails and, as RFC 6749 4.1.2 advises, revokes what the code granted.
    let again = token(&fakes, &form).await;
    assert_eq!(again.status(), 400);
    assert_eq!(again.json::<Value>().await.unwrap()["error"], "invalid_grant");
    assert_eq!(gmail(&fakes, access, "/profile").await.status(), 401);
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_a_bad_redirect_uri_gets_an_error_page() {
    let fakes = start();
    let back = consent(&fakes, Provider::Google, AUTHORIZE, SCOPE, "deny").await;
    assert_eq!(back["error"], "access_denied");
    assert_eq!(back["state"], "st-123");
    assert!(!back.contains_key("code"));

    let fakes = ProviderFakes::builder()
        .redirect_uris(Provider::Google, &["https://app.example/cb"])
        .start("127.0.0.1:0")
        .unwrap();
    let res = client()
        .get(format!("{}{AUTHORIZE}", fakes.base_url()))
        .query(&[
            ("client_id", "google-client-id"),
            ("redirect_uri", "https://evil.example/cb"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("redirect_uri_mismatch"));
}

#[tokio::test]
async fn revoke_is_recorded_and_the_refresh_token_stops_working() {
    let fakes = start();
    let (_, refresh) = connect(&fakes).await;
    let res = client()
        .post(format!("{}/revoke", fakes.api_base(Provider::Google)))
        .query(&[("token", &refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(fakes.revocations(Provider::Google), vec![refresh.clone()]);
    let res = token(&fakes, &refresh_form(&fakes, Provider::Google, &refresh)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "error": "invalid_grant", "error_description": "Token has been expired or revoked." })
    );
}

#[tokio::test]
async fn messages_list_filters_by_q_and_pages() {
    let fakes = start();
    let (access, _) = connect(&fakes).await;
    let all: Value = gmail_json(&fakes, &access, "/messages").await;
    assert_eq!(all["resultSizeEstimate"], 4);

    let page1: Value = gmail_json(&fakes, &access, "/messages?maxResults=3").await;
    assert_eq!(page1["messages"].as_array().unwrap().len(), 3);
    let next = page1["nextPageToken"].as_str().unwrap();
    let page2: Value = gmail_json(&fakes, &access, &format!("/messages?maxResults=3&pageToken={next}")).await;
    assert_eq!(page2["messages"].as_array().unwrap().len(), 1);
    assert!(page2.get("nextPageToken").is_none());

    let from: Value = gmail_json(&fakes, &access, "/messages?q=from:dana@acme-dental.test").await;
    assert_eq!(from["resultSizeEstimate"], 2);
    let recent: Value = gmail_json(&fakes, &access, "/messages?q=newer_than:2d").await;
    assert_eq!(recent["resultSizeEstimate"], 2);
    let after = chrono::Utc::now().timestamp() - 5 * 86_400;
    let after: Value = gmail_json(&fakes, &access, &format!("/messages?q=after:{after}")).await;
    assert_eq!(after["resultSizeEstimate"], 3);
    let none: Value = gmail_json(&fakes, &access, "/messages?q=from:nobody@x.test").await;
    assert_eq!(none, json!({ "resultSizeEstimate": 0 }));
}

#[tokio::test]
async fn message_get_answers_metadata_and_full_formats() {
    let fakes = start();
    let (access, _) = connect(&fakes).await;
    let m = fakes.seed_gmail(SeedMessage {
        from: "Kim <kim@client.test>".into(),
        subject: "Hello there".into(),
        body: "Body text ü".into(),
        date: Some(1_700_000_000),
        ..SeedMessage::default()
    });
    let meta: Value = gmail(
        &fakes,
        &access,
        &format!(
            "/messages/{}?format=metadata&metadataHeaders=From&metadataHeaders=Subject",
            m.id
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(meta["threadId"], m.thread_id.as_str());
    assert_eq!(meta["internalDate"], "1700000000000");
    assert_eq!(meta["labelIds"], json!(["INBOX", "UNREAD"]));
    assert_eq!(
        meta["payload"]["headers"],
        json!([{ "name": "From", "value": "Kim <kim@client.test>" }, { "name": "Subject", "value": "Hello there" }])
    );
    assert!(meta["payload"].get("parts").is_none());

    let full: Value = gmail_json(&fakes, &access, &format!("/messages/{}?format=full", m.id)).await;
    let data = full["payload"]["parts"][0]["body"]["data"].as_str().unwrap();
    let text = base64::engine::general_purpose::URL_SAFE.decode(data).unwrap();
    assert_eq!(String::from_utf8(text).unwrap(), "Body text ü");

    let missing = gmail(&fakes, &access, "/messages/nope").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["status"], "NOT_FOUND");
}

#[tokio::test]
async fn history_lists_messages_added_since_and_404s_when_too_old() {
    let fakes = start();
    let (access, _) = connect(&fakes).await;
    let profile: Value = gmail_json(&fakes, &access, "/profile").await;
    let start_id = profile["historyId"].as_str().unwrap().to_owned();
    let empty: Value = gmail_json(&fakes, &access, &format!("/history?startHistoryId={start_id}")).await;
    assert!(empty.get("history").is_none());

    let m = fakes.seed_gmail(SeedMessage {
        from: "dana@acme-dental.test".into(),
        subject: "New".into(),
        body: "x".into(),
        ..SeedMessage::default()
    });
    let res: Value = gmail(
        &fakes,
        &access,
        &format!("/history?startHistoryId={start_id}&historyTypes=messageAdded"),
    )
    .await
    .json()
    .await
    .unwrap();
    let added = &res["history"][0]["messagesAdded"][0]["message"];
    assert_eq!(added["id"], m.id.as_str());
    assert!(res["historyId"].as_str().unwrap().parse::<u64>().unwrap() > start_id.parse::<u64>().unwrap());

    fakes.expire_gmail_history("owner@agency.test");
    let gone = gmail(&fakes, &access, &format!("/history?startHistoryId={start_id}")).await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn send_records_the_decoded_reply_in_its_thread() {
    let fakes = start();
    let (access, _) = connect(&fakes).await;
    let original = fakes.gmail_messages("owner@agency.test").remove(0);
    let raw = format!(
        "From: owner@agency.test\r\nTo: dana@acme-dental.test\r\nSubject: Re: {}\r\nIn-Reply-To: {}\r\nReferences:\r\n {}\r\n\r\nHere they are.",
        original.header("Subject").unwrap(),
        original.header("Message-ID").unwrap(),
        original.header("Message-ID").unwrap(),
    );
    let res = client()
        .post(format!(
            "{}/gmail/v1/users/me/messages/send",
            fakes.api_base(Provider::Google)
        ))
        .bearer_auth(&access)
        .json(&json!({
            "raw": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw),
            "threadId": original.thread_id,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["threadId"], original.thread_id.as_str());
    assert_eq!(body["labelIds"], json!(["SENT"]));

    let sent = fakes.sent_mail();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("In-Reply-To"), original.header("Message-ID"));
    assert_eq!(sent[0].header("References"), original.header("Message-ID"));
    assert_eq!(sent[0].header("Subject").unwrap(), "Re: Campaign results for October");
    assert_eq!(sent[0].body, "Here they are.");
    assert_eq!(sent[0].thread_id, original.thread_id);

    let over_http = get_json(&format!("{}/_fake/google/sent", fakes.base_url())).await;
    assert_eq!(over_http[0]["id"], body["id"]);
}

async fn search_stream(fakes: &ProviderFakes, token: &str, dev: Option<&str>, query: &str) -> reqwest::Response {
    let mut req = client()
        .post(format!(
            "{}/v17/customers/1234567890/googleAds:searchStream",
            fakes.api_base(Provider::Google)
        ))
        .bearer_auth(token)
        .json(&json!({ "query": query }));
    if let Some(dev) = dev {
        req = req.header("developer-token", dev);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn search_stream_requires_a_developer_token_and_filters_by_date() {
    let fakes = start();
    let (access, _) = connect(&fakes).await;
    let q = "SELECT campaign.id, campaign.name, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value, segments.date FROM campaign WHERE segments.date DURING LAST_7_DAYS";
    let res = search_stream(&fakes, &access, None, q).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    let failure = &body[0]["error"]["details"][0];
    assert_eq!(
        failure["errors"][0]["errorCode"]["requestError"],
        "DEVELOPER_TOKEN_PARAMETER_MISSING"
    );
    assert_eq!(body[0]["error"]["status"], "INVALID_ARGUMENT");

    let url = format!(
        "{}/v17/customers:listAccessibleCustomers",
        fakes.api_base(Provider::Google)
    );
    let unary = client().get(&url).bearer_auth(&access).send().await.unwrap();
    assert_eq!(unary.status(), 400);
    let listed: Value = client()
        .get(&url)
        .bearer_auth(&access)
        .header("developer-token", "dev-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["resourceNames"], json!(["customers/1234567890"]));

    let batches: Vec<Value> = search_stream(&fakes, &access, Some("dev-token"), q)
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<&Value> = batches.iter().flat_map(|b| b["results"].as_array().unwrap()).collect();
    assert_eq!(rows.len(), 7 * 3);
    assert!(rows[0]["metrics"]["costMicros"].is_string());
    assert!(rows[0]["campaign"]["id"].is_string());

    fakes.seed_ads(vec![AdsRow {
        customer_id: "1234567890".into(),
        campaign_id: 42,
        campaign_name: "Old".into(),
        date: chrono::NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
        cost_micros: 1_500_000,
        impressions: 100,
        clicks: 7,
        conversions: 1.0,
        conversions_value: 20.0,
    }]);
    let q = "SELECT campaign.id, metrics.clicks, segments.date\n  FROM campaign\n  WHERE segments.date BETWEEN '2020-01-01' AND '2020-01-31'";
    let batches: Value = search_stream(&fakes, &access, Some("dev-token"), q)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(batches[0]["results"].as_array().unwrap().len(), 1);
    assert_eq!(batches[0]["results"][0]["segments"]["date"], "2020-01-02");
    assert_eq!(batches[0]["results"][0]["metrics"]["clicks"], "7");
    assert_eq!(batches[0]["fieldMask"], "campaign.id,metrics.clicks,segments.date");
}

#[tokio::test]
async fn without_access_type_offline_there_is_no_refresh_token_and_userinfo_names_the_account() {
    let fakes = start();
    let back = consent(&fakes, Provider::Google, AUTHORIZE, SCOPE, "allow").await;
    let base = fakes.base_url();
    // The same consent, asked for online access only.
    let (client_id, _) = fakes.client(Provider::Google);
    let challenge = crate::helpers::challenge(crate::helpers::VERIFIER);
    let res = client()
        .post(format!("{base}{AUTHORIZE}"))
        .form(&[
            ("client_id", client_id.as_str()),
            ("redirect_uri", crate::helpers::REDIRECT),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("account", "someone@agency.test"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let code = crate::helpers::location_params(&res)["code"].clone();
    let body: Value = token(&fakes, &code_form(&fakes, Provider::Google, &code))
        .await
        .json()
        .await
        .unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");
    let info = get_json_bearer(
        &format!("{}/oauth2/v3/userinfo", fakes.api_base(Provider::Google)),
        body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(info["email"], "someone@agency.test");
    assert_eq!(info["email_verified"], true);

    let offline: Value = token(&fakes, &code_form(&fakes, Provider::Google, &back["code"]))
        .await
        .json()
        .await
        .unwrap();
    assert!(offline["refresh_token"].is_string());
}

async fn get_json_bearer(url: &str, token: &str) -> Value {
    client()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
