//! The agency's task list (`GET /api/v1/tasks`): status, assignee, due and client filters, text search,
//! ordering and cursor paging, archived clients left out, validation, and Member scoping.

use audienceos_shared::permissions::SystemRole;
use audienceos_shared::tasks::TaskListItem;
use audienceos_shared::Page;
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::alerts::{hooks_app, now, set_clock};
use crate::helpers::{Backend, Browser, TestApp};
use crate::notes::new_client;
use crate::on_both;

on_both!(
    the_task_list_filters_by_status_assignee_due_and_client,
    the_task_list_pages_in_due_order_without_repeats,
    task_list_queries_are_validated,
    members_list_tasks_of_their_clients_only
);

/// Puts the server's clock at noon today, so "today" is the same day for the test and the server
/// whenever the test runs; returns that day.
async fn noon_today(app: &TestApp) -> NaiveDate {
    let t = now();
    let noon = t.date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
    set_clock(app, (noon - t).num_seconds()).await;
    noon.date_naive()
}

async fn titles(b: &Browser, query: &str) -> Vec<String> {
    let res = b.get(&format!("/api/v1/tasks{query}")).await;
    assert_eq!(res.status(), 200, "{query}: {}", res.text().await.unwrap());
    let page: Page<TaskListItem> = res.json().await.unwrap();
    page.items.into_iter().map(|t| t.task.title).collect()
}

