//! Pipeline stages (add, rename, reorder, delete only when empty), health thresholds and the team picker.

use audienceos_shared::clients::{Client, Health, HealthThresholds, PipelineStage};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::team::TeamMember;
use serde_json::{json, Value};

use crate::fixtures::{deactivate_user, fields, get_client, set_time};
use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(
    stages_add_rename_reorder_and_delete,
    stages_with_clients_cannot_be_deleted,
    thresholds_validate_and_refresh_health,
    team_members_are_active_users_by_name
);

async fn stages(app: &crate::helpers::Browser) -> Vec<PipelineStage> {
    let res = app.get("/api/v1/pipeline/stages").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn names(s: &[PipelineStage]) -> Vec<&str> {
    s.iter().map(|s| s.name.as_str()).collect()
}

fn assert_dense(s: &[PipelineStage]) {
    let positions: Vec<i32> = s.iter().map(|s| s.position).collect();
    assert_eq!(positions, (0..s.len() as i32).collect::<Vec<_>>());
}

async fn stages_add_rename_reorder_and_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let initial = stages(&app).await;
    assert_eq!(
        names(&initial),
        [
            "Onboarding",
            "Installation",
            "Audit",
            "Live",
            "Needs Support",
            "Off-boarding"
        ]
    );

    let res = app
        .post("/api/v1/pipeline/stages", &json!({ "name": "Kickoff", "position": 1 }))
        .await;
    assert_eq!(res.status(), 201);
    let kickoff: PipelineStage = res.json().await.unwrap();
    assert_eq!(kickoff.position, 1);
    let res = app.post("/api/v1/pipeline/stages", &json!({ "name": "Churned" })).await;
    let churned: PipelineStage = res.json().await.unwrap();
    assert_eq!(churned.position, 7);
    let s = stages(&app).await;
    assert_dense(&s);
    assert_eq!(names(&s)[..3], ["Onboarding", "Kickoff", "Installation"]);

    // validation and conflicts
    let bad = app.post("/api/v1/pipeline/stages", &json!({ "name": "  " })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&bad.json().await.unwrap()), ["name"]);
    let bad = app
        .post("/api/v1/pipeline/stages", &json!({ "name": "x", "position": -1 }))
        .await;
    assert_eq!(bad.status(), 422);
    let dup = app.post("/api/v1/pipeline/stages", &json!({ "name": "Audit" })).await;
    assert_eq!(dup.status(), 409);
    assert_eq!(dup.json::<Value>().await.unwrap()["code"], "stage_name_taken");
    let path = format!("/api/v1/pipeline/stages/{}", kickoff.id);
    let bad = app.patch(&path, &json!({ "name": "", "position": 500 })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&bad.json().await.unwrap()), ["name", "position"]);

    // move to the end, then to the front, renaming on the way
    let res = app.patch(&path, &json!({ "position": 100 })).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<PipelineStage>().await.unwrap().position, 7);
    let res = app.patch(&path, &json!({ "position": 0, "name": "Kick-off" })).await;
    let moved: PipelineStage = res.json().await.unwrap();
    assert_eq!((moved.position, moved.name.as_str()), (0, "Kick-off"));
    let s = stages(&app).await;
    assert_dense(&s);
    assert_eq!(
        names(&s),
        [
            "Kick-off",
            "Onboarding",
            "Installation",
            "Audit",
            "Live",
            "Needs Support",
            "Off-boarding",
            "Churned"
        ]
    );

    // delete closes the gap
    let res = app.delete(&format!("/api/v1/pipeline/stages/{}", churned.id)).await;
    assert_eq!(res.status(), 204);
    let res = app.delete(&format!("/api/v1/pipeline/stages/{}", s[3].id)).await;
    assert_eq!(res.status(), 204);
    let s = stages(&app).await;
    assert_dense(&s);
    assert_eq!(s.len(), 6);

    // Members and Managers may not edit the board
    let (member, _) = app.add_user(me.agency.id, SystemRole::Member).await;
    assert_eq!(stages(&member).await.len(), 6);
    assert_eq!(
        member
            .post("/api/v1/pipeline/stages", &json!({ "name": "M" }))
            .await
            .status(),
        403
    );
    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    assert_eq!(manager.patch(&path, &json!({ "name": "M" })).await.status(), 403);

    // another agency's stage is 404 on every route
    let other = app.new_browser();
    other.signup().await;
    assert_eq!(other.patch(&path, &json!({ "name": "Mine" })).await.status(), 404);
    assert_eq!(other.delete(&path).await.status(), 404);

    // the last stage stays
    for st in &s[1..] {
        assert_eq!(
            app.delete(&format!("/api/v1/pipeline/stages/{}", st.id)).await.status(),
            204
        );
    }
    let res = app.delete(&format!("/api/v1/pipeline/stages/{}", s[0].id)).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "last_stage");
}

