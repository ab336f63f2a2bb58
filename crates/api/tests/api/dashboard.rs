//! The dashboard over HTTP: KPI numbers on a known data set with previous values and trends from a
//! snapshot, Member scoping, daily trends with every day present, and the firehose walked page by page.

use std::collections::HashSet;

use audienceos_shared::dashboard::{DashboardKpis, FirehoseItem, FirehoseKind, Trend, TrendSeries};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use chrono::Duration;
use serde_json::{json, Value};

use crate::alerts::{add_alert, add_note, add_task, create_client, hooks_app, move_to_stage, now, run_rules};
use crate::fixtures::{set_time, walk_pages};
use crate::helpers::{Backend, Browser};
use crate::on_both;

on_both!(
    kpis_on_a_known_data_set_with_previous_and_trend,
    trends_fill_empty_days_and_validate_the_range,
    firehose_walks_every_item_once_newest_first,
    another_agency_sees_none_of_it,
);

fn kpi(k: &DashboardKpis, key: &str) -> (f64, Option<f64>, Trend) {
    let c = k.kpis.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("{key}"));
    (c.value, c.previous, c.trend)
}

/// The values of the KPIs `keys`, in that order.
fn values<const N: usize>(k: &DashboardKpis, keys: [&str; N]) -> [f64; N] {
    keys.map(|key| kpi(k, key).0)
}