async fn add(
    b: &Browser,
    client: uuid::Uuid,
    title: &str,
    due: Option<NaiveDate>,
    assignee: Option<uuid::Uuid>,
) -> uuid::Uuid {
    let res = b
        .post(
            &format!("/api/v1/clients/{client}/tasks"),
            &json!({ "title": title, "due_date": due, "assignee_id": assignee }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let v: serde_json::Value = res.json().await.unwrap();
    v["id"].as_str().unwrap().parse().unwrap()
}

async fn the_task_list_filters_by_status_assignee_due_and_client(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, owner) = app.signup().await;
    let today = noon_today(&app).await;
    let day = |n: i64| Some(today + Duration::days(n));
    let (_, member) = app.add_user(owner.agency.id, SystemRole::Member).await;
    let acme = new_client(&app, "Acme", None).await;
    let bolt = new_client(&app, "Bolt", None).await;
    let gone = new_client(&app, "Gone", None).await;
    let me = Some(owner.user.id);
    add(&app, acme.id, "overdue report", day(-2), me).await;
    add(&app, acme.id, "call today", day(0), None).await;
    add(&app, bolt.id, "this week", day(3), Some(member.user.id)).await;
    add(&app, bolt.id, "later on", day(7), me).await;
    add(&app, acme.id, "someday", None, None).await;
    let done = add(&app, acme.id, "finished", day(-5), None).await;
    let res = app
        .post(
            &format!("/api/v1/clients/{}/tasks/{done}/complete", acme.id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    add(&app, gone.id, "archived client's", day(-1), me).await;
    assert_eq!(
        app.post(&format!("/api/v1/clients/{}/archive", gone.id), &json!({}))
            .await
            .status(),
        200
    );

    // Open tasks of active clients, soonest due first, no due date last.
    assert_eq!(
        titles(&app, "").await,
        ["overdue report", "call today", "this week", "later on", "someday"]
    );
    assert_eq!(titles(&app, "?due=overdue").await, ["overdue report"]);
    assert_eq!(titles(&app, "?due=today").await, ["call today"]);
    assert_eq!(titles(&app, "?due=week").await, ["this week"]);
    assert_eq!(titles(&app, "?due=later").await, ["later on"]);
    assert_eq!(titles(&app, "?due=none").await, ["someday"]);
    assert_eq!(titles(&app, "?assignee=me").await, ["overdue report", "later on"]);
    assert_eq!(titles(&app, "?assignee=none").await, ["call today", "someday"]);
    assert_eq!(
        titles(&app, &format!("?assignee={}", member.user.id)).await,
        ["this week"]
    );
    assert_eq!(
        titles(&app, &format!("?client_id={}", bolt.id)).await,
        ["this week", "later on"]
    );
    assert_eq!(titles(&app, "?q=REPORT").await, ["overdue report"]);
    assert_eq!(
        titles(&app, "?q=%25").await,
        Vec::<String>::new(),
        "% is matched literally"
    );
    assert_eq!(titles(&app, "?status=done").await, ["finished"]);
    assert_eq!(
        titles(&app, "?status=all&due=overdue").await,
        ["finished", "overdue report"]
    );

    // Each item names its client and carries the task's overdue flag.
    let page: Page<TaskListItem> = app.get("/api/v1/tasks?due=overdue").await.json().await.unwrap();
    assert_eq!(page.items[0].client.name, "Acme");
    assert!(page.items[0].task.overdue);
    assert_eq!(page.next_cursor, None);
}

async fn the_task_list_pages_in_due_order_without_repeats(backend: Backend) {
    let app = hooks_app(backend).await;
    app.signup().await;
    let today = noon_today(&app).await;
    let client = new_client(&app, "Acme", None).await;
    let mut expected = Vec::new();
    // Several tasks share a due date, and a few have none: the id breaks ties.
    for i in 0..13i64 {
        let due = (i % 4 != 3).then(|| today + Duration::days(i % 3));
        expected.push((due, add(&app, client.id, &format!("t{i}"), due, None).await));
    }
    expected.sort_by_key(|(due, id)| (due.is_none(), *due, *id));
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/tasks?limit=4&cursor={c}"),
            None => "/api/v1/tasks?limit=4".into(),
        };
        let page: Page<TaskListItem> = app.get(&q).await.json().await.unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items.into_iter().map(|t| (t.task.due_date, t.task.id)));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    // Done tasks page by completion, newest first.
    for (_, id) in expected.iter().take(3) {
        app.post(
            &format!("/api/v1/clients/{}/tasks/{id}/complete", client.id),
            &json!({}),
        )
        .await;
    }
    let first: Page<TaskListItem> = app.get("/api/v1/tasks?status=done&limit=2").await.json().await.unwrap();
    let c = first.next_cursor.expect("a second page");
    let second: Page<TaskListItem> = app
        .get(&format!("/api/v1/tasks?status=done&limit=2&cursor={c}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.items.len() + second.items.len(), 3);
    // A cursor of one ordering is refused by the other.
    let res = app.get(&format!("/api/v1/tasks?cursor={c}")).await;
    assert_eq!(res.status(), 400);
}

async fn task_list_queries_are_validated(backend: Backend) {
    let app = hooks_app(backend).await;
    app.signup().await;
    for (q, status, code) in [
        ("?assignee=someone", 422, "validation_failed"),
        ("?due=soon", 400, "invalid_query"),
        ("?status=closed", 400, "invalid_query"),
        ("?limit=0", 422, "validation_failed"),
        ("?cursor=nonsense", 400, "invalid_query"),
    ] {
        let res = app.get(&format!("/api/v1/tasks{q}")).await;
        assert_eq!(res.status(), status, "{q}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], code, "{q}");
    }
    // Empty parameters are absent, as a form submits them.
    assert_eq!(app.get("/api/v1/tasks?cursor=&assignee=").await.status(), 200);
}

async fn members_list_tasks_of_their_clients_only(backend: Backend) {
    let app = hooks_app(backend).await;
    let (_, owner) = app.signup().await;
    noon_today(&app).await;
    let (member, member_me) = app.add_user(owner.agency.id, SystemRole::Member).await;
    let granted = new_client(&app, "Granted", Some(member_me.user.id)).await;
    let hidden = new_client(&app, "Hidden", None).await;
    add(&app, granted.id, "theirs", None, Some(member_me.user.id)).await;
    add(&app, hidden.id, "secret", None, Some(member_me.user.id)).await;
    assert_eq!(titles(&member, "").await, ["theirs"]);
    assert_eq!(titles(&member, "?assignee=me").await, ["theirs"]);
    assert_eq!(
        titles(&member, &format!("?client_id={}", hidden.id)).await,
        Vec::<String>::new()
    );
    assert_eq!(titles(&app, "?assignee=none").await, Vec::<String>::new());
    assert_eq!(titles(&app, "").await.len(), 2);
}
