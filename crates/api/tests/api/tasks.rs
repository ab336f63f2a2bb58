//! Tasks on a client: order and reordering, clearable fields, validation, complete/reopen, the overdue
//! flag and its effect on health, tenancy and Member scoping.

use audienceos_shared::client_work::Task;
use audienceos_shared::clients::{Client, Health};
use audienceos_shared::permissions::SystemRole;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::fixtures::{field_errors, get_client, member_scope};
use crate::helpers::{spawn_app, Backend};
use crate::notes::new_client;
use crate::on_both;

on_both!(
    tasks_keep_their_order_and_move,
    task_fields_are_changed_and_cleared,
    task_requests_are_validated,
    complete_and_reopen_are_idempotent,
    an_overdue_task_turns_the_client_yellow,
    another_agencys_client_and_task_ids_are_404,
    members_read_tasks_of_granted_clients_only_and_cannot_write
);

async fn titles(app: &crate::helpers::TestApp, base: &str) -> Vec<(String, i32)> {
    let tasks: Vec<Task> = app.get_json(base).await;
    tasks.into_iter().map(|t| (t.title, t.position)).collect()
}

fn owned(v: &[(&str, i32)]) -> Vec<(String, i32)> {
    v.iter().map(|(t, p)| (t.to_string(), *p)).collect()
}

async fn tasks_keep_their_order_and_move(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);
    let mut ids = Vec::new();
    for title in ["a", "b", "c", "d"] {
        let res = app.post(&base, &json!({ "title": title })).await;
        assert_eq!(res.status(), 201);
        let t: Task = res.json().await.unwrap();
        ids.push(t.id);
    }
    assert_eq!(
        titles(&app, &base).await,
        owned(&[("a", 0), ("b", 1), ("c", 2), ("d", 3)])
    );

    let moved: Task = app
        .patch_json(&format!("{base}/{}", ids[3]), &json!({ "position": 1 }))
        .await;
    assert_eq!(moved.position, 1);
    assert_eq!(
        titles(&app, &base).await,
        owned(&[("a", 0), ("d", 1), ("b", 2), ("c", 3)])
    );

    // past the end is clamped to last
    app.patch(&format!("{base}/{}", ids[0]), &json!({ "position": 99 }))
        .await;
    assert_eq!(
        titles(&app, &base).await,
        owned(&[("d", 0), ("b", 1), ("c", 2), ("a", 3)])
    );

    assert_eq!(app.delete(&format!("{base}/{}", ids[1])).await.status(), 204);
    assert_eq!(titles(&app, &base).await, owned(&[("d", 0), ("c", 1), ("a", 2)]));
    // a new task goes last
    app.post(&base, &json!({ "title": "e" })).await;
    assert_eq!(
        titles(&app, &base).await,
        owned(&[("d", 0), ("c", 1), ("a", 2), ("e", 3)])
    );
}

