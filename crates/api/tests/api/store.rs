//! The store story, run on SQLite and (with `AOS_TEST_POSTGRES_URL`) on a fresh Postgres database.

use audienceos_api::clock::system_now as now;
use audienceos_api::store::agencies::NewAgencyWithOwner;
use audienceos_api::store::api_keys::NewApiKey;
use audienceos_api::store::audit::NewAuditEvent;
use audienceos_api::store::jobs::NewJob;
use audienceos_api::store::outbox::NewEmail;
use audienceos_api::store::sessions::NewSession;
use audienceos_api::store::StoreError;
use audienceos_shared::permissions::{allows, Action, Resource, SystemRole};
use chrono::Duration;

use crate::helpers::{spawn_app, spawn_app_with, Backend};
use crate::on_both;

on_both!(
    store_story,
    job_queue_leases_retries_and_idempotency,
    a_pool_of_one_serves_requests_beside_the_event_listener
);

pub(crate) fn new_agency(tag: &str) -> NewAgencyWithOwner {
    NewAgencyWithOwner {
        agency_name: format!("Agency {tag}"),
        slug: format!("agency-{tag}"),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: format!("ada-{tag}@example.test"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
    }
}

async fn store_story(backend: Backend) {
    // The worker polls once a minute, so it cannot send the queued email between the story's own steps.
    let app = spawn_app_with(backend, &[("AOS_JOB_POLL_MS", "60000")]).await;
    let store = &app.store;
    let t0 = now();
    store.ping().await.unwrap();
    let (applied, known) = store.migration_status().await.unwrap();
    assert_eq!(applied, known);

    // Agency + roles + owner.
    let (agency, owner) = store.create_agency_with_owner(&new_agency("a"), t0).await.unwrap();
    assert_eq!(agency.slug, "agency-a");
    assert_eq!(agency.created_at, t0, "timestamps round-trip at microsecond precision");
    assert!(owner.is_owner);
    let role = store.get_role(agency.id, owner.role_id).await.unwrap();
    assert_eq!(role.system(), Some(SystemRole::Owner));
    for r in SystemRole::ALL {
        let row = store.get_system_role(agency.id, r).await.unwrap();
        let perms = store.role_permissions(agency.id, row.id).await.unwrap();
        assert_eq!(perms.len(), r.default_permissions().len(), "{r:?}");
    }
    let manager = store.get_system_role(agency.id, SystemRole::Manager).await.unwrap();
    let perms = store.role_permissions(agency.id, manager.id).await.unwrap();
    assert!(allows(&perms, Resource::Clients, Action::Write) && !allows(&perms, Resource::Settings, Action::Read));

    // Conflicts map to named constraints.
    let mut dup = new_agency("b");
    dup.email = owner.email.clone();
    match store.create_agency_with_owner(&dup, t0).await {
        Err(StoreError::Conflict { constraint }) => assert_eq!(constraint, "app_user_email_key"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(
        !store.slug_exists("agency-b").await.unwrap(),
        "the failed sign-up left nothing behind"
    );
    let (agency_b, owner_b) = store.create_agency_with_owner(&new_agency("b"), t0).await.unwrap();

    // Tenancy: agency B cannot read A's user.
    assert!(matches!(
        store.get_user(agency_b.id, owner.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.find_user_by_email(&owner.email).await.unwrap().unwrap().id,
        owner.id
    );
    assert!(store.update_password(owner.id, "new-hash", t0).await.unwrap());

    // Sessions: idle and absolute expiry, revocation.
    let session = NewSession {
        user_id: owner.id,
        agency_id: agency.id,
        token_hash: "h1".into(),
        csrf_token: "c1".into(),
        ip: Some("127.0.0.1".into()),
        user_agent: None,
        idle_expires_at: t0 + Duration::minutes(10),
        absolute_expires_at: t0 + Duration::hours(1),
    };
    let sid = store.insert_session(&session, t0).await.unwrap();
    assert_eq!(store.find_active_session("h1", t0).await.unwrap().unwrap().id, sid);
    // Whether session h1 is active `minutes` after t0.
    let h1_active = |minutes: i64| async move {
        let at = t0 + Duration::minutes(minutes);
        store.find_active_session("h1", at).await.unwrap().is_some()
    };
    assert!(!h1_active(11).await, "idle expiry");
    store
        .touch_session(sid, t0 + Duration::minutes(9), t0 + Duration::minutes(19))
        .await
        .unwrap();
    assert!(h1_active(11).await, "sliding");
    store
        .touch_session(sid, t0 + Duration::minutes(50), t0 + Duration::hours(5))
        .await
        .unwrap();
    assert!(!h1_active(61).await, "absolute expiry");
    let sid2 = store
        .insert_session(
            &NewSession {
                token_hash: "h2".into(),
                ..session.clone()
            },
            t0,
        )
        .await
        .unwrap();
    assert_eq!(store.revoke_user_sessions(owner.id, Some(sid2), t0).await.unwrap(), 1);
    assert!(store.find_active_session("h1", t0).await.unwrap().is_none());
    store.revoke_session(sid2, t0).await.unwrap();
    assert!(store.find_active_session("h2", t0).await.unwrap().is_none());

    // API keys: keyset pagination, tenancy, revocation.
    let member = store.get_system_role(agency.id, SystemRole::Member).await.unwrap();
    for i in 0..5 {
        store
            .insert_api_key(
                &NewApiKey {
                    agency_id: agency.id,
                    created_by: owner.id,
                    role_id: member.id,
                    name: format!("key {i}"),
                    prefix: format!("aos_{i}"),
                    key_hash: format!("kh{i}"),
                    expires_at: t0 + Duration::days(1),
                },
                t0 + Duration::seconds(i),
            )
            .await
            .unwrap();
    }
    let (page1, cursor) = store.list_api_keys(agency.id, 2, None).await.unwrap();
    assert_eq!(
        page1.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["key 4", "key 3"]
    );
    let (page2, cursor) = store.list_api_keys(agency.id, 2, cursor.as_deref()).await.unwrap();
    assert_eq!(
        page2.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["key 2", "key 1"]
    );
    let (page3, cursor) = store.list_api_keys(agency.id, 2, cursor.as_deref()).await.unwrap();
    assert_eq!((page3.len(), cursor), (1, None));
    assert!(store.list_api_keys(agency_b.id, 50, None).await.unwrap().0.is_empty());
    let k = &page1[0];
    assert!(store.find_active_api_key("kh4", t0).await.unwrap().is_some());
    assert!(matches!(
        store.revoke_api_key(agency_b.id, k.id, t0).await,
        Err(StoreError::NotFound)
    ));
    let revoked = store.revoke_api_key(agency.id, k.id, t0).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(store.find_active_api_key("kh4", t0).await.unwrap().is_none());
    store.touch_api_key(page1[1].id, t0).await.unwrap();

    // Password resets: single use, expiring, revoke sessions.
    let sid3 = store
        .insert_session(
            &NewSession {
                token_hash: "h3".into(),
                ..session.clone()
            },
            t0,
        )
        .await
        .unwrap();
    store
        .insert_password_reset(owner.id, "r1", t0 + Duration::minutes(30), t0)
        .await
        .unwrap();
    assert!(
        store
            .consume_password_reset("r1", "x", t0 + Duration::minutes(31))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert_eq!(
        store.consume_password_reset("r1", "x", t0).await.unwrap(),
        Some((owner.id, agency.id))
    );
    assert!(
        store.consume_password_reset("r1", "x", t0).await.unwrap().is_none(),
        "used"
    );
    assert!(store.find_active_session("h3", t0).await.unwrap().is_none());
    let _ = sid3;

    // Audit log: per agency, newest first.
    for (i, action) in ["a.one", "a.two", "a.three"].into_iter().enumerate() {
        let e = NewAuditEvent {
            agency_id: Some(agency.id),
            actor_user_id: Some(owner.id),
            action,
            outcome: "success",
            ip: None,
            metadata: serde_json::json!({ "i": i }),
        };
        store.insert_audit(&e, t0 + Duration::seconds(i as i64)).await.unwrap();
    }
    let (events, next) = store.list_audit(agency.id, 2, None).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["a.three", "a.two"]
    );
    assert_eq!(events[0].metadata.0["i"], 2);
    assert_eq!(events[0].actor_first_name.as_deref(), Some("Ada"));
    let (rest, _) = store.list_audit(agency.id, 2, next.as_deref()).await.unwrap();
    assert_eq!(rest[0].action, "a.one");
    assert!(store.list_audit(agency_b.id, 10, None).await.unwrap().0.is_empty());
    let _ = owner_b;

    // Outbox: the email and its job are written together.
    let email_id = store
        .queue_email(
            &NewEmail {
                agency_id: Some(agency.id),
                to: "x@example.test".into(),
                subject: "s".into(),
                body_text: "b".into(),
                body_html: None,
            },
            t0,
        )
        .await
        .unwrap();
    let email = store.get_email(email_id).await.unwrap();
    assert_eq!(email.status, "queued");
    store
        .mark_email_attempt_failed(email_id, "boom", false, t0)
        .await
        .unwrap();
    store.mark_email_sent(email_id, t0).await.unwrap();
    let email = store.get_email(email_id).await.unwrap();
    assert_eq!((email.status.as_str(), email.attempts), ("sent", 2));
}

async fn job_queue_leases_retries_and_idempotency(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = &app.store;
    let t0 = now() + Duration::days(365); // far from the app's own worker, which only sees jobs due now
    let job = NewJob {
        kind: "test.job",
        payload: serde_json::json!({ "n": 1 }),
        run_at: t0,
        max_attempts: 2,
        idempotency_key: Some("k1".into()),
    };
    let id = store.enqueue_job(&job, t0).await.unwrap();
    assert_eq!(store.enqueue_job(&job, t0).await.unwrap(), id, "same key, same job");
    assert!(
        store
            .claim_job("w1", t0 - Duration::seconds(1), 60)
            .await
            .unwrap()
            .is_none(),
        "not due yet"
    );
    assert_eq!(
        store.oldest_due_job(t0 + Duration::seconds(30)).await.unwrap(),
        Some(t0)
    );

    // A claim by `worker`, `secs` after t0, with a 60 s lease.
    let claim = |worker: &'static str, secs: i64| async move {
        store.claim_job(worker, t0 + Duration::seconds(secs), 60).await.unwrap()
    };
    let claimed = claim("w1", 0).await.unwrap();
    assert_eq!(
        (claimed.id, claimed.attempts, claimed.status.as_str()),
        (id, 1, "running")
    );
    assert_eq!(claimed.payload.0["n"], 1);
    assert!(claim("w2", 30).await.is_none(), "leased");
    let reclaimed = claim("w2", 61).await.unwrap();
    assert_eq!(
        (reclaimed.id, reclaimed.attempts),
        (id, 2),
        "an expired lease is reclaimed"
    );

    store
        .fail_job(
            id,
            "boom",
            Some(t0 + Duration::seconds(100)),
            t0 + Duration::seconds(62),
        )
        .await
        .unwrap();
    assert!(claim("w1", 99).await.is_none(), "backoff");
    let third = claim("w1", 100).await.unwrap();
    assert_eq!(third.last_error.as_deref(), Some("boom"));
    store.complete_job(id, t0 + Duration::seconds(101)).await.unwrap();
    assert_eq!(store.get_job(id).await.unwrap().status, "done");
    assert!(store
        .claim_job("w1", t0 + Duration::days(1), 60)
        .await
        .unwrap()
        .is_none());

    let id2 = store
        .enqueue_job(
            &NewJob {
                idempotency_key: None,
                ..job.clone()
            },
            t0,
        )
        .await
        .unwrap();
    let c = store.claim_job("w1", t0, 60).await.unwrap().unwrap();
    assert_eq!(c.id, id2);
    store.fail_job(id2, "fatal", None, t0).await.unwrap();
    assert_eq!(store.get_job(id2).await.unwrap().status, "failed");

    // Concurrent claimers never both win the same job.
    for i in 0..6 {
        store
            .enqueue_job(
                &NewJob {
                    idempotency_key: Some(format!("c{i}")),
                    ..job.clone()
                },
                t0,
            )
            .await
            .unwrap();
    }
    let claims = futures_util::future::join_all((0..12).map(|w| {
        let store = store.clone();
        async move { store.claim_job(&format!("w{w}"), t0, 60).await.unwrap().map(|j| j.id) }
    }))
    .await;
    let mut won: Vec<_> = claims.into_iter().flatten().collect();
    let n = won.len();
    won.sort();
    won.dedup();
    assert_eq!(won.len(), n, "a job was claimed twice");
    assert!(n <= 6);
}

#[test]
fn both_migration_folders_list_the_same_versions() {
    let list = |dir: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(format!("{}/../../migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    };
    assert_eq!(list("sqlite"), list("postgres"));
    assert!(!list("sqlite").is_empty());
}

/// `AOS_DATABASE_POOL_SIZE=1` is accepted, so it must work: the live-event listener's connection comes on
/// top of it (on Postgres it used to take the only one, and every request then timed out).
async fn a_pool_of_one_serves_requests_beside_the_event_listener(backend: Backend) {
    let app = spawn_app_with(backend, &[("AOS_DATABASE_POOL_SIZE", "1")]).await;
    app.signup().await;
    let stream = app.get("/api/v1/events").await;
    assert_eq!(stream.status(), 200);
    for _ in 0..3 {
        let res = app
            .post("/api/v1/clients", &serde_json::json!({ "name": "Pool Co" }))
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        assert_eq!(app.get("/api/v1/clients").await.status(), 200);
    }
    drop(stream);
}

/// SQLite keeps the planner's row counts but no STAT4 value samples, which would make every statement
/// whose plan could depend on a bound value recompile on each execution.
#[tokio::test]
async fn sqlite_statistics_keep_row_counts_without_value_samples() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signup().await;
    for n in 0..30 {
        let res = app
            .post("/api/v1/clients", &serde_json::json!({ "name": format!("Stat {n}") }))
            .await;
        assert_eq!(res.status(), 201);
    }
    let audienceos_api::store::Db::Sqlite(pool) = &app.store.db else {
        unreachable!()
    };
    sqlx::query("analyze").execute(pool).await.unwrap();
    let samples = "select count(*) from sqlite_stat4";
    let before: i64 = sqlx::query_scalar(samples).fetch_one(pool).await.unwrap();
    assert!(before > 0, "a full analyze writes samples");
    app.store.analyze().await.unwrap();
    let after: i64 = sqlx::query_scalar(samples).fetch_one(pool).await.unwrap();
    assert_eq!(after, 0);
    let counts: i64 = sqlx::query_scalar("select count(*) from sqlite_stat1")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(counts > 0, "row counts stay");
}
