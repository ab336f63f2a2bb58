//! Alerts over HTTP: the rules job (once per open condition, auto-resolve, through the durable job
//! table), snooze with the test clock, escalate with its notification and audit entry, dismiss and
//! resolve, validation, tenancy and Member scoping.

use audienceos_api::store::Store;
use audienceos_shared::alerts::{Alert, AlertSeverity, AlertStatus, AlertType};
use audienceos_shared::clients::Client;
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{
    audit_actions, audit_items, fields, get_client, named_client, set_time, set_time_in, walk_pages,
};
use crate::helpers::{spawn_app_with, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    rules_raise_each_type_once_and_auto_resolve,
    a_dismissed_condition_is_not_raised_again,
    rules_run_through_the_durable_job_table,
    snooze_persists_and_the_alert_comes_back_after_its_time,
    escalate_raises_severity_assigns_notifies_and_audits,
    dismiss_and_resolve_close_and_closed_alerts_conflict,
    list_filters_paginate_and_validate,
    another_agency_gets_404_on_every_route,
    members_see_only_their_clients_alerts,
    test_hooks_do_not_exist_without_the_setting,
);

// ---- fixtures (raw SQL through the app's store: the notes/tasks/stage routes live in other branches) ----

/// An app with the test hooks and no automatic rules runs (tests run them by hand).
pub async fn hooks_app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        &[("AOS_TEST_HOOKS", "true"), ("AOS_ALERT_RULES_INTERVAL_SECS", "0")],
    )
    .await
}

pub async fn create_client(b: &Browser, name: &str, owner: Option<Uuid>) -> Client {
    named_client(b, name, owner).await
}

pub fn now() -> DateTime<Utc> {
    audienceos_api::clock::system_now()
}

/// Put the client into its stage and last activity `days` ago.
pub async fn backdate(store: &Store, client: Uuid, days: i64) {
    let sql = "update client set stage_entered_at = $1, last_activity_at = $1 where id = $2";
    set_time_in(store, sql, now() - Duration::days(days), client).await;
}

/// Move a client to the stage at `position`, entered `days_ago`.
pub async fn move_to_stage(store: &Store, agency: Uuid, client: Uuid, position: i32, days_ago: i64) -> Uuid {
    let at = now() - Duration::days(days_ago);
    audienceos_api::on_db!(&store.db, |pool| {
        let (stage_id, name): (Uuid, String) =
            sqlx::query_as("select id, name from pipeline_stage where agency_id = $1 and position = $2")
                .bind(agency)
                .bind(position)
                .fetch_one(pool)
                .await
                .unwrap();
        sqlx::query("update client set stage_id = $1, stage_entered_at = $2, last_activity_at = $2 where id = $3")
            .bind(stage_id)
            .bind(at)
            .bind(client)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(
            "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, moved_at, created_at) \
             select $1, c.agency_id, c.id, s0.id, s0.name, $2, $3, $4, $4 from client c \
             join pipeline_stage s0 on s0.agency_id = c.agency_id and s0.position = 0 where c.id = $5",
        )
        .bind(Uuid::now_v7())
        .bind(stage_id)
        .bind(&name)
        .bind(at)
        .bind(client)
        .execute(pool)
        .await
        .unwrap();
        stage_id
    })
}