async fn task_fields_are_changed_and_cleared(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (_, manager) = app.add_user(me.agency.id, SystemRole::Manager).await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);
    let due = (Utc::now() + Duration::days(3)).date_naive();
    let created: Task = app
        .post(
            &base,
            &json!({ "title": "  Call back  ", "description": "about the audit", "assignee_id": manager.user.id, "due_date": due }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created.title, "Call back");
    assert_eq!(created.assignee.as_ref().map(|a| a.id), Some(manager.user.id));
    assert_eq!(
        created.assignee.as_ref().map(|a| a.name.as_str()),
        Some("Manager Tester")
    );
    assert_eq!(created.due_date, Some(due));
    assert!(!created.overdue);

    let path = format!("{base}/{}", created.id);
    let renamed: Task = app.patch_json(&path, &json!({ "title": "Call back today" })).await;
    assert_eq!(renamed.title, "Call back today");
    assert_eq!(
        renamed.description.as_deref(),
        Some("about the audit"),
        "absent is left alone"
    );
    assert_eq!(renamed.due_date, Some(due));

    let cleared: Task = app
        .patch(
            &path,
            &json!({ "description": null, "assignee_id": null, "due_date": null }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared.description, None);
    assert_eq!(cleared.assignee, None);
    assert_eq!(cleared.due_date, None);
    assert_eq!(cleared.title, "Call back today");

    let reassigned: Task = app.patch_json(&path, &json!({ "assignee_id": me.user.id })).await;
    assert_eq!(reassigned.assignee.map(|a| a.id), Some(me.user.id));
}

async fn task_requests_are_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);

    let stranger = app.new_browser();
    let (_, stranger_me) = stranger.signup().await;

    let cases = [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "   " }), "title"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "title": "ok", "description": "x".repeat(5001) }), "description"),
        (
            json!({ "title": "ok", "assignee_id": uuid::Uuid::now_v7() }),
            "assignee_id",
        ),
        (
            json!({ "title": "ok", "assignee_id": stranger_me.user.id }),
            "assignee_id",
        ),
    ];
    for (body, field) in &cases {
        let (status, fields) = field_errors(app.post(&base, body).await).await;
        assert_eq!((status, fields), (422, vec![field.to_string()]), "{body}");
    }
    let task: Task = app.post_json(&base, &json!({ "title": "ok" })).await;
    let path = format!("{base}/{}", task.id);
    let cases = [
        (json!({ "title": "" }), "title"),
        (json!({ "position": -1 }), "position"),
        (json!({ "position": 10001 }), "position"),
        (json!({ "description": "x".repeat(5001) }), "description"),
        (json!({ "assignee_id": stranger_me.user.id }), "assignee_id"),
    ];
    for (body, field) in &cases {
        let (status, fields) = field_errors(app.patch(&path, body).await).await;
        assert_eq!((status, fields), (422, vec![field.to_string()]), "{body}");
    }
    let unchanged: Vec<Task> = app.get_json(&base).await;
    assert_eq!(unchanged[0].title, "ok");
    assert_eq!(unchanged[0].assignee, None);
}

async fn complete_and_reopen_are_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);
    let task: Task = app.post_json(&base, &json!({ "title": "Send report" })).await;
    assert!(task.done_at.is_none());

    let res = app.post(&format!("{base}/{}/complete", task.id), &json!({})).await;
    assert_eq!(res.status(), 200);
    let done: Task = res.json().await.unwrap();
    assert!(done.done_at.is_some());
    assert_eq!(done.done_by.as_ref().map(|u| u.id), Some(me.user.id));
    let again: Task = app.post_json(&format!("{base}/{}/complete", task.id), &json!({})).await;
    assert_eq!(
        again.done_at, done.done_at,
        "completing twice keeps the first completion"
    );

    let open: Task = app.post_json(&format!("{base}/{}/reopen", task.id), &json!({})).await;
    assert!(open.done_at.is_none() && open.done_by.is_none());
    let res = app.post(&format!("{base}/{}/reopen", task.id), &json!({})).await;
    assert_eq!(res.status(), 200);
    let client_now = get_client(&app, client.id).await;
    assert_eq!(client_now.open_tasks, 1);
}

