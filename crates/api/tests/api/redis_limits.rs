//! With `AOS_REDIS_URL`, several API instances share one set of rate-limit counters (ignored unless
//! `AOS_TEST_REDIS_URL` is set, so a run without it reports it skipped; CI sets it), and an unreachable Redis degrades to per-instance limits.

use crate::helpers::{spawn_app_with, Backend};

#[tokio::test]
#[ignore = "Redis: needs AOS_TEST_REDIS_URL (scripts/test runs it when set)"]
async fn two_instances_share_their_counters_through_redis() {
    let url = std::env::var("AOS_TEST_REDIS_URL").expect("AOS_TEST_REDIS_URL");
    let prefix = format!("aos-test-{}", uuid::Uuid::new_v4().simple());
    let vars = [
        ("AOS_REDIS_URL", url.as_str()),
        ("AOS_REDIS_KEY_PREFIX", prefix.as_str()),
        ("AOS_RATE_LIMIT_AUTH_IP", "3/minute"),
    ];
    let a = spawn_app_with(Backend::Sqlite, &vars).await;
    let b = spawn_app_with(Backend::Sqlite, &vars).await;
    let first = a.login("x1@example.test", "pw").await;
    assert_eq!(first.status(), 401);
    assert_eq!(first.headers()["ratelimit-remaining"], "2");
    assert_eq!(b.login("x2@example.test", "pw").await.status(), 401);
    let third = a.login("x3@example.test", "pw").await;
    assert_eq!(third.headers()["ratelimit-remaining"], "0");
    let res = b.login("x4@example.test", "pw").await;
    assert_eq!(res.status(), 429, "the other instance sees the shared count");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
}

#[tokio::test]
async fn an_unreachable_redis_falls_back_to_in_process_limits() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AOS_REDIS_URL", "redis://127.0.0.1:1"),
            ("AOS_RATE_LIMIT_AUTH_IP", "2/minute"),
        ],
    )
    .await;
    assert_eq!(app.login("y1@example.test", "pw").await.status(), 401);
    assert_eq!(app.login("y2@example.test", "pw").await.status(), 401);
    assert_eq!(
        app.login("y3@example.test", "pw").await.status(),
        429,
        "still limited, per instance"
    );
}
