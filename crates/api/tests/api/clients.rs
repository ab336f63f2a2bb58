//! Clients over HTTP: create and read, tenancy and Member scoping.

use audienceos_shared::clients::{Client, Health};
use audienceos_shared::permissions::SystemRole;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(
    create_then_get_starts_in_the_first_stage,
    another_agency_and_members_get_404
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

    let got: Client = app
        .get(&format!("/api/v1/clients/{}", created.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got, created);

    let dup = app
        .post(
            "/api/v1/clients",
            &json!({ "name": "Other", "contact_email": "ops@acme.test" }),
        )
        .await;
    assert_eq!(dup.status(), 409);
    let problem: serde_json::Value = dup.json().await.unwrap();
    assert_eq!(problem["code"], "contact_email_taken");

    let bad = app
        .post(
            "/api/v1/clients",
            &json!({ "name": "", "contact_email": "nope", "website": "x" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let problem: serde_json::Value = bad.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["name", "contact_email", "website"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
}

async fn another_agency_and_members_get_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client: Client = app
        .post("/api/v1/clients", &json!({ "name": "Mine" }))
        .await
        .json()
        .await
        .unwrap();
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
