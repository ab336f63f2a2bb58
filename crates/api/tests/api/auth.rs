//! Sign-up, sign-in, sign-out, CSRF, password reset and change, through HTTP, on both backends.

use audienceos_shared::auth::Me;
use audienceos_shared::permissions::{Resource, SystemRole};
use audienceos_shared::Problem;
use serde_json::json;

use crate::helpers::{reset_token, spawn_app, Backend};
use crate::on_both;

on_both!(
    signup_login_logout_round_trip,
    login_failures_are_indistinguishable,
    duplicate_email_is_a_conflict,
    cookie_requests_without_csrf_are_refused,
    password_reset_by_email_link,
    change_password_revokes_other_sessions,
);

async fn signup_login_logout_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let (body, me) = app.signup().await;
    assert_eq!(me.role.system_role, Some(SystemRole::Owner));
    assert_eq!(me.user.email, body["email"].as_str().unwrap());
    assert_eq!(
        me.permissions.len(),
        Resource::ALL.len(),
        "the Owner holds every resource"
    );
    assert!(me.agency.slug.starts_with("agency-"));

    let res = app.get("/api/v1/auth/me").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Me>().await.unwrap().user.id, me.user.id);

    let res = app.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(res.status(), 204);
    let res = app.get("/api/v1/auth/me").await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Problem>().await.unwrap().code, "unauthorized");

    // The same cookie, replayed after logout, stays dead.
    let res = app
        .login(body["email"].as_str().unwrap(), body["password"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let me2: Me = res.json().await.unwrap();
    assert_ne!(me2.csrf_token, me.csrf_token);
    assert_eq!(app.get("/api/v1/auth/me").await.status(), 200);

    // Emails are case-insensitive.
    let res = app
        .login(
            &body["email"].as_str().unwrap().to_uppercase(),
            body["password"].as_str().unwrap(),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn login_failures_are_indistinguishable(backend: Backend) {
    let app = spawn_app(backend).await;
    let (body, me) = app.signup().await;
    let wrong = app.login(body["email"].as_str().unwrap(), "wrong password").await;
    let unknown = app.login("nobody@example.test", "wrong password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let mut a: Problem = wrong.json().await.unwrap();
    let mut b: Problem = unknown.json().await.unwrap();
    assert_eq!(a.code, "invalid_credentials");
    a.request_id = None;
    b.request_id = None;
    assert_eq!(a, b, "same body whether or not the account exists");

    let (events, _) = app.store.list_audit(me.agency.id, 50, None).await.unwrap();
    let actions: Vec<_> = events.iter().map(|e| (e.action.as_str(), e.outcome.as_str())).collect();
    assert!(actions.contains(&("auth.login", "failure")), "{actions:?}");
    assert!(actions.contains(&("auth.signup", "success")), "{actions:?}");
}

async fn duplicate_email_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let (body, _) = app.signup().await;
    let mut again = crate::helpers::signup_body();
    again["email"] = json!(body["email"].as_str().unwrap().to_uppercase());
    let res = app.post_signup(&again).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Problem>().await.unwrap().code, "email_taken");
}

async fn cookie_requests_without_csrf_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let res = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Problem>().await.unwrap().code, "csrf_failed");
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", "forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .json(&json!({ "name": "k", "role": "member", "expires_in_days": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Problem>().await.unwrap().code, "csrf_failed");
    // Still signed in: the refused requests changed nothing.
    assert_eq!(app.get("/api/v1/auth/me").await.status(), 200);
}

async fn password_reset_by_email_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let (body, _) = app.signup().await;
    let email = body["email"].as_str().unwrap();
    let key = crate::fixtures::new_api_key(&app, "CI", "admin", 30).await.secret;
    let with_key = || app.client.get(app.url("/api/v1/clients")).bearer_auth(&key).send();
    assert_eq!(with_key().await.unwrap().status(), 200);
    let res = app
        .post("/api/v1/auth/password/forgot", &json!({ "email": email }))
        .await;
    assert_eq!(res.status(), 202);
    let unknown = app
        .post(
            "/api/v1/auth/password/forgot",
            &json!({ "email": "ghost@example.test" }),
        )
        .await;
    assert_eq!(unknown.status(), 202, "same answer for unknown accounts");

    let mails = app.outbox(1).await;
    assert_eq!(mails.len(), 1, "no email for the unknown account");
    assert!(mails[0].contains(&format!("To: {email}")));
    assert!(mails[0].contains("Subject: Reset your AudienceOS password"));
    let token = reset_token(&mails[0]);
    assert_eq!(token.len(), 43);

    let reset = |password: &str| {
        let (app, body) = (&app, json!({ "token": token, "password": password }));
        async move { app.post("/api/v1/auth/password/reset", &body).await }
    };
    let res = reset("a brand new password").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get("/api/v1/auth/me").await.status(),
        401,
        "sessions are revoked by a reset"
    );
    assert_eq!(with_key().await.unwrap().status(), 401, "so are the user's API keys");
    let again = reset("another new password").await;
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Problem>().await.unwrap().code,
        "invalid_token",
        "single use"
    );

    assert_eq!(app.login(email, body["password"].as_str().unwrap()).await.status(), 401);
    assert_eq!(app.login(email, "a brand new password").await.status(), 200);

    // An expired token is refused.
    let user = app.store.find_user_by_email(email).await.unwrap().unwrap();
    let key = app.state.settings.secrets.session_key.expose().to_vec();
    let hash = audienceos_api::auth::tokens::digest(&key, "password_reset", "expired-token");
    let past = audienceos_api::clock::system_now() - chrono::Duration::minutes(31);
    app.store
        .insert_password_reset(user.id, &hash, past + chrono::Duration::minutes(30), past)
        .await
        .unwrap();
    let res = app
        .post(
            "/api/v1/auth/password/reset",
            &json!({ "token": "expired-token", "password": "whatever123" }),
        )
        .await;
    assert_eq!(res.json::<Problem>().await.unwrap().code, "invalid_token");
}

async fn change_password_revokes_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (body, _) = app.signup().await;
    let email = body["email"].as_str().unwrap();
    let other = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": body["password"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let wrong = json!({ "current_password": "not it", "new_password": "new password 1" });
    let p: Problem = app.post_expecting("/api/v1/auth/password/change", &wrong, 401).await;
    assert_eq!(p.code, "invalid_credentials");
    assert_eq!(p.errors[0].field, "current_password");

    let res = app
        .post(
            "/api/v1/auth/password/change",
            &json!({ "current_password": body["password"], "new_password": "new password 1" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get("/api/v1/auth/me").await.status(), 200, "this session stays");
    assert_eq!(
        other.get(app.url("/api/v1/auth/me")).send().await.unwrap().status(),
        401,
        "the other is revoked"
    );
    assert_eq!(app.login(email, "new password 1").await.status(), 200);
}
