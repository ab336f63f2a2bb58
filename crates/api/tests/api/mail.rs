//! Mail through a real SMTP conversation (the loopback sink of `audienceos-fakes`), with retries.

use std::time::Duration;

use audienceos_fakes::MailSink;
use serde_json::json;

use crate::helpers::{reset_token, spawn_app_with, Backend};

#[tokio::test]
async fn reset_emails_go_out_over_smtp_and_are_retried_after_a_transient_failure() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", sink.addr());
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AOS_SMTP_URL", url.as_str()),
            ("AOS_MAIL_FROM", "AudienceOS <no-reply@agency.test>"),
        ],
    )
    .await;
    let (body, _) = app.signup().await;
    let email = body["email"].as_str().unwrap();

    sink.fail_next(1);
    assert_eq!(
        app.post("/api/v1/auth/password/forgot", &json!({ "email": email }))
            .await
            .status(),
        202
    );
    // First attempt gets a 451; the job is retried after its 2 s backoff.
    let mails = sink.wait_for(1, Duration::from_secs(15)).await.unwrap();
    assert_eq!(mails.len(), 1, "sent exactly once");
    assert_eq!(mails[0].to, vec![email.to_string()]);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("Reset your AudienceOS password")
    );
    let token = reset_token(&mails[0].data);
    assert_eq!(token.len(), 43);

    let health: serde_json::Value = app.get_json("/api/health").await;
    let mail = health["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "mail")
        .unwrap()
        .clone();
    assert_eq!(mail["status"], "ok", "{mail}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "never sent twice");
}
