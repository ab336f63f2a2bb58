//! Replies from the communications hub against the provider fakes: a Gmail reply goes out once, in the
//! thread, with the threading headers, and a replay of its Idempotency-Key returns the first result without
//! a second send (also when both requests race); a Slack reply posts in the thread; a provider failure
//! leaves the reply failed and a retry sends it exactly once; an expired token is refreshed once; a reply
//! needs a key and a connected integration; another agency's message and reply are 404.

use std::time::Duration;

use audienceos_fakes::{Fault, Provider, ProviderFakes};
use audienceos_shared::communications::{Reply, ReplyStatus, Thread, ThreadSummary};
use audienceos_shared::integrations::IntegrationProvider;
use audienceos_shared::{Page, Problem};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{acme_dental, first_sync_done};
use crate::helpers::{spawn_with_fakes, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    gmail_reply_goes_out_once_in_the_thread_and_replays_return_the_first_result,
    racing_requests_with_one_key_send_once,
    slack_reply_posts_in_the_channel_thread,
    provider_failure_keeps_the_reply_failed_and_retry_sends_it_once,
    expired_token_is_refreshed_once_before_the_reply_goes_out,
    replies_need_a_key_a_body_and_a_connected_integration,
    another_agencys_message_and_reply_are_404,
);

/// Connect a provider and wait for the sync connecting queues.
async fn connect(app: &TestApp, agency: Uuid, provider: IntegrationProvider) -> Uuid {
    let integration = app.connect(provider.as_str()).await;
    let id: Uuid = integration["id"].as_str().unwrap().parse().unwrap();
    let row = first_sync_done(app, agency, id).await;
    assert_eq!(
        row.last_sync_outcome.as_deref(),
        Some("ok"),
        "{provider}: {:?}",
        row.last_error
    );
    id
}

/// Gmail connected with Acme Dental as the client Dana writes from; the thread of Dana's latest message.
async fn gmail_app(backend: Backend) -> (TestApp, ProviderFakes, Uuid, Thread) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    let (_, me) = app.signup().await;
    acme_dental(&app).await;
    connect(&app, me.agency.id, IntegrationProvider::Gmail).await;
    let thread = first_thread(&app, "platform=gmail&needs_reply=true").await;
    (app, fakes, me.agency.id, thread)
}

async fn first_thread(b: &Browser, query: &str) -> Thread {
    let res = b.get(&format!("/api/v1/communications/threads?{query}")).await;
    assert_eq!(res.status(), 200);
    let page: Page<ThreadSummary> = res.json().await.unwrap();
    let key = &page.items.first().unwrap_or_else(|| panic!("a thread for {query}")).key;
    thread(b, key).await
}

