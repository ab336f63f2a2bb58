//! Rate limits: 429 `rate_limited` with `Retry-After` and `RateLimit-*` headers, per IP and per account.

use audienceos_shared::Problem;

use crate::helpers::{spawn_app_with, Backend};

#[tokio::test]
async fn sign_in_is_limited_per_ip_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, &[("AOS_RATE_LIMIT_AUTH_IP", "3/minute")]).await;
    for i in 0..3 {
        let res = app.login(&format!("someone{i}@example.test"), "password").await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = app.login("someone9@example.test", "password").await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "retry-after {retry}");
    assert_eq!(res.headers()["ratelimit-limit"], "3");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    assert!(res.headers().contains_key("ratelimit-reset"));
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(res.json::<Problem>().await.unwrap().code, "rate_limited");
}

#[tokio::test]
async fn sign_in_is_limited_per_account() {
    let app = spawn_app_with(Backend::Sqlite, &[("AOS_RATE_LIMIT_AUTH_ACCOUNT", "2/hour")]).await;
    for _ in 0..2 {
        assert_eq!(app.login("target@example.test", "guess").await.status(), 401);
    }
    let res = app.login("TARGET@example.test", "guess").await;
    assert_eq!(res.status(), 429, "the same account, whatever its case");
    assert_eq!(
        app.login("other@example.test", "guess").await.status(),
        401,
        "other accounts are unaffected"
    );
}

#[tokio::test]
async fn authenticated_calls_are_limited_per_caller_and_report_their_quota() {
    let app = spawn_app_with(Backend::Sqlite, &[("AOS_RATE_LIMIT_API", "5/minute")]).await;
    app.signup().await; // counted against the IP: the caller was anonymous then
    let res = app.get("/api/v1/auth/me").await; // the user's first
    assert_eq!(res.headers()["ratelimit-limit"], "5");
    assert_eq!(res.headers()["ratelimit-remaining"], "4");
    for _ in 0..4 {
        assert_eq!(app.get("/api/v1/auth/me").await.status(), 200);
    }
    let res = app.get("/api/v1/auth/me").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // Another caller (a fresh browser, unauthenticated, keyed by IP) has its own budget.
    let other = app.new_browser();
    assert_eq!(other.get("/api/v1/auth/me").await.status(), 401);
}