async fn stages_with_clients_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let s = stages(&app).await;
    let client: Client = app
        .post_json("/api/v1/clients", &json!({ "name": "Acme", "stage_id": s[2].id }))
        .await;
    let path = format!("/api/v1/pipeline/stages/{}", s[2].id);
    let res = app.delete(&path).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "stage_not_empty");
    assert_eq!(stages(&app).await[2].client_count, 1);

    // archived clients still hold the stage
    let res = app
        .post(&format!("/api/v1/clients/{}/archive", client.id), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(stages(&app).await[2].client_count, 0);
    let res = app.delete(&path).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "stage_not_empty");

    assert_eq!(
        app.delete(&format!("/api/v1/clients/{}", client.id)).await.status(),
        204
    );
    assert_eq!(app.delete(&path).await.status(), 204);
}

async fn thresholds_validate_and_refresh_health(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let t: HealthThresholds = app.get_json("/api/v1/pipeline/thresholds").await;
    assert_eq!(t, HealthThresholds::default());

    let client: Client = app.post_json("/api/v1/clients", &json!({ "name": "Aging" })).await;
    // the client entered its stage three days ago
    let entered = audienceos_api::clock::system_now() - chrono::Duration::days(3);
    set_time(
        &app,
        "update client set stage_entered_at = $1 where id = $2",
        entered,
        client.id,
    )
    .await;

    for (body, field) in [
        (json!({ "yellow_days": 5, "red_days": 5 }), "red_days"),
        (json!({ "yellow_days": 0, "red_days": 5 }), "yellow_days"),
        (json!({ "yellow_days": 2, "red_days": 400 }), "red_days"),
    ] {
        let res = app.put("/api/v1/pipeline/thresholds", &body).await;
        assert_eq!(res.status(), 422, "{body}");
        assert!(
            fields(&res.json().await.unwrap()).contains(&field.to_string()),
            "{body}"
        );
    }
    let res = app
        .put(
            "/api/v1/pipeline/thresholds",
            &json!({ "yellow_days": 2, "red_days": 10 }),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<HealthThresholds>().await.unwrap(),
        HealthThresholds {
            yellow_days: 2,
            red_days: 10
        }
    );
    let got = get_client(&app, client.id).await;
    assert_eq!(got.health, Health::Yellow);
    assert_eq!(got.health_reasons[0].code, "days_in_stage");

    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;
    assert_eq!(manager.get("/api/v1/pipeline/thresholds").await.status(), 200);
    assert_eq!(
        manager
            .put(
                "/api/v1/pipeline/thresholds",
                &json!({ "yellow_days": 3, "red_days": 4 })
            )
            .await
            .status(),
        403
    );
}

async fn team_members_are_active_users_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (_, member) = app.add_user(me.agency.id, SystemRole::Member).await;
    let other = app.new_browser();
    other.signup().await;

    let all: Vec<TeamMember> = app.get_json("/api/v1/team/members").await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].first_name, "Grace");
    assert_eq!(all[1].id, member.user.id);
    assert_eq!(all[1].role, "Member");

    let found: Vec<TeamMember> = app.get_json("/api/v1/team/members?q=MEMBER%2B").await;
    assert_eq!(found.len(), 1, "matches the email");
    let found: Vec<TeamMember> = app.get_json("/api/v1/team/members?q=hopp").await;
    assert_eq!(found[0].id, me.user.id);
    let none: Vec<TeamMember> = app.get_json("/api/v1/team/members?q=%25").await;
    assert!(none.is_empty(), "% is matched literally");

    deactivate_user(&app, member.user.id).await;
    let all: Vec<TeamMember> = app.get_json("/api/v1/team/members").await;
    assert_eq!(all.len(), 1);
    let long = "x".repeat(201);
    assert_eq!(app.get(&format!("/api/v1/team/members?q={long}")).await.status(), 422);
}