/// An open task due on `due` (or done at `done`).
pub async fn add_task(
    store: &Store,
    agency: Uuid,
    client: Uuid,
    title: &str,
    due: Option<NaiveDate>,
    done: Option<DateTime<Utc>>,
) -> Uuid {
    let id = Uuid::now_v7();
    audienceos_api::on_db!(&store.db, |pool| sqlx::query(
        "insert into task (id, agency_id, client_id, title, due_date, done_at, position, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, 0, $7, $7)"
    )
    .bind(id)
    .bind(agency)
    .bind(client)
    .bind(title)
    .bind(due)
    .bind(done)
    .bind(now())
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    id
}

pub async fn add_note(store: &Store, agency: Uuid, client: Uuid, body: &str, at: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    audienceos_api::on_db!(&store.db, |pool| sqlx::query(
        "insert into note (id, agency_id, client_id, body, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)"
    )
    .bind(id)
    .bind(agency)
    .bind(client)
    .bind(body)
    .bind(at)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    id
}

/// An alert row as a provider would raise it.
pub async fn add_alert(
    store: &Store,
    agency: Uuid,
    client: Option<Uuid>,
    severity: &str,
    status: &str,
    at: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::now_v7();
    let closed = matches!(status, "dismissed" | "resolved").then_some(at);
    let snoozed = (status == "snoozed").then(|| now() + Duration::days(1));
    audienceos_api::on_db!(&store.db, |pool| {
        sqlx::query(
        "insert into alert (id, agency_id, client_id, alert_type, severity, status, title, description, reasons, dedupe_key, \
         snoozed_until, closed_at, created_at, updated_at) values ($1, $2, $3, 'risk_detected', $4, $5, $6, 'Spend dropped', '[]', $7, $8, $9, $10, $10)"
    )
    .bind(id)
    .bind(agency)
    .bind(client)
    .bind(severity)
    .bind(status)
    .bind(format!("Risk {}", &id.to_string()[..8]))
    .bind(format!("risk:{id}"))
    .bind(snoozed)
    .bind(closed)
    .bind(at)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected()
    });
    id
}

pub async fn run_rules(app: &TestApp) -> Value {
    let res = app.post("/api/test/run-alert-rules", &json!({})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

pub async fn set_clock(app: &TestApp, offset_seconds: i64) {
    let res = app
        .post("/api/test/clock", &json!({ "offset_seconds": offset_seconds }))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn list(b: &Browser, query: &str) -> Vec<Alert> {
    let res = b.get(&format!("/api/v1/alerts{query}")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let page: Page<Alert> = res.json().await.unwrap();
    page.items
}

// ---- tests ----

async fn rules_raise_each_type_once_and_auto_resolve(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let stale = create_client(&app, "Stale Co", None).await;
    let fresh = create_client(&app, "Fresh Co", None).await;
    backdate(&app.store, stale.id, 20).await;
    let yesterday = now().date_naive() - Duration::days(1);
    let mut tasks = Vec::new();
    for i in 0..3 {
        tasks.push(add_task(&app.store, agency, stale.id, &format!("t{i}"), Some(yesterday), None).await);
    }
    add_task(
        &app.store,
        agency,
        fresh.id,
        "later",
        Some(yesterday + Duration::days(9)),
        None,
    )
    .await;

    let first = run_rules(&app).await;
    assert_eq!(first["raised"], 3, "{first}");
    let open = list(&app, "").await;
    assert_eq!(open.len(), 3);
    let mut kinds: Vec<(AlertType, AlertSeverity)> = open.iter().map(|a| (a.alert_type, a.severity)).collect();
    kinds.sort_by_key(|k| k.0.as_str());
    assert_eq!(
        kinds,
        [
            (AlertType::Inactivity, AlertSeverity::Medium),
            (AlertType::OverdueTasks, AlertSeverity::High),
            (AlertType::StageOverdue, AlertSeverity::High),
        ]
    );
    assert!(open.iter().all(|a| a.client.as_ref().map(|c| c.id) == Some(stale.id)));
    assert!(open
        .iter()
        .all(|a| a.status == AlertStatus::Active && !a.reasons.is_empty()));
    // Health was refreshed by the job: 20 days in stage and 3 overdue tasks.
    let c = get_client(&app, stale.id).await;
    assert_eq!(c.health, audienceos_shared::clients::Health::Red);

    let second = run_rules(&app).await;
    assert_eq!(second["raised"], 0, "{second}");
    assert_eq!(list(&app, "").await.len(), 3, "never twice for the same open condition");

    // The conditions go away: new stage, activity, tasks done.
    move_to_stage(&app.store, agency, stale.id, 1, 0).await;
    set_time(
        &app,
        "update task set done_at = $1 where client_id = $2",
        now(),
        stale.id,
    )
    .await;
    let third = run_rules(&app).await;
    assert_eq!(third["resolved"], 3, "{third}");
    assert!(list(&app, "").await.is_empty());
    let resolved = list(&app, "?status=resolved").await;
    assert_eq!(resolved.len(), 3);
    assert!(resolved.iter().all(|a| a.closed_at.is_some()));

    // A new condition later is a new alert.
    backdate(&app.store, stale.id, 30).await;
    let fourth = run_rules(&app).await;
    assert_eq!(fourth["raised"], 2, "{fourth}");
    assert_eq!(list(&app, "?status=all").await.len(), 5);
}

async fn a_dismissed_condition_is_not_raised_again(backend: Backend) {
    let app = hooks_app(backend).await;
    app.signup().await;
    let c = create_client(&app, "Quiet Co", None).await;
    backdate(&app.store, c.id, 15).await;
    run_rules(&app).await;
    let stage = list(&app, "?type=stage_overdue").await;
    assert_eq!(stage.len(), 1);
    let res = app
        .post(&format!("/api/v1/alerts/{}/dismiss", stage[0].id), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let again = run_rules(&app).await;
    assert_eq!(again["raised"], 0, "{again}");
    assert!(list(&app, "?type=stage_overdue").await.is_empty());
}

async fn rules_run_through_the_durable_job_table(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[("AOS_ALERT_RULES_INTERVAL_SECS", "1"), ("AOS_JOB_POLL_MS", "20")],
    )
    .await;
    app.signup().await;
    let c = create_client(&app, "Scheduled Co", None).await;
    backdate(&app.store, c.id, 16).await;
    let mut found = Vec::new();
    for _ in 0..200 {
        found = list(&app, "?type=stage_overdue").await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found.len(), 1, "the scheduled job raised the alert");
    let jobs: i64 = audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_scalar(
        "select count(*) from job where kind = 'alerts.rules' and status = 'done'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert!(jobs >= 1);
    // Later runs keep one open alert for the condition.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(list(&app, "?type=stage_overdue").await.len(), 1);
}

async fn snooze_persists_and_the_alert_comes_back_after_its_time(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let c = create_client(&app, "Snoozy", None).await;
    let id = add_alert(&app.store, me.agency.id, Some(c.id), "high", "active", now()).await;
    let path = format!("/api/v1/alerts/{id}/snooze");

    for (until, why) in [
        (now() - Duration::minutes(1), "past"),
        (now() + Duration::days(91), "too far"),
    ] {
        let res = app.post(&path, &json!({ "until": until })).await;
        assert_eq!(res.status(), 422, "{why}");
        assert_eq!(fields(&res.json().await.unwrap()), ["until"]);
    }
    let bad = app.post(&path, &json!({ "until": "tomorrow" })).await;
    assert_eq!(bad.status(), 400);

    let until = now() + Duration::hours(2);
    let res = app.post(&path, &json!({ "until": until })).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let snoozed: Alert = res.json().await.unwrap();
    assert_eq!(snoozed.status, AlertStatus::Snoozed);
    assert!(snoozed.snoozed_until.is_some());

    // Persisted: hidden from the open list, shown under snoozed, and GET says snoozed.
    assert!(list(&app, "").await.is_empty());
    assert_eq!(list(&app, "?status=snoozed").await.len(), 1);
    let got: Alert = app.get_json(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(got.status, AlertStatus::Snoozed);

    // Three hours later it is back, as active.
    set_clock(&app, 3 * 3600).await;
    let open = list(&app, "").await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].status, AlertStatus::Active);
    assert_eq!(list(&app, "?status=active").await.len(), 1);
    assert!(list(&app, "?status=snoozed").await.is_empty());

    assert!(audit_items(&app, "")
        .await
        .iter()
        .any(|e| e["action"] == "alert.snoozed" && e["metadata"]["alert_id"] == id.to_string()));
}

async fn escalate_raises_severity_assigns_notifies_and_audits(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let (_member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    let c = create_client(&app, "Escalation Co", None).await;
    let id = add_alert(&app.store, me.agency.id, Some(c.id), "high", "active", now()).await;
    let path = format!("/api/v1/alerts/{id}/escalate");

    let unknown = app.post(&path, &json!({ "to_user_id": Uuid::now_v7() })).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(fields(&unknown.json().await.unwrap()), ["to_user_id"]);
    let long = app
        .post(
            &path,
            &json!({ "to_user_id": member_me.user.id, "note": "x".repeat(1001) }),
        )
        .await;
    assert_eq!(long.status(), 422);
    assert_eq!(fields(&long.json().await.unwrap()), ["note"]);
    let other = app.new_browser();
    let (_, other_me) = other.signup().await;
    let foreign = app.post(&path, &json!({ "to_user_id": other_me.user.id })).await;
    assert_eq!(foreign.status(), 422, "a user of another agency is not a member");

    let res = app
        .post(
            &path,
            &json!({ "to_user_id": member_me.user.id, "note": "Call them today" }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let a: Alert = res.json().await.unwrap();
    assert_eq!(a.severity, AlertSeverity::Critical);
    assert_eq!(a.status, AlertStatus::Escalated);
    assert_eq!(a.escalated_to.as_ref().map(|u| u.id), Some(member_me.user.id));
    let got: Alert = app.get_json(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(got, a, "persisted");
    assert_eq!(list(&app, "?status=escalated").await.len(), 1);
    assert_eq!(list(&app, "").await.len(), 1, "escalated alerts are open");

    let notes = app
        .store
        .list_notifications(me.agency.id, member_me.user.id)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, "alert_escalated");
    assert_eq!(notes[0].link.as_deref(), Some(format!("/alerts?alert={id}").as_str()));
    assert!(notes[0].body.contains("Call them today"));

    // A critical open alert feeds the client's health.
    let client = get_client(&app, c.id).await;
    assert_eq!(client.health, audienceos_shared::clients::Health::Red);

    let entry = audit_items(&app, "")
        .await
        .iter()
        .find(|e| e["action"] == "alert.escalated")
        .cloned()
        .expect("audited");
    assert_eq!(entry["metadata"]["to_user_id"], member_me.user.id.to_string());

    // The email goes out through the outbox.
    let mut mailed = false;
    for _ in 0..100 {
        let dir = app.data_dir.path().join("outbox");
        mailed = std::fs::read_dir(&dir).into_iter().flatten().flatten().any(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| crate::helpers::unfold_qp(&t).contains(&format!("/alerts?alert={id}")))
        });
        if mailed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(mailed, "escalation email written to the outbox");
}

async fn dismiss_and_resolve_close_and_closed_alerts_conflict(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let c = create_client(&app, "Closer", None).await;
    let a = add_alert(&app.store, me.agency.id, Some(c.id), "low", "active", now()).await;
    let b = add_alert(&app.store, me.agency.id, None, "critical", "active", now()).await;

    let res = app.post(&format!("/api/v1/alerts/{a}/dismiss"), &json!({})).await;
    assert_eq!(res.status(), 200);
    let dismissed: Alert = res.json().await.unwrap();
    assert_eq!(dismissed.status, AlertStatus::Dismissed);
    assert!(dismissed.closed_at.is_some());
    let res = app.post(&format!("/api/v1/alerts/{b}/resolve"), &json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Alert>().await.unwrap().status, AlertStatus::Resolved);

    for (id, action, body) in [
        (a, "dismiss", json!({})),
        (a, "resolve", json!({})),
        (b, "snooze", json!({ "until": now() + Duration::hours(1) })),
        (b, "escalate", json!({ "to_user_id": me.user.id })),
    ] {
        let res = app.post(&format!("/api/v1/alerts/{id}/{action}"), &body).await;
        assert_eq!(res.status(), 409, "{action}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["code"], "alert_closed");
    }
    let closed_by: Option<Uuid> = audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_scalar(
        "select closed_by from alert where id = $1"
    )
    .bind(a)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(closed_by, Some(me.user.id));
    let actions = audit_actions(&app, "").await;
    assert!(actions.contains(&"alert.dismissed".into()) && actions.contains(&"alert.resolved".into()));
}

async fn list_filters_paginate_and_validate(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let c = create_client(&app, "Filter Co", None).await;
    let base = now() - Duration::hours(1);
    let mut ids = Vec::new();
    for (i, sev) in ["low", "medium", "high", "critical", "high"].iter().enumerate() {
        let client = (i % 2 == 0).then_some(c.id);
        ids.push(
            add_alert(
                &app.store,
                me.agency.id,
                client,
                sev,
                "active",
                base + Duration::minutes(i as i64),
            )
            .await,
        );
    }
    add_alert(&app.store, me.agency.id, Some(c.id), "high", "resolved", base).await;

    assert_eq!(list(&app, "?severity=high").await.len(), 2);
    assert_eq!(list(&app, &format!("?client_id={}", c.id)).await.len(), 3);
    assert_eq!(list(&app, "?type=risk_detected").await.len(), 5);
    assert!(list(&app, "?type=inactivity").await.is_empty());
    assert_eq!(list(&app, "?status=all").await.len(), 6);

    // Newest first, every open alert once over pages of 2.
    let seen: Vec<Uuid> = walk_pages::<Alert>(&app, "/api/v1/alerts", 2)
        .await
        .iter()
        .map(|a| a.id)
        .collect();
    ids.reverse();
    assert_eq!(seen, ids);

    for (q, field) in [
        ("?status=bogus", "status"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
    ] {
        let res = app.get(&format!("/api/v1/alerts{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
        assert_eq!(fields(&res.json().await.unwrap()), [field], "{q}");
    }
    assert_eq!(app.get("/api/v1/alerts?severity=huge").await.status(), 400);
    assert_eq!(app.get("/api/v1/alerts/not-a-uuid").await.status(), 400);
    assert_eq!(
        app.get(&format!("/api/v1/alerts/{}", Uuid::now_v7())).await.status(),
        404
    );
    assert_eq!(app.delete(&format!("/api/v1/alerts/{}", ids[0])).await.status(), 405);
    assert_eq!(
        app.patch(&format!("/api/v1/alerts/{}", ids[0]), &json!({}))
            .await
            .status(),
        405
    );
    assert_eq!(
        app.put(&format!("/api/v1/alerts/{}/snooze", ids[0]), &json!({}))
            .await
            .status(),
        405
    );
    let raw = app
        .with_csrf(app.client.post(app.url(&format!("/api/v1/alerts/{}/snooze", ids[0]))))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
}

async fn another_agency_gets_404_on_every_route(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let c = create_client(&app, "Private", None).await;
    let id = add_alert(&app.store, me.agency.id, Some(c.id), "medium", "active", now()).await;
    let other = app.new_browser();
    let (_, other_me) = other.signup().await;

    assert_eq!(other.get(&format!("/api/v1/alerts/{id}")).await.status(), 404);
    for (action, body) in [
        ("snooze", json!({ "until": now() + Duration::hours(1) })),
        ("escalate", json!({ "to_user_id": other_me.user.id })),
        ("dismiss", json!({})),
        ("resolve", json!({})),
    ] {
        let res = other.post(&format!("/api/v1/alerts/{id}/{action}"), &body).await;
        assert_eq!(res.status(), 404, "{action}");
    }
    assert!(list(&other, "?status=all").await.is_empty());
    assert!(list(&other, &format!("?client_id={}", c.id)).await.is_empty());
    let mine: Alert = app.get_json(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(mine.status, AlertStatus::Active, "untouched");
}

async fn members_see_only_their_clients_alerts(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    let theirs = create_client(&app, "Theirs", Some(member_me.user.id)).await;
    let others = create_client(&app, "Others", None).await;
    let visible = add_alert(&app.store, me.agency.id, Some(theirs.id), "medium", "active", now()).await;
    let hidden = add_alert(&app.store, me.agency.id, Some(others.id), "medium", "active", now()).await;
    let agency_wide = add_alert(&app.store, me.agency.id, None, "medium", "active", now()).await;

    let seen: Vec<Uuid> = list(&member, "").await.iter().map(|a| a.id).collect();
    assert_eq!(seen, [visible]);
    assert_eq!(member.get(&format!("/api/v1/alerts/{visible}")).await.status(), 200);
    assert_eq!(member.get(&format!("/api/v1/alerts/{hidden}")).await.status(), 404);
    assert_eq!(member.get(&format!("/api/v1/alerts/{agency_wide}")).await.status(), 404);
    assert_eq!(
        member
            .post(&format!("/api/v1/alerts/{visible}/dismiss"), &json!({}))
            .await
            .status(),
        403,
        "Members read alerts; acting needs clients:write"
    );
    assert_eq!(list(&manager, "").await.len(), 3);
    assert_eq!(
        manager
            .post(&format!("/api/v1/alerts/{agency_wide}/resolve"), &json!({}))
            .await
            .status(),
        200
    );
}

async fn test_hooks_do_not_exist_without_the_setting(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    app.signup().await;
    for path in ["/api/test/clock", "/api/test/run-alert-rules"] {
        let res = app.post(path, &json!({ "offset_seconds": 10 })).await;
        assert_eq!(res.status(), 404, "{path}");
    }
}