async fn an_overdue_task_turns_the_client_yellow(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);
    let get_client = || async {
        app.get(&format!("/api/v1/clients/{}", client.id))
            .await
            .json::<Client>()
            .await
            .unwrap()
    };
    let yesterday = (Utc::now() - Duration::days(1)).date_naive();
    let today = Utc::now().date_naive();

    let due_today: Task = app
        .post_json(&base, &json!({ "title": "due today", "due_date": today }))
        .await;
    assert!(!due_today.overdue, "due today is not overdue yet");
    assert_eq!(get_client().await.health, Health::Green);

    let late: Task = app
        .post_json(&base, &json!({ "title": "late", "due_date": yesterday }))
        .await;
    assert!(late.overdue);
    let c = get_client().await;
    assert_eq!(c.health, Health::Yellow);
    assert_eq!(c.overdue_tasks, 1);
    let reason = c
        .health_reasons
        .iter()
        .find(|r| r.code == "overdue_tasks")
        .expect("an overdue_tasks reason");
    assert_eq!(reason.severity, Health::Yellow);

    let done: Task = app.post_json(&format!("{base}/{}/complete", late.id), &json!({})).await;
    assert!(!done.overdue, "a done task is never overdue");
    assert_eq!(get_client().await.health, Health::Green);

    app.post(&format!("{base}/{}/reopen", late.id), &json!({})).await;
    assert_eq!(get_client().await.health, Health::Yellow);

    // moving the due date away clears it too
    let moved: Task = app
        .patch_json(&format!("{base}/{}", late.id), &json!({ "due_date": null }))
        .await;
    assert!(!moved.overdue);
    let c = get_client().await;
    assert_eq!(c.health, Health::Green);
    assert!(c.health_reasons.is_empty());

    // and deleting an overdue task
    let late2: Task = app
        .post_json(&base, &json!({ "title": "late again", "due_date": yesterday }))
        .await;
    assert_eq!(get_client().await.health, Health::Yellow);
    app.delete(&format!("{base}/{}", late2.id)).await;
    assert_eq!(get_client().await.health, Health::Green);
}

async fn another_agencys_client_and_task_ids_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/tasks", client.id);
    let task: Task = app.post_json(&base, &json!({ "title": "mine" })).await;
    let path = format!("{base}/{}", task.id);

    let stranger = app.new_browser();
    stranger.signup().await;
    let theirs = new_client(&stranger, "Theirs", None).await;
    let crossed = format!("/api/v1/clients/{}/tasks/{}", theirs.id, task.id);
    for p in [&path, &crossed] {
        assert_eq!(stranger.patch(p, &json!({ "title": "x" })).await.status(), 404, "{p}");
        assert_eq!(stranger.delete(p).await.status(), 404, "{p}");
        assert_eq!(
            stranger.post(&format!("{p}/complete"), &json!({})).await.status(),
            404,
            "{p}"
        );
        assert_eq!(
            stranger.post(&format!("{p}/reopen"), &json!({})).await.status(),
            404,
            "{p}"
        );
    }
    assert_eq!(stranger.get(&base).await.status(), 404);
    assert_eq!(stranger.post(&base, &json!({ "title": "x" })).await.status(), 404);
    assert_eq!(app.put(&path, &json!({ "title": "x" })).await.status(), 405);
    let unknown = format!("{base}/{}", uuid::Uuid::now_v7());
    assert_eq!(app.patch(&unknown, &json!({ "title": "x" })).await.status(), 404);
    assert_eq!(app.post(&format!("{unknown}/complete"), &json!({})).await.status(), 404);
    let tasks: Vec<Task> = app.get_json(&base).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "mine");
    assert!(tasks[0].done_at.is_none());
}

async fn members_read_tasks_of_granted_clients_only_and_cannot_write(backend: Backend) {
    let (app, member, member_me, granted, hidden) = member_scope(backend).await;
    let granted_base = format!("/api/v1/clients/{}/tasks", granted.id);
    let hidden_base = format!("/api/v1/clients/{}/tasks", hidden.id);
    // Members can be assignees, even though they cannot write tasks.
    let task: Task = app
        .post(
            &granted_base,
            &json!({ "title": "theirs", "assignee_id": member_me.user.id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.post(&hidden_base, &json!({ "title": "secret" })).await.status(),
        201
    );

    let tasks: Vec<Task> = member.get_json(&granted_base).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(member.get(&hidden_base).await.status(), 404);
    assert_eq!(member.post(&granted_base, &json!({ "title": "x" })).await.status(), 403);
    let path = format!("{granted_base}/{}", task.id);
    assert_eq!(member.patch(&path, &json!({ "title": "x" })).await.status(), 403);
    assert_eq!(member.post(&format!("{path}/complete"), &json!({})).await.status(), 403);
    assert_eq!(member.delete(&path).await.status(), 403);
}
