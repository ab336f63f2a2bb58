//! Slack: OAuth v2 with rotating refresh tokens, and the Web API methods with Slack's `ok: false` errors.

use audienceos_fakes::slack::SlackMessage;
use audienceos_fakes::{Provider, ProviderFakes};
use serde_json::{json, Value};

use crate::helpers::{client, code_form, consent, get_json, post_form, refresh_form, start};

const AUTHORIZE: &str = "/slack/oauth/v2/authorize";

pub async fn call(fakes: &ProviderFakes, token: &str, method: &str, params: &[(&str, &str)]) -> Value {
    let res = client()
        .post(format!("{}/{method}", fakes.api_base(Provider::Slack)))
        .bearer_auth(token)
        .form(params)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn access(fakes: &ProviderFakes, form: &[(String, String)]) -> Value {
    let url = format!("{}/oauth.v2.access", fakes.api_base(Provider::Slack));
    post_form(&url, form).await.json().await.unwrap()
}

pub async fn connect(fakes: &ProviderFakes) -> Value {
    let back = consent(
        fakes,
        Provider::Slack,
        AUTHORIZE,
        "channels:read,channels:history,chat:write,users:read",
        "allow",
    )
    .await;
    let body = access(fakes, &code_form(fakes, Provider::Slack, &back["code"])).await;
    assert_eq!(body["ok"], true, "{body}");
    body
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_is_rejected() {
    let fakes = start();
    let first = connect(&fakes).await;
    assert_eq!(first["token_type"], "bot");
    assert_eq!(first["expires_in"], 43_200);
    assert_eq!(first["team"]["id"], "T0FAKE0001");
    let old = first["refresh_token"].as_str().unwrap();

    let second = access(&fakes, &refresh_form(&fakes, Provider::Slack, old)).await;
    assert_eq!(second["ok"], true);
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_ne!(second["access_token"], first["access_token"]);

    let mut other_uri = code_form(&fakes, Provider::Slack, "4/unused");
    other_uri[2].1 = "http://127.0.0.1:9/elsewhere".into();
    let back = consent(&fakes, Provider::Slack, AUTHORIZE, "chat:write", "allow").await;
    other_uri[1].1 = back["code"].clone();
    assert_eq!(access(&fakes, &other_uri).await["error"], "bad_redirect_uri");

    let reused = access(&fakes, &refresh_form(&fakes, Provider::Slack, old)).await;
    assert_eq!(reused, json!({ "ok": false, "error": "invalid_refresh_token" }));
    assert_eq!(
        access(&fakes, &refresh_form(&fakes, Provider::Slack, new)).await["ok"],
        true
    );
    assert_eq!(fakes.refresh_calls(Provider::Slack), 3);

    let test = call(&fakes, second["access_token"].as_str().unwrap(), "auth.test", &[]).await;
    assert_eq!(test["ok"], true);
    assert_eq!(test["team_id"], "T0FAKE0001");
}

#[tokio::test]
async fn methods_answer_200_with_ok_false_for_a_bad_token_and_revoke_works() {
    let fakes = start();
    assert_eq!(
        call(&fakes, "xoxb-nope", "auth.test", &[]).await,
        json!({ "ok": false, "error": "invalid_auth" })
    );
    let token = connect(&fakes).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call(&fakes, &token, "auth.revoke", &[]).await,
        json!({ "ok": true, "revoked": true })
    );
    assert_eq!(call(&fakes, &token, "auth.test", &[]).await["error"], "token_revoked");
    assert_eq!(fakes.revocations(Provider::Slack), vec![token]);
}

#[tokio::test]
async fn conversations_page_with_cursors_and_history_honours_oldest() {
    let fakes = start();
    let token = connect(&fakes).await["access_token"].as_str().unwrap().to_owned();
    let page1 = call(
        &fakes,
        &token,
        "conversations.list",
        &[("types", "public_channel,private_channel"), ("limit", "3")],
    )
    .await;
    assert_eq!(page1["channels"].as_array().unwrap().len(), 3);
    let cursor = page1["response_metadata"]["next_cursor"].as_str().unwrap();
    assert!(!cursor.is_empty());
    let page2 = call(
        &fakes,
        &token,
        "conversations.list",
        &[
            ("types", "public_channel,private_channel"),
            ("limit", "3"),
            ("cursor", cursor),
        ],
    )
    .await;
    assert_eq!(page2["channels"].as_array().unwrap().len(), 2);
    assert_eq!(page2["response_metadata"]["next_cursor"], "");

    let history = call(&fakes, &token, "conversations.history", &[("channel", "C0FAKE0001")]).await;
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    let newest = messages[0]["ts"].as_str().unwrap().to_owned();
    let oldest = messages[2]["ts"].as_str().unwrap().to_owned();
    let since = call(
        &fakes,
        &token,
        "conversations.history",
        &[("channel", "C0FAKE0001"), ("oldest", &oldest)],
    )
    .await;
    assert_eq!(since["messages"].as_array().unwrap().len(), 2);
    assert_eq!(since["messages"][0]["ts"], newest.as_str());
    let limited = call(
        &fakes,
        &token,
        "conversations.history",
        &[("channel", "C0FAKE0001"), ("limit", "1")],
    )
    .await;
    assert_eq!(limited["has_more"], true);

    assert_eq!(
        call(&fakes, &token, "conversations.history", &[("channel", "C0FAKE0004")]).await["error"],
        "not_in_channel"
    );
    assert_eq!(
        call(&fakes, &token, "conversations.history", &[("channel", "C0NOPE")]).await["error"],
        "channel_not_found"
    );

    let user = call(
        &fakes,
        &token,
        "users.info",
        &[("user", messages[0]["user"].as_str().unwrap())],
    )
    .await;
    assert_eq!(user["user"]["real_name"], "Dana Reed");
    assert_eq!(
        call(&fakes, &token, "users.info", &[("user", "U0NOPE")]).await["error"],
        "user_not_found"
    );
}

#[tokio::test]
async fn post_message_is_recorded_with_its_thread() {
    let fakes = start();
    let token = connect(&fakes).await["access_token"].as_str().unwrap().to_owned();
    let parent = fakes.seed_slack_message(SlackMessage {
        channel: "C0FAKE0002".into(),
        user: "U0SAM00001".into(),
        text: "Question?".into(),
        ts: String::new(),
        thread_ts: None,
    });
    let res = client()
        .post(format!("{}/chat.postMessage", fakes.api_base(Provider::Slack)))
        .bearer_auth(&token)
        .json(&json!({ "channel": "C0FAKE0002", "text": "Answer.", "thread_ts": parent.ts }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["message"]["thread_ts"], parent.ts.as_str());
    let history = call(&fakes, &token, "conversations.history", &[("channel", "C0FAKE0002")]).await;
    let texts: Vec<&str> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(
        !texts.contains(&"Answer."),
        "a thread reply is not in the channel history: {texts:?}"
    );
    let thread = call(
        &fakes,
        &token,
        "conversations.replies",
        &[("channel", "C0FAKE0002"), ("ts", &parent.ts)],
    )
    .await;
    let texts: Vec<&str> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Question?", "Answer."]);
    let posts = fakes.slack_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text, "Answer.");
    assert_eq!(posts[0].thread_ts.as_deref(), Some(parent.ts.as_str()));
    let over_http = get_json(&format!("{}/_fake/slack/posts", fakes.base_url())).await;
    assert_eq!(over_http[0]["channel"], "C0FAKE0002");
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_leave_one_winner_and_are_all_counted() {
    let fakes = start();
    let old = connect(&fakes).await["refresh_token"].as_str().unwrap().to_owned();
    let form = refresh_form(&fakes, Provider::Slack, &old);
    let url = format!("{}/oauth.v2.access", fakes.api_base(Provider::Slack));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (url, form) = (url.clone(), form.clone());
            tokio::spawn(async move { post_form(&url, &form).await.json::<Value>().await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert_eq!(answers.iter().filter(|a| a["ok"] == true).count(), 1);
    assert!(answers
        .iter()
        .filter(|a| a["ok"] == false)
        .all(|a| a["error"] == "invalid_refresh_token"));
    assert_eq!(fakes.refresh_calls(Provider::Slack), 10);
    assert_eq!(fakes.call_count(Provider::Slack, "/slack/api/oauth.v2.access"), 11);
    let calls = get_json(&format!("{}/_fake/calls?provider=slack", fakes.base_url())).await;
    assert_eq!(calls["counts"]["POST /slack/api/oauth.v2.access"], 11);
    assert_eq!(calls["refresh_calls"]["slack"], 10);
}