async fn thread(b: &Browser, key: &str) -> Thread {
    let res = b.get(&format!("/api/v1/communications/threads/{key}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn send_reply(b: &Browser, message: Uuid, key: Option<&str>, body: &str) -> reqwest::Response {
    let mut req = b
        .client
        .post(b.url(&format!("/api/v1/communications/{message}/reply")))
        .json(&json!({ "body": body }));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    b.with_csrf(req).send().await.unwrap()
}

/// Reply to a thread's latest message with a fresh idempotency key.
async fn reply_to_last(b: &Browser, thread: &Thread, body: &str) -> reqwest::Response {
    let latest = thread.messages.last().unwrap().id;
    send_reply(b, latest, Some(&Uuid::new_v4().to_string()), body).await
}

async fn retry(b: &Browser, reply: Uuid) -> reqwest::Response {
    b.post(&format!("/api/v1/communications/replies/{reply}/retry"), &json!({}))
        .await
}

/// The fake answers the next Gmail `messages.send` with a 500.
fn fail_next_gmail_send(fakes: &ProviderFakes) {
    fakes.inject(Fault {
        provider: Provider::Google,
        path_prefix: Some("/gmail/v1/users/me/messages/send".into()),
        status: 500,
        count: 1,
        retry_after: None,
    });
}

async fn problem(res: reqwest::Response, status: u16) -> Problem {
    assert_eq!(res.status(), status);
    res.json().await.unwrap()
}

async fn gmail_reply_goes_out_once_in_the_thread_and_replays_return_the_first_result(backend: Backend) {
    let (app, fakes, agency, before) = gmail_app(backend).await;
    let latest = before.messages.last().unwrap();
    let key = Uuid::new_v4().to_string();

    let res = send_reply(&app, latest.id, Some(&key), "Thanks Dana, numbers on Thursday.\nBest").await;
    assert_eq!(res.status(), 201);
    let reply: Reply = res.json().await.unwrap();
    assert_eq!(reply.status, ReplyStatus::Sent, "{reply:?}");
    assert_eq!(reply.attempts, 1);
    assert!(reply.sent_at.is_some() && reply.error.is_none());

    let sent = fakes.sent_mail();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    let thread_id = before.summary.key.strip_prefix("gmail:").unwrap();
    assert_eq!(mail.requested_thread_id.as_deref(), Some(thread_id));
    assert_eq!(mail.thread_id, thread_id, "the fake filed it in the thread");
    assert_eq!(reply.provider_message_id.as_deref(), Some(mail.id.as_str()));
    let parent = fakes
        .gmail_messages("owner@agency.test")
        .into_iter()
        .filter(|m| m.thread_id == thread_id && m.id != mail.id)
        .max_by_key(|m| m.internal_date)
        .unwrap();
    let parent_id = parent.header("Message-ID").unwrap();
    assert_eq!(mail.header("In-Reply-To"), Some(parent_id));
    assert!(mail.header("References").unwrap().ends_with(parent_id));
    let subject = parent.header("Subject").unwrap();
    assert_eq!(
        mail.header("Subject").unwrap(),
        format!("Re: {}", subject.trim_start_matches("Re: "))
    );
    assert!(mail.header("To").unwrap().contains("dana@acme-dental.test"));
    assert!(mail.body.contains("numbers on Thursday."));

    // The same key again: the first reply, no second send.
    let res = send_reply(&app, latest.id, Some(&key), "Thanks Dana, numbers on Thursday.\nBest").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let replayed: Reply = res.json().await.unwrap();
    assert_eq!(replayed.id, reply.id);
    assert_eq!(replayed.status, ReplyStatus::Sent);
    // The same key with other text is refused.
    let p = problem(send_reply(&app, latest.id, Some(&key), "Something else").await, 422).await;
    assert_eq!(p.code, "idempotency_key_reused");
    assert_eq!(fakes.sent_mail().len(), 1);

    // The thread shows the reply as a sent outbound message, needs no reply any more.
    let after = thread(&app, &before.summary.key).await;
    assert!(!after.summary.needs_reply);
    assert_eq!(after.messages.len(), before.messages.len() + 1);
    let out = after.messages.last().unwrap();
    assert!(!out.is_inbound && out.body.contains("numbers on Thursday."));
    assert_eq!(after.replies.len(), 1);
    assert_eq!(after.replies[0].status, ReplyStatus::Sent);
    let replied = app.store.get_reply(agency, reply.id).await.unwrap();
    assert!(replied.author_id.is_some());

    // The next sync finds the sent message by its id and adds nothing.
    let integration = app
        .store
        .get_integration(agency, replied_integration(&app).await)
        .await
        .unwrap();
    let ctx = audienceos_api::integrations::sync::SyncCtx {
        state: app.state.get_ref(),
        integration: &integration,
        now: chrono::Utc::now(),
    };
    let rerun = audienceos_api::integrations::resources::sync(&ctx).await.unwrap();
    assert_eq!(rerun.created, 0, "{rerun:?}");
    let again = thread(&app, &before.summary.key).await;
    assert_eq!(again.messages.len(), after.messages.len());
}

async fn replied_integration(app: &TestApp) -> Uuid {
    let list: serde_json::Value = app.get_json("/api/v1/integrations").await;
    let items = list
        .as_array()
        .cloned()
        .unwrap_or_else(|| list["items"].as_array().cloned().unwrap());
    let gmail = items.iter().find(|i| i["provider"] == "gmail").unwrap();
    gmail["id"].as_str().unwrap().parse().unwrap()
}

async fn racing_requests_with_one_key_send_once(backend: Backend) {
    let (app, fakes, _, before) = gmail_app(backend).await;
    let latest = before.messages.last().unwrap().id;
    fakes.set_delay(Provider::Google, Duration::from_millis(200));
    let key = Uuid::new_v4().to_string();
    let (a, b) = tokio::join!(
        send_reply(&app, latest, Some(&key), "Once only"),
        send_reply(&app, latest, Some(&key), "Once only"),
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 201]);
    let a: Reply = a.json().await.unwrap();
    let b: Reply = b.json().await.unwrap();
    assert_eq!(a.id, b.id);
    fakes.set_delay(Provider::Google, Duration::ZERO);
    assert_eq!(fakes.sent_mail().len(), 1);
}

async fn slack_reply_posts_in_the_channel_thread(backend: Backend) {
    let (app, fakes) = spawn_with_fakes(backend).await;
    let (_, me) = app.signup().await;
    let acme = acme_dental(&app).await;
    let integration = connect(&app, me.agency.id, IntegrationProvider::Slack).await;
    let res = app
        .put(
            &format!("/api/v1/integrations/{integration}/links/C0FAKE0001"),
            &json!({ "client_id": acme.id, "name": "C0FAKE0001" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let integration_row = app.store.get_integration(me.agency.id, integration).await.unwrap();
    let ctx = audienceos_api::integrations::sync::SyncCtx {
        state: app.state.get_ref(),
        integration: &integration_row,
        now: chrono::Utc::now(),
    };
    audienceos_api::integrations::resources::sync(&ctx).await.unwrap();

    let before = first_thread(&app, "platform=slack").await;
    let thread_ts = before.summary.key.strip_prefix("slack:").unwrap().to_owned();
    let res = reply_to_last(&app, &before, "On it!").await;
    assert_eq!(res.status(), 201);
    let reply: Reply = res.json().await.unwrap();
    assert_eq!(reply.status, ReplyStatus::Sent, "{reply:?}");
    let posts = fakes.slack_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].channel, "C0FAKE0001");
    assert_eq!(posts[0].thread_ts.as_deref(), Some(thread_ts.as_str()));
    assert_eq!(posts[0].text, "On it!");
    assert_eq!(reply.provider_message_id, Some(format!("C0FAKE0001:{}", posts[0].ts)));
    let after = thread(&app, &before.summary.key).await;
    assert!(!after.summary.needs_reply);
    assert!(after.messages.iter().any(|m| !m.is_inbound && m.body == "On it!"));
    // A sync reads the posted message back by the same id: nothing new.
    let rerun = audienceos_api::integrations::resources::sync(&ctx).await.unwrap();
    assert_eq!(rerun.created, 0, "{rerun:?}");
}

async fn provider_failure_keeps_the_reply_failed_and_retry_sends_it_once(backend: Backend) {
    let (app, fakes, _, before) = gmail_app(backend).await;
    fail_next_gmail_send(&fakes);
    let res = reply_to_last(&app, &before, "Retry me").await;
    assert_eq!(res.status(), 201);
    let failed: Reply = res.json().await.unwrap();
    assert_eq!(failed.status, ReplyStatus::Failed);
    assert!(
        failed.error.as_deref().unwrap().contains("Gmail is unavailable"),
        "{failed:?}"
    );
    assert_eq!(fakes.sent_mail().len(), 0);
    let shown = thread(&app, &before.summary.key).await;
    assert_eq!(shown.replies.len(), 1);
    assert_eq!(shown.replies[0].status, ReplyStatus::Failed);
    assert!(shown.summary.needs_reply, "a failed reply does not clear needs-reply");

    let res = retry(&app, failed.id).await;
    assert_eq!(res.status(), 200);
    let sent: Reply = res.json().await.unwrap();
    assert_eq!((sent.id, sent.status, sent.attempts), (failed.id, ReplyStatus::Sent, 2));
    assert_eq!(fakes.sent_mail().len(), 1);
    // Retrying a sent reply sends nothing.
    let res = retry(&app, failed.id).await;
    assert_eq!(res.status(), 200);
    assert_eq!(fakes.sent_mail().len(), 1);
    let res = app.get(&format!("/api/v1/communications/replies/{}", failed.id)).await;
    let got: Reply = res.json().await.unwrap();
    assert_eq!(got.status, ReplyStatus::Sent);
}

async fn expired_token_is_refreshed_once_before_the_reply_goes_out(backend: Backend) {
    let (app, fakes, _, before) = gmail_app(backend).await;
    let refreshes = fakes.refresh_calls(Provider::Google);
    fakes.expire_tokens(Provider::Google);
    let res = reply_to_last(&app, &before, "After a refresh").await;
    let reply: Reply = res.json().await.unwrap();
    assert_eq!(reply.status, ReplyStatus::Sent, "{reply:?}");
    assert_eq!(fakes.refresh_calls(Provider::Google), refreshes + 1);
    assert_eq!(fakes.sent_mail().len(), 1);
}

async fn replies_need_a_key_a_body_and_a_connected_integration(backend: Backend) {
    let (app, fakes, _, before) = gmail_app(backend).await;
    let latest = before.messages.last().unwrap().id;
    let p = problem(send_reply(&app, latest, None, "No key").await, 400).await;
    assert_eq!(p.code, "idempotency_key_required");
    let p = problem(send_reply(&app, latest, Some("bad key with spaces"), "x").await, 400).await;
    assert_eq!(p.code, "idempotency_key_invalid");
    let p = problem(send_reply(&app, latest, Some("k-blank"), "   \n ").await, 422).await;
    assert_eq!(p.errors[0].field, "body");
    let p = problem(send_reply(&app, Uuid::new_v4(), Some("k-missing"), "x").await, 404).await;
    assert_eq!(p.code, "not_found");
    // Disconnected: nothing is saved or sent.
    let id = replied_integration(&app).await;
    assert_eq!(app.delete(&format!("/api/v1/integrations/{id}")).await.status(), 204);
    let p = problem(send_reply(&app, latest, Some("k-disconnected"), "x").await, 409).await;
    assert!(
        matches!(
            p.code.as_str(),
            "integration_not_connected" | "integration_needs_reconnect"
        ),
        "{p:?}"
    );
    assert!(thread(&app, &before.summary.key).await.replies.is_empty());
    assert_eq!(fakes.sent_mail().len(), 0);
}

async fn another_agencys_message_and_reply_are_404(backend: Backend) {
    let (app, fakes, _, before) = gmail_app(backend).await;
    fail_next_gmail_send(&fakes);
    let latest = before.messages.last().unwrap().id;
    let res = send_reply(&app, latest, Some("k-1"), "x").await;
    let reply: Reply = res.json().await.unwrap();
    assert_eq!(reply.status, ReplyStatus::Failed);

    let other = app.new_browser();
    other.signup().await;
    for res in [
        send_reply(&other, latest, Some("k-2"), "x").await,
        retry(&other, reply.id).await,
        other.get(&format!("/api/v1/communications/replies/{}", reply.id)).await,
    ] {
        assert_eq!(problem(res, 404).await.code, "not_found");
    }
    // The other agency's identical key is its own.
    assert_eq!(fakes.sent_mail().len(), 0);
}