async fn kpis_of(b: &Browser, q: &str) -> DashboardKpis {
    let res = b.get(&format!("/api/v1/dashboard/kpis{q}")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn kpis_on_a_known_data_set_with_previous_and_trend(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let (member, member_me) = app.add_user(agency, SystemRole::Member).await;

    // Before any snapshot: every trend unknown.
    let empty = kpis_of(&app, "").await;
    assert_eq!(empty.period_days, 30);
    assert_eq!(empty.kpis.len(), 7);
    assert!(empty
        .kpis
        .iter()
        .all(|k| k.trend == Trend::Unknown && k.previous.is_none()));
    assert_eq!(kpi(&empty, "active_clients").0, 0.0);

    let a = create_client(&app, "A (onboarding, member's)", Some(member_me.user.id)).await;
    let b = create_client(&app, "B (ten days in Installation)", None).await;
    let archived = create_client(&app, "C (archived)", None).await;
    move_to_stage(&app.store, agency, b.id, 1, 10).await;
    set_time(
        &app,
        "update client set archived_at = $1 where id = $2",
        now(),
        archived.id,
    )
    .await;
    let today = now().date_naive();
    for (client, title, due, done) in [
        (a.id, "overdue", Some(today - Duration::days(1)), None),
        (a.id, "no due date", None, None),
        (a.id, "done", Some(today - Duration::days(3)), Some(now())),
        (b.id, "due later", Some(today + Duration::days(3)), None),
        (archived.id, "archived client's", Some(today - Duration::days(3)), None),
    ] {
        add_task(&app.store, agency, client, title, due, done).await;
    }
    add_alert(&app.store, agency, Some(b.id), "medium", "active", now()).await;
    add_alert(&app.store, agency, Some(a.id), "low", "escalated", now()).await;
    add_alert(&app.store, agency, None, "low", "resolved", now()).await;
    add_alert(&app.store, agency, Some(b.id), "low", "snoozed", now()).await;
    app.store.refresh_health(agency, None, now()).await.unwrap();

    let k = kpis_of(&app, "?period_days=7").await;
    assert_eq!(k.period_days, 7);
    assert_eq!(kpi(&k, "active_clients").0, 2.0);
    assert_eq!(
        kpi(&k, "at_risk").0,
        2.0,
        "A has an overdue task (yellow), B 10 days in stage (yellow)"
    );
    let rest = [
        "avg_days_in_stage",
        "onboarding",
        "open_tasks",
        "overdue_tasks",
        "open_alerts",
    ];
    assert_eq!(values(&k, rest), [5.0, 1.0, 3.0, 1.0, 2.0]);
    let card = k.kpis.iter().find(|c| c.key == "at_risk").unwrap();
    assert!(!card.higher_is_better);
    assert_eq!(card.link, "/clients?health=red,yellow");
    let first_stage: Value = app.get_json("/api/v1/pipeline/stages").await;
    let first_stage = first_stage[0]["id"].as_str().unwrap().to_string();
    let links: Vec<(&str, String)> = k.kpis.iter().map(|c| (c.key.as_str(), c.link.clone())).collect();
    assert_eq!(
        links,
        [
            ("active_clients", "/clients".to_string()),
            ("at_risk", "/clients?health=red,yellow".into()),
            ("avg_days_in_stage", "/pipeline".into()),
            ("onboarding", format!("/clients?stage_id={first_stage}")),
            ("open_tasks", "/tasks".into()),
            ("overdue_tasks", "/tasks?due=overdue".into()),
            ("open_alerts", "/alerts".into()),
        ]
    );
    // Following a count card's link lists exactly what the card counts (the SPA page of each link reads
    // the API list of the same path and query).
    for card in k.kpis.iter().filter(|c| c.unit == "count") {
        let listed: Page<Value> = app.get_json(&format!("/api/v1{}", card.link)).await;
        assert_eq!(listed.items.len() as f64, card.value, "{} via {}", card.key, card.link);
    }
    assert_eq!(
        k.kpis.iter().find(|c| c.key == "avg_days_in_stage").unwrap().unit,
        "days"
    );

    // A snapshot 40 days ago is the nearest one before today - 30 (and before today - 7).
    let old = json!({ "active_clients": 1.0, "at_risk": 2.0, "avg_days_in_stage": 8.0, "onboarding": 3.0,
        "open_tasks": 3.0, "overdue_tasks": 0.0, "open_alerts": 5.0 });
    app.store
        .upsert_kpi_snapshot(agency, today - Duration::days(40), &old, now())
        .await
        .unwrap();
    let k = kpis_of(&app, "?period_days=30").await;
    assert_eq!(kpi(&k, "active_clients"), (2.0, Some(1.0), Trend::Up));
    assert_eq!(kpi(&k, "at_risk"), (2.0, Some(2.0), Trend::Flat));
    assert_eq!(kpi(&k, "avg_days_in_stage"), (5.0, Some(8.0), Trend::Down));
    assert_eq!(kpi(&k, "open_alerts"), (2.0, Some(5.0), Trend::Down));
    // A newer snapshot closer to the period start wins; one after it does not count.
    let newer = json!({ "active_clients": 2.0 });
    app.store
        .upsert_kpi_snapshot(agency, today - Duration::days(31), &newer, now())
        .await
        .unwrap();
    app.store
        .upsert_kpi_snapshot(
            agency,
            today - Duration::days(2),
            &json!({ "active_clients": 9.0 }),
            now(),
        )
        .await
        .unwrap();
    let k = kpis_of(&app, "").await;
    assert_eq!(kpi(&k, "active_clients"), (2.0, Some(2.0), Trend::Flat));
    assert_eq!(kpi(&k, "at_risk").2, Trend::Unknown, "absent from that snapshot");

    // The rules job writes today's snapshot (upsert: twice is one row).
    run_rules(&app).await;
    run_rules(&app).await;
    let snaps: i64 = audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_scalar(
        "select count(*) from kpi_snapshot where agency_id = $1 and day = $2"
    )
    .bind(agency)
    .bind(today)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(snaps, 1);
    let snap = app
        .store
        .kpi_snapshot_at_or_before(agency, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(snap.metrics.0["active_clients"], 2.0);

    // Members: their clients only, and no previous (snapshots are agency-wide).
    let m = kpis_of(&member, "").await;
    assert_eq!(kpi(&m, "active_clients"), (1.0, None, Trend::Unknown));
    assert_eq!(
        values(&m, ["open_tasks", "overdue_tasks", "onboarding"]),
        [2.0, 1.0, 1.0]
    );
    assert_eq!(
        kpi(&m, "open_alerts").0,
        2.0,
        "the escalated one and the rules' overdue_tasks alert on A"
    );

    for q in ["?period_days=5", "?period_days=0"] {
        let res = app.get(&format!("/api/v1/dashboard/kpis{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "period_days");
    }
}

async fn trends_fill_empty_days_and_validate_the_range(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let today = now().date_naive();
    let a = create_client(&app, "Trend A", None).await;
    create_client(&app, "Trend B", None).await;
    move_to_stage(&app.store, agency, a.id, 1, 2).await;
    add_task(
        &app.store,
        agency,
        a.id,
        "done yesterday",
        None,
        Some(now() - Duration::days(1)),
    )
    .await;
    add_task(&app.store, agency, a.id, "open", None, None).await;
    add_alert(&app.store, agency, Some(a.id), "low", "active", now()).await;
    add_alert(&app.store, agency, None, "low", "resolved", now() - Duration::days(5)).await;
    add_alert(&app.store, agency, None, "low", "active", now() - Duration::days(30)).await;

    let from = today - Duration::days(6);
    let res = app
        .get(&format!("/api/v1/dashboard/trends?from={from}&to={today}"))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let t: TrendSeries = res.json().await.unwrap();
    assert_eq!(t.points.len(), 7);
    assert_eq!(t.points[0].date, from);
    assert_eq!(t.points[6].date, today);
    let day = |d: i64| t.points.iter().find(|p| p.date == today - Duration::days(d)).unwrap();
    assert_eq!(day(0).new_clients, 2);
    assert_eq!(day(0).alerts_raised, 1);
    assert_eq!(
        day(2).stage_moves,
        1,
        "the creation event (no from stage) is not a move"
    );
    assert_eq!(day(1).tasks_completed, 1);
    assert_eq!(day(5).alerts_raised, 1);
    let total: i64 = t
        .points
        .iter()
        .map(|p| p.new_clients + p.stage_moves + p.tasks_completed + p.alerts_raised)
        .sum();
    assert_eq!(total, 6);
    assert_eq!(
        day(3).new_clients + day(3).stage_moves + day(3).tasks_completed + day(3).alerts_raised,
        0
    );

    // One day works; 366 days is the most.
    let one: TrendSeries = app
        .get_json(&format!("/api/v1/dashboard/trends?from={today}&to={today}"))
        .await;
    assert_eq!(one.points.len(), 1);
    let year = app
        .get(&format!(
            "/api/v1/dashboard/trends?from={}&to={today}",
            today - Duration::days(365)
        ))
        .await;
    assert_eq!(year.status(), 200);
    assert_eq!(year.json::<TrendSeries>().await.unwrap().points.len(), 366);

    for (f, t) in [(today, today - Duration::days(1)), (today - Duration::days(366), today)] {
        let res = app.get(&format!("/api/v1/dashboard/trends?from={f}&to={t}")).await;
        assert_eq!(res.status(), 422, "{f}..{t}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "to");
    }
    assert_eq!(
        app.get("/api/v1/dashboard/trends?from=nope&to=2026-01-01")
            .await
            .status(),
        400
    );
}

async fn walk(b: &Browser, limit: usize) -> Vec<FirehoseItem> {
    walk_kind(b, limit, "").await
}

/// Every page of the firehose, `extra` (e.g. `&kind=alert`) added to each request.
async fn walk_kind(b: &Browser, limit: usize, extra: &str) -> Vec<FirehoseItem> {
    walk_pages(b, &format!("/api/v1/dashboard/firehose?{extra}"), limit).await
}

async fn firehose_walks_every_item_once_newest_first(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let (member, member_me) = app.add_user(agency, SystemRole::Member).await;
    let today = now().date_naive();
    let a = create_client(&app, "Hose A", Some(member_me.user.id)).await;
    let b = create_client(&app, "Hose B", None).await;
    move_to_stage(&app.store, agency, a.id, 1, 3).await;
    move_to_stage(&app.store, agency, b.id, 2, 1).await;
    for i in 0..3 {
        add_note(
            &app.store,
            agency,
            a.id,
            &format!("note {i}"),
            now() - Duration::hours(i),
        )
        .await;
    }
    add_note(
        &app.store,
        agency,
        b.id,
        &"long ".repeat(100),
        now() - Duration::hours(30),
    )
    .await;
    for (client, title, due, done) in [
        (a.id, "past due", Some(today - Duration::days(2)), None),
        (b.id, "due soon", Some(today + Duration::days(2)), None),
        (b.id, "done", Some(today), Some(now())),
        (b.id, "no date", None, None),
    ] {
        add_task(&app.store, agency, client, title, due, done).await;
    }
    // Five tasks due the same day: they tie at that midnight and straddle page boundaries.
    for i in 0..5 {
        add_task(
            &app.store,
            agency,
            a.id,
            &format!("same day {i}"),
            Some(today - Duration::days(3)),
            None,
        )
        .await;
    }
    let open = add_alert(
        &app.store,
        agency,
        Some(a.id),
        "high",
        "active",
        now() - Duration::minutes(5),
    )
    .await;
    for (client, status, at) in [
        (None, "active", now() - Duration::days(4)),
        (Some(b.id), "resolved", now() - Duration::days(1)),
        (Some(b.id), "snoozed", now()),
        (Some(b.id), "resolved", now() - Duration::days(20)),
    ] {
        add_alert(&app.store, agency, client, "low", status, at).await;
    }

    let all = walk(&app, 3).await;
    // 2 moves + 4 notes + 6 tasks due (not the one due in two days) + 3 alerts (open, open, recently
    // resolved).
    assert_eq!(all.len(), 15, "{:#?}", all.iter().map(|i| &i.id).collect::<Vec<_>>());
    let ids: HashSet<&str> = all.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "no item twice");
    assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(
        all[0].kind,
        FirehoseKind::Note,
        "the note written now is the newest; future due dates stay out"
    );
    assert!(all.iter().all(|i| i.title != "Task due: due soon"));
    // `kind=` keeps one kind, walked page by page the same way.
    for (kind, n) in [("alert", 3), ("stage_move", 2), ("task_due", 6), ("note", 4)] {
        let only = walk_kind(&app, 2, &format!("&kind={kind}")).await;
        assert_eq!(only.len(), n, "{kind}");
        let want: Vec<&String> = all
            .iter()
            .filter(|i| i.id.starts_with(&format!("{kind}:")))
            .map(|i| &i.id)
            .collect();
        assert_eq!(only.iter().map(|i| &i.id).collect::<Vec<_>>(), want, "{kind}");
    }
    let res = app.get("/api/v1/dashboard/firehose?kind=email").await;
    assert_eq!(res.status(), 400);
    let count = |k: FirehoseKind| all.iter().filter(|i| i.kind == k).count();
    assert_eq!(
        (
            count(FirehoseKind::Alert),
            count(FirehoseKind::StageMove),
            count(FirehoseKind::TaskDue),
            count(FirehoseKind::Note)
        ),
        (3, 2, 6, 4)
    );
    let alert = all.iter().find(|i| i.id == format!("alert:{open}")).unwrap();
    assert_eq!(alert.alert.as_ref().map(|a| a.id), Some(open));
    assert_eq!(alert.client.as_ref().map(|c| c.id), Some(a.id));
    assert!(alert.severity.is_some());
    let mv = all
        .iter()
        .find(|i| i.kind == FirehoseKind::StageMove && i.client.as_ref().map(|c| c.id) == Some(b.id))
        .unwrap();
    assert_eq!(mv.title, "Hose B moved to Audit");
    let long = all
        .iter()
        .find(|i| i.kind == FirehoseKind::Note && i.client.as_ref().map(|c| c.id) == Some(b.id))
        .unwrap();
    assert!(long.detail.as_ref().unwrap().chars().count() <= 281);
    assert_eq!(
        walk(&app, 200).await.iter().map(|i| &i.id).collect::<Vec<_>>(),
        all.iter().map(|i| &i.id).collect::<Vec<_>>()
    );

    // Members: client A's items only (1 move, 3 notes, 6 tasks, 1 alert).
    let theirs = walk(&member, 2).await;
    assert_eq!(theirs.len(), 11);
    assert!(theirs.iter().all(|i| i.client.as_ref().map(|c| c.id) == Some(a.id)));

    for q in ["?limit=0", "?limit=500"] {
        let res = app.get(&format!("/api/v1/dashboard/firehose{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
    }
}

async fn another_agency_sees_none_of_it(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, me) = app.signup().await;
    let a = create_client(&app, "Secret", None).await;
    add_note(&app.store, me.agency.id, a.id, "private", now()).await;
    add_alert(&app.store, me.agency.id, Some(a.id), "high", "active", now()).await;
    let other = app.new_browser();
    other.signup().await;
    assert!(walk(&other, 50).await.is_empty());
    let k = kpis_of(&other, "").await;
    assert!(k.kpis.iter().all(|c| c.value == 0.0));
    let today = now().date_naive();
    let t: TrendSeries = other
        .get_json(&format!("/api/v1/dashboard/trends?from={today}&to={today}"))
        .await;
    assert_eq!(t.points[0].new_clients, 0);
    assert_eq!(t.points[0].alerts_raised, 0);
}
