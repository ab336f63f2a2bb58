//! Clients over HTTP: create, read, edit, archive, delete, stage moves, owner, collaborators and labels;
//! tenancy (another agency's ids are 404 on every route) and Member scoping.

use audienceos_shared::clients::{Client, Health, Label, StageEvent};
use audienceos_shared::permissions::SystemRole;
use serde_json::{json, Value};

use crate::fixtures::{
    audit_actions, audit_items, deactivate_user, fields, get_client, new_client, new_label, stages_of, strings,
};
use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(
    create_then_get_starts_in_the_first_stage,
    another_agency_and_members_get_404,
    update_validates_and_keeps_search_in_step,
    archive_restore_and_delete,
    stage_moves_write_history_and_stale_moves_conflict,
    owner_and_collaborators_must_be_active_members,
    labels_crud_and_attach,
    members_cannot_write,
    another_agencys_ids_are_404_on_every_route
);

async fn create_then_get_starts_in_the_first_stage(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let res = app
        .post(
            "/api/v1/clients",
            &json!({ "name": "  Acme Outdoor  ", "contact_email": "Ops@Acme.test", "website": "acme.test", "total_spend": "1250.50" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Client = res.json().await.unwrap();
    assert_eq!(created.name, "Acme Outdoor");
    assert_eq!(created.stage, "Onboarding");
    assert_eq!(created.website.as_deref(), Some("https://acme.test"));
    assert_eq!(created.total_spend.to_string(), "1250.50");
    assert_eq!(created.health, Health::Green);
    assert_eq!(created.days_in_stage, 0);

    let got = get_client(&app, created.id).await;
    assert_eq!(got, created);

    let dup = json!({ "name": "Other", "contact_email": "ops@acme.test" });
    let problem: serde_json::Value = app.post_expecting("/api/v1/clients", &dup, 409).await;
    assert_eq!(problem["code"], "contact_email_taken");

    let bad = json!({ "name": "", "contact_email": "nope", "website": "x" });
    let problem: serde_json::Value = app.post_expecting("/api/v1/clients", &bad, 422).await;
    let fields = strings(&problem["errors"], "field");
    for f in ["name", "contact_email", "website"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
}

async fn another_agency_and_members_get_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, json!({ "name": "Mine" })).await;
    let path = format!("/api/v1/clients/{}", client.id);

    let other = app.new_browser();
    other.signup().await;
    assert_eq!(other.get(&path).await.status(), 404);

    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    assert_eq!(member.get(&path).await.status(), 404, "not granted yet");
    assert_eq!(
        member.post("/api/v1/clients", &json!({ "name": "x" })).await.status(),
        403
    );

    let owned: Client = app
        .post(
            "/api/v1/clients",
            &json!({ "name": "Theirs", "owner_id": member_me.user.id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(member.get(&format!("/api/v1/clients/{}", owned.id)).await.status(), 200);
}

async fn update_validates_and_keeps_search_in_step(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let c = new_client(
        &app,
        json!({ "name": "Acme", "contact_email": "a@acme.test", "due_date": "2026-02-01" }),
    )
    .await;
    new_client(&app, json!({ "name": "Other", "contact_email": "taken@other.test" })).await;
    let path = format!("/api/v1/clients/{}", c.id);

    let bad = app
        .patch(
            &path,
            &json!({ "name": " ", "contact_email": "nope", "website": "x", "contact_name": "n".repeat(101) }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        fields(&bad.json().await.unwrap()),
        ["contact_email", "contact_name", "name", "website"]
    );
    let bad = app.patch(&path, &json!({ "total_spend": "-1" })).await;
    assert_eq!(bad.status(), 400, "negative money is not a Money");

    let dup = app.patch(&path, &json!({ "contact_email": "TAKEN@other.test" })).await;
    assert_eq!(dup.status(), 409);
    assert_eq!(dup.json::<Value>().await.unwrap()["code"], "contact_email_taken");

    let res = app
        .patch(
            &path,
            &json!({ "name": "Acme Renamed", "contact_email": "new@acme.test", "website": "acme.example", "due_date": null, "total_spend": "99.95" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let got: Client = res.json().await.unwrap();
    assert_eq!(got.name, "Acme Renamed");
    assert_eq!(got.website.as_deref(), Some("https://acme.example"));
    assert_eq!(got.due_date, None);
    assert_eq!(got.total_spend.to_string(), "99.95");
    assert!(got.updated_at > c.updated_at);
    // absent fields are left alone; an empty string clears
    let got: Client = app.patch_json(&path, &json!({ "contact_name": "" })).await;
    assert_eq!(got.contact_email.as_deref(), Some("new@acme.test"));
    assert_eq!(got.contact_name, None);

    let found: audienceos_shared::Page<Client> = app.get_json("/api/v1/clients?q=new%40acme").await;
    assert_eq!(found.items.len(), 1);
    let found: audienceos_shared::Page<Client> = app.get_json("/api/v1/clients?q=a%40acme").await;
    assert!(found.items.is_empty(), "the old email is no longer searchable");
    // the old email is free again
    new_client(&app, json!({ "name": "Reuse", "contact_email": "a@acme.test" })).await;
}

async fn archive_restore_and_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let c = new_client(&app, json!({ "name": "Acme" })).await;
    let path = format!("/api/v1/clients/{}", c.id);
    let archived: Client = app.post_json(&format!("{path}/archive"), &json!({})).await;
    let at = archived.archived_at.expect("archived");
    let again: Client = app.post_json(&format!("{path}/archive"), &json!({})).await;
    assert_eq!(again.archived_at, Some(at), "archiving twice keeps the first time");
    let restored: Client = app.post_json(&format!("{path}/restore"), &json!({})).await;
    assert_eq!(restored.archived_at, None);

    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    assert_eq!(manager.post(&format!("{path}/archive"), &json!({})).await.status(), 200);
    assert_eq!(manager.delete(&path).await.status(), 403, "delete needs clients:manage");
    assert_eq!(app.delete(&path).await.status(), 204);
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(app.delete(&path).await.status(), 404);

    let actions = audit_actions(&app, "?limit=50").await;
    for a in ["client.created", "client.archived", "client.restored", "client.deleted"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn stage_moves_write_history_and_stale_moves_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let s = stages_of(&app).await;
    let c = new_client(&app, json!({ "name": "Acme" })).await;
    let path = format!("/api/v1/clients/{}/stage", c.id);

    // two browsers saw the client in Onboarding; the first moves it to Audit
    let res = app
        .post(
            &path,
            &json!({ "from_stage": s[0].id, "to_stage": s[2].id, "note": "kickoff done" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Client = res.json().await.unwrap();
    assert_eq!(moved.stage, "Audit");
    assert!(moved.stage_entered_at > c.stage_entered_at);
    assert_eq!(moved.days_in_stage, 0);

    // the second, stale, move is refused and the newer stage stays
    let res = app
        .post(&path, &json!({ "from_stage": s[0].id, "to_stage": s[1].id }))
        .await;
    assert_eq!(res.status(), 409);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "stage_conflict");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Audit") && detail.contains(&s[2].id.to_string()),
        "{detail}"
    );
    let got = get_client(&app, c.id).await;
    assert_eq!(got.stage_id, s[2].id);

    // moving to the stage it is in is a no-op
    let res = app
        .post(&path, &json!({ "from_stage": s[2].id, "to_stage": s[2].id }))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Client>().await.unwrap().stage_entered_at,
        moved.stage_entered_at
    );

    // validation
    let other = app.new_browser();
    other.signup().await;
    let foreign = stages_of(&other).await;
    let res = app
        .post(&path, &json!({ "from_stage": s[2].id, "to_stage": foreign[0].id }))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(fields(&res.json().await.unwrap()), ["to_stage"]);
    let res = app
        .post(
            &path,
            &json!({ "from_stage": s[2].id, "to_stage": s[3].id, "note": "n".repeat(1001) }),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(fields(&res.json().await.unwrap()), ["note"]);
    assert_eq!(app.post(&path, &json!({ "to_stage": s[3].id })).await.status(), 400);

    let res = app
        .post(&path, &json!({ "from_stage": s[2].id, "to_stage": s[3].id }))
        .await;
    assert_eq!(res.status(), 200);
    let events: Vec<StageEvent> = app.get_json(&format!("/api/v1/clients/{}/stage-events", c.id)).await;
    let moves: Vec<(Option<&str>, &str)> = events
        .iter()
        .map(|e| (e.from_stage.as_deref(), e.to_stage.as_str()))
        .collect();
    assert_eq!(
        moves,
        [
            (Some("Audit"), "Live"),
            (Some("Onboarding"), "Audit"),
            (None, "Onboarding")
        ]
    );
    assert_eq!(events[1].note.as_deref(), Some("kickoff done"));
    assert_eq!(events[0].moved_by.as_ref().unwrap().name, "Grace Hopper");

    // history survives a renamed stage
    app.patch(
        &format!("/api/v1/pipeline/stages/{}", s[2].id),
        &json!({ "name": "Review" }),
    )
    .await;
    let events: Vec<StageEvent> = app.get_json(&format!("/api/v1/clients/{}/stage-events", c.id)).await;
    assert_eq!(events[1].to_stage, "Audit");

    let moved = audit_items(&app, "?limit=50")
        .await
        .iter()
        .filter(|e| e["action"] == "client.stage_moved")
        .count();
    assert_eq!(moved, 2);
}

async fn owner_and_collaborators_must_be_active_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (_, member) = app.add_user(me.agency.id, SystemRole::Member).await;
    let (_, manager) = app.add_user(me.agency.id, SystemRole::Manager).await;
    let other = app.new_browser();
    let (_, stranger) = other.signup().await;
    let c = new_client(&app, json!({ "name": "Acme" })).await;
    let owner = format!("/api/v1/clients/{}/owner", c.id);
    let collab = format!("/api/v1/clients/{}/collaborators", c.id);

    let res = app.put(&owner, &json!({ "user_id": stranger.user.id })).await;
    assert_eq!(res.status(), 422);
    assert_eq!(fields(&res.json().await.unwrap()), ["user_id"]);
    let got: Client = app
        .put(&owner, &json!({ "user_id": member.user.id }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got.owner.unwrap().id, member.user.id);
    let got: Client = app.put(&owner, &json!({ "user_id": null })).await.json().await.unwrap();
    assert!(got.owner.is_none());

    let res = app
        .put(&collab, &json!({ "user_ids": [member.user.id, stranger.user.id] }))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(fields(&res.json().await.unwrap()), ["user_ids"]);
    let too_many: Vec<uuid::Uuid> = (0..51).map(|_| uuid::Uuid::now_v7()).collect();
    let res = app.put(&collab, &json!({ "user_ids": too_many })).await;
    assert_eq!(res.status(), 422);
    let got: Client = app
        .put(
            &collab,
            &json!({ "user_ids": [member.user.id, manager.user.id, member.user.id] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got.collaborators.len(), 2);
    let got: Client = app
        .put(&collab, &json!({ "user_ids": [manager.user.id] }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got.collaborators.len(), 1);
    assert_eq!(got.collaborators[0].id, manager.user.id);

    // inactive users are not members any more
    deactivate_user(&app, member.user.id).await;
    assert_eq!(
        app.put(&owner, &json!({ "user_id": member.user.id })).await.status(),
        422
    );

    assert!(audit_items(&app, "?limit=50")
        .await
        .iter()
        .any(|e| e["action"] == "client.owner_changed"));
}

async fn labels_crud_and_attach(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let res = app
        .post("/api/v1/labels", &json!({ "name": " VIP ", "color": "#5E6AD2" }))
        .await;
    assert_eq!(res.status(), 201);
    let vip: Label = res.json().await.unwrap();
    assert_eq!((vip.name.as_str(), vip.color.as_str()), ("VIP", "#5e6ad2"));
    let bad = app.post("/api/v1/labels", &json!({ "name": "", "color": "red" })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&bad.json().await.unwrap()), ["color", "name"]);
    let dup = app
        .post("/api/v1/labels", &json!({ "name": "VIP", "color": "#000000" }))
        .await;
    assert_eq!(dup.status(), 409);
    assert_eq!(dup.json::<Value>().await.unwrap()["code"], "label_name_taken");
    let churn = new_label(&app, "Churn risk", "#eb5757").await;
    let lpath = format!("/api/v1/labels/{}", churn.id);
    let bad = app.patch(&lpath, &json!({ "color": "#12345" })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&bad.json().await.unwrap()), ["color"]);
    assert_eq!(app.patch(&lpath, &json!({ "name": "VIP" })).await.status(), 409);
    let renamed: Label = app.patch_json(&lpath, &json!({ "name": "At risk" })).await;
    assert_eq!((renamed.name.as_str(), renamed.color.as_str()), ("At risk", "#eb5757"));
    let all: Vec<Label> = app.get_json("/api/v1/labels").await;
    assert_eq!(
        all.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["At risk", "VIP"]
    );

    let c = new_client(&app, json!({ "name": "Acme" })).await;
    let attach = format!("/api/v1/clients/{}/labels/{}", c.id, vip.id);
    for _ in 0..2 {
        let res = app.put(&attach, &json!({})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Client>().await.unwrap().labels, vec![vip.clone()]);
    }
    let both: Client = app
        .put(&format!("/api/v1/clients/{}/labels/{}", c.id, churn.id), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(both.labels.len(), 2);
    for _ in 0..2 {
        let res = app.delete(&attach).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Client>().await.unwrap().labels.len(), 1);
    }
    // deleting a label takes it off its clients; Managers may not delete labels
    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    assert_eq!(manager.delete(&lpath).await.status(), 403);
    assert_eq!(
        manager
            .post("/api/v1/labels", &json!({ "name": "M", "color": "#000000" }))
            .await
            .status(),
        201
    );
    assert_eq!(app.delete(&lpath).await.status(), 204);
    let got = get_client(&app, c.id).await;
    assert!(got.labels.is_empty());
    assert_eq!(app.delete(&lpath).await.status(), 404);
}

async fn members_cannot_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    let s = stages_of(&app).await;
    let label = new_label(&app, "VIP", "#5e6ad2").await;
    let c = new_client(&app, json!({ "name": "Theirs", "owner_id": member_me.user.id })).await;
    let path = format!("/api/v1/clients/{}", c.id);
    assert_eq!(member.get(&path).await.status(), 200);
    assert_eq!(member.get(&format!("{path}/stage-events")).await.status(), 200);
    for (method, target, body) in [
        ("PATCH", path.clone(), json!({ "name": "x" })),
        ("DELETE", path.clone(), json!(null)),
        ("POST", format!("{path}/archive"), json!({})),
        (
            "POST",
            format!("{path}/stage"),
            json!({ "from_stage": s[0].id, "to_stage": s[1].id }),
        ),
        ("PUT", format!("{path}/owner"), json!({ "user_id": null })),
        ("PUT", format!("{path}/collaborators"), json!({ "user_ids": [] })),
        ("PUT", format!("{path}/labels/{}", label.id), json!({})),
        (
            "POST",
            "/api/v1/labels".to_string(),
            json!({ "name": "M", "color": "#000000" }),
        ),
    ] {
        let res = member.send(method, &target, &body).await;
        assert_eq!(res.status(), 403, "{method} {target}");
    }
    let import = member
        .with_csrf(
            member
                .client
                .post(member.url("/api/v1/clients/import"))
                .body("name\nX\n"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 403);
    assert_eq!(member.get("/api/v1/labels").await.status(), 200);
    assert_eq!(member.get("/api/v1/team/members").await.status(), 200);
}

async fn another_agencys_ids_are_404_on_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let label = new_label(&app, "VIP", "#5e6ad2").await;
    let c = new_client(&app, json!({ "name": "Acme" })).await;
    let s = stages_of(&app).await;

    let other = app.new_browser();
    let (_, them) = other.signup().await;
    let their_stages = stages_of(&other).await;
    let their_label = new_label(&other, "Theirs", "#5e6ad2").await;
    let theirs = new_client(&other, json!({ "name": "Theirs" })).await;

    let p = format!("/api/v1/clients/{}", c.id);
    let checks: Vec<(&str, String, Value)> = vec![
        ("GET", p.clone(), json!(null)),
        ("PATCH", p.clone(), json!({ "name": "x" })),
        ("DELETE", p.clone(), json!(null)),
        ("POST", format!("{p}/archive"), json!({})),
        ("POST", format!("{p}/restore"), json!({})),
        (
            "POST",
            format!("{p}/stage"),
            json!({ "from_stage": s[0].id, "to_stage": s[1].id }),
        ),
        (
            "POST",
            format!("{p}/stage"),
            json!({ "from_stage": their_stages[0].id, "to_stage": their_stages[1].id }),
        ),
        ("GET", format!("{p}/stage-events"), json!(null)),
        ("PUT", format!("{p}/owner"), json!({ "user_id": them.user.id })),
        (
            "PUT",
            format!("{p}/collaborators"),
            json!({ "user_ids": [them.user.id] }),
        ),
        ("PUT", format!("{p}/labels/{}", their_label.id), json!({})),
        ("DELETE", format!("{p}/labels/{}", their_label.id), json!(null)),
        // their client with our label
        (
            "PUT",
            format!("/api/v1/clients/{}/labels/{}", theirs.id, label.id),
            json!({}),
        ),
        (
            "DELETE",
            format!("/api/v1/clients/{}/labels/{}", theirs.id, label.id),
            json!(null),
        ),
        ("PATCH", format!("/api/v1/labels/{}", label.id), json!({ "name": "x" })),
        ("DELETE", format!("/api/v1/labels/{}", label.id), json!(null)),
        (
            "PATCH",
            format!("/api/v1/pipeline/stages/{}", s[0].id),
            json!({ "name": "x" }),
        ),
        ("DELETE", format!("/api/v1/pipeline/stages/{}", s[0].id), json!(null)),
    ];
    for (method, path, body) in checks {
        let res = other.send(method, &path, &body).await;
        assert_eq!(res.status(), 404, "{method} {path}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["code"],
            "not_found",
            "{method} {path}"
        );
    }
    // and nothing changed
    let got: Client = app.get_json(&p).await;
    assert_eq!(got, c);
    assert_eq!(stages_of(&app).await, s);
    let labels: Vec<Label> = app.get_json("/api/v1/labels").await;
    assert_eq!(labels, vec![label]);
}
