//! Logs never carry secrets: a full sign-up -> login -> password reset -> API key flow, then a search of
//! everything logged for the password, tokens, reset link, cookie values and email address.

use serde_json::json;

use crate::helpers::{captured_logs, reset_token, spawn_app, Backend};

#[tokio::test]
async fn logs_of_the_auth_flows_hold_no_secrets_or_emails() {
    let app = spawn_app(Backend::Sqlite).await;
    let (body, me) = app.signup().await;
    let email = body["email"].as_str().unwrap().to_string();
    let password = body["password"].as_str().unwrap().to_string();
    assert_eq!(app.login(&email, "wrong-password-xyz").await.status(), 401);
    let res = app.login(&email, &password).await;
    assert_eq!(res.status(), 200);
    let cookies: Vec<String> = res.cookies().map(|c| c.value().to_string()).collect();
    assert_eq!(cookies.len(), 2);
    let me2: audienceos_shared::auth::Me = res.json().await.unwrap();
    *app.csrf.lock().unwrap() = Some(me2.csrf_token.clone());

    let key = crate::fixtures::new_api_key(&app, "logs", "admin", 1).await;
    let bare = reqwest::Client::new();
    assert_eq!(
        bare.get(app.url("/api/v1/auth/me"))
            .bearer_auth(&key.secret)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    assert_eq!(
        app.post("/api/v1/auth/password/forgot", &json!({ "email": email }))
            .await
            .status(),
        202
    );
    let mail = app.outbox(1).await.remove(0);
    let token = reset_token(&mail);
    // The SPA page holding the token is requested too, as a browser would.
    let _ = app.get(&format!("/reset-password?token={token}")).await;
    let new_password = "reset-password-9f8e7d";
    assert_eq!(
        app.post(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "password": new_password })
        )
        .await
        .status(),
        200
    );
    assert_eq!(app.login(&email, new_password).await.status(), 200);

    let logs = captured_logs();
    assert!(
        logs.contains("\"route\":\"/api/v1/auth/login\""),
        "request spans carry the route pattern"
    );
    assert!(logs.contains("request finished"));
    assert!(logs.contains(&me.agency.id.to_string()) || logs.contains("agency created"));
    let mut secrets = vec![
        ("password", password.clone()),
        ("wrong password", "wrong-password-xyz".to_string()),
        ("new password", new_password.to_string()),
        ("email", email.clone()),
        ("reset token", token.clone()),
        ("api key", key.secret.clone()),
        ("api key body", key.secret[12..].to_string()),
        ("csrf token", me.csrf_token.clone()),
        ("csrf token 2", me2.csrf_token.clone()),
    ];
    for (i, c) in cookies.iter().enumerate() {
        secrets.push(if i == 0 {
            ("cookie 1", c.clone())
        } else {
            ("cookie 2", c.clone())
        });
    }
    for (what, secret) in secrets {
        let line = logs.lines().find(|l| l.contains(&secret));
        assert!(line.is_none(), "the logs contain the {what}: {line:?}");
    }
    let at = email.split('@').next().unwrap();
    assert!(!logs.contains(at), "the logs contain the local part of the email");
}

/// DESIGN §5: the logs of an OAuth connect, a sync and a reply carry no token, address or message text.
#[tokio::test]
async fn logs_of_connect_sync_and_reply_hold_no_tokens_addresses_or_message_text() {
    use audienceos_api::integrations::crypto::TokenField;
    use audienceos_shared::communications::{Reply, ReplyStatus, Thread, ThreadSummary};
    use audienceos_shared::Page;

    let (app, _fakes) = crate::helpers::spawn_with_fakes(Backend::Sqlite).await;
    let (_, me) = app.signup().await;
    crate::fixtures::acme_dental(&app).await;
    let integration = app.connect("gmail").await;
    let id: uuid::Uuid = integration["id"].as_str().unwrap().parse().unwrap();
    crate::fixtures::first_sync_done(&app, me.agency.id, id).await;
    let page: Page<ThreadSummary> = app.get_json("/api/v1/communications/threads?platform=gmail").await;
    let key = &page.items.first().expect("a synced thread").key;
    let thread: Thread = app.get_json(&format!("/api/v1/communications/threads/{key}")).await;
    let text = "Confidential reply about the Q4 retainer";
    let res = app
        .with_csrf(
            app.client
                .post(app.url(&format!(
                    "/api/v1/communications/{}/reply",
                    thread.messages.last().unwrap().id
                )))
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .json(&json!({ "body": text })),
        )
        .send()
        .await
        .unwrap();
    let reply: Reply = res.json().await.unwrap();
    assert_eq!(reply.status, ReplyStatus::Sent);

    let row = app.store.get_integration(me.agency.id, id).await.unwrap();
    let tokens = app.store.get_integration_tokens(me.agency.id, id).await.unwrap();
    let access = app
        .state
        .vault
        .open(&row, TokenField::Access, tokens.access_token_enc.as_deref().unwrap())
        .unwrap();
    let refresh = app
        .state
        .vault
        .open(&row, TokenField::Refresh, tokens.refresh_token_enc.as_deref().unwrap())
        .unwrap();
    let first = &thread.messages[0];
    let logs = captured_logs();
    assert!(logs.contains("reply sent"), "the reply is logged, by id");
    for (what, secret) in [
        ("access token", access.expose().to_owned()),
        ("refresh token", refresh.expose().to_owned()),
        ("client address", "dana@acme-dental.test".to_owned()),
        ("mailbox", row.account_id.clone().unwrap()),
        ("reply text", text.to_owned()),
        ("message body", first.body.clone()),
        ("subject", first.subject.clone().unwrap()),
    ] {
        let line = logs.lines().find(|l| l.contains(&secret));
        assert!(line.is_none(), "the logs contain the {what}: {line:?}");
    }
}
