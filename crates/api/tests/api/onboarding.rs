//! Onboarding: journeys and the form builder, starting an onboarding (welcome email with a working
//! link), the public intake form (draft, submit, per-field 422s, dead links, rate limits), stage
//! transitions (409 on a stale stage, completion moves the client), permissions and tenant isolation.

use audienceos_shared::onboarding::{
    IntakeField, IntakeLinkIssued, Journey, OnboardingInstance, OnboardingInstanceDetail, OnboardingStarted,
    PublicIntake,
};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use serde_json::{json, Value};

use crate::fixtures::{audit_actions, fields};
use crate::helpers::{spawn_app_with, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    onboarding_journeys_and_fields_crud_with_field_errors,
    onboarding_ids_of_another_agency_are_404_on_every_route,
    onboarding_permissions_of_members_and_managers,
    onboarding_start_emails_a_working_link_and_the_public_form_submits,
    onboarding_submit_naming_another_agencys_field_is_422_and_stores_nothing,
    onboarding_stage_transitions_conflict_when_stale_and_completion_moves_the_client,
    onboarding_expired_revoked_and_unknown_links_are_404,
    copying_or_resending_the_link_keeps_the_one_sent_working,
);

async fn app(backend: Backend) -> TestApp {
    app_limited(backend, "1000/minute", "1000/minute").await
}

/// The app with the public form's rate limits per IP and per link.
async fn app_limited(backend: Backend, per_ip: &str, per_link: &str) -> TestApp {
    let limits = [
        ("AOS_RATE_LIMIT_PUBLIC", per_ip),
        ("AOS_RATE_LIMIT_PUBLIC_TOKEN", per_link),
    ];
    spawn_app_with(backend, &limits).await
}

async fn journeys(b: &Browser) -> Vec<Journey> {
    let res = b.get("/api/v1/onboarding/journeys").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn default_fields(b: &Browser) -> Vec<IntakeField> {
    let res = b.get("/api/v1/onboarding/fields").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn start(b: &Browser, email: &str) -> OnboardingStarted {
    let res = b
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client": { "name": "Acme Outdoor", "contact_email": email, "website": "acme.test" } }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// The token of an `{public_url}/intake/{token}` link.
fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

fn intake_token_in(eml: &str) -> String {
    crate::helpers::link_token(eml, "/intake/")
}

/// Valid values for every field of the default form.
fn valid_values(fields: &[IntakeField]) -> Vec<Value> {
    fields
        .iter()
        .map(|f| {
            let v = match f.label.as_str() {
                "Business name" => "Acme Outdoor Co.",
                "Contact email" => "owner@acme.test",
                "Website" => "https://acme.test",
                "Store platform" => "Shopify",
                "Monthly ad budget (USD)" => "2500",
                "Meta Pixel ID" => "123456789012345",
                "Google Tag Manager ID" => "GTM-AB12CD",
                "Preferred launch date" => "2027-01-15",
                _ => "Grow repeat purchases",
            };
            json!({ "field_id": f.id, "value": v })
        })
        .collect()
}

/// POST an action without a body on an onboarding instance (`resend-email`, `link/revoke`, ...).
async fn instance_action(b: &Browser, id: uuid::Uuid, action: &str) -> reqwest::Response {
    b.post(&format!("/api/v1/onboarding/instances/{id}/{action}"), &json!({}))
        .await
}

async fn detail(b: &Browser, id: uuid::Uuid) -> OnboardingInstanceDetail {
    let res = b.get(&format!("/api/v1/onboarding/instances/{id}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn onboarding_journeys_and_fields_crud_with_field_errors(backend: Backend) {
    let app = app(backend).await;
    app.signup().await;
    let initial = journeys(&app).await;
    assert_eq!(initial.len(), 1, "every agency starts with the default journey");
    let standard = &initial[0];
    assert!(standard.is_default);
    let names: Vec<&str> = standard.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Intake Received",
            "Access Verified",
            "Pixel Install",
            "Audit Complete",
            "Live Support"
        ]
    );
    assert_eq!(standard.stages[1].platforms, ["FB", "GA", "SH"]);
    assert_eq!(default_fields(&app).await.len(), 9, "and the default intake form");

    let res = app
        .post(
            "/api/v1/onboarding/journeys",
            &json!({ "name": " ", "welcome_video_url": "ftp://x", "stages": [] }),
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["name", "stages", "welcome_video_url"], "{p}");

    let res = app
        .post(
            "/api/v1/onboarding/journeys",
            &json!({ "name": "Enterprise", "intro": "Hello", "is_default": true,
                     "stages": [{ "name": "Kick-off" }, { "name": "Access", "platforms": ["fb", "ga"] }] }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ent: Journey = res.json().await.unwrap();
    assert!(ent.is_default);
    assert_eq!(ent.stages[1].platforms, ["FB", "GA"]);
    let all = journeys(&app).await;
    assert_eq!(all.iter().filter(|j| j.is_default).count(), 1, "one default per agency");
    assert_eq!(all[0].id, ent.id, "the default first");

    // reorder, rename, add and remove stages in one go
    let body = json!({ "stages": [
        { "id": ent.stages[1].id, "name": "Access verified", "platforms": ["FB"] },
        { "name": "Launch" },
    ] });
    let res = app
        .put(&format!("/api/v1/onboarding/journeys/{}/stages", ent.id), &body)
        .await;
    assert_eq!(res.status(), 200);
    let ent2: Journey = res.json().await.unwrap();
    let names: Vec<&str> = ent2.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Access verified", "Launch"]);
    assert_eq!(ent2.stages[0].id, ent.stages[1].id);

    let res = app
        .post(&format!("/api/v1/onboarding/journeys/{}/archive", ent.id), &json!({}))
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "journey_is_default");
    let res = app
        .patch(
            &format!("/api/v1/onboarding/journeys/{}", standard.id),
            &json!({ "is_default": true, "intro": null }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let s: Journey = res.json().await.unwrap();
    assert!(s.is_default && s.intro.is_none());
    let res = app
        .post(&format!("/api/v1/onboarding/journeys/{}/archive", ent.id), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        journeys(&app).await.len(),
        1,
        "archived journeys are not listed by default"
    );

    // the form builder
    let bad = json!({ "label": "", "field_type": "select", "pattern": "(" });
    let p: Value = app.post_expecting("/api/v1/onboarding/fields", &bad, 422).await;
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["label", "options"], "{p}");
    let res = app
        .post(
            "/api/v1/onboarding/fields",
            &json!({ "label": "Code", "field_type": "text", "pattern": "(" }),
        )
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["pattern"]);
    let res = app
        .post(
            "/api/v1/onboarding/fields",
            &json!({ "label": "Shop ID", "field_type": "text", "required": true, "pattern": "[0-9]+" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let field: IntakeField = res.json().await.unwrap();
    assert_eq!(field.position, 9);
    let res = app
        .patch(
            &format!("/api/v1/onboarding/fields/{}", field.id),
            &json!({ "label": "Shop number", "pattern": null }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let f2: IntakeField = res.json().await.unwrap();
    assert_eq!((f2.label.as_str(), f2.pattern.as_deref()), ("Shop number", None));

    let mut ids: Vec<uuid::Uuid> = default_fields(&app).await.iter().map(|f| f.id).collect();
    ids.reverse();
    let res = app
        .put("/api/v1/onboarding/fields/order", &json!({ "field_ids": ids[..3] }))
        .await;
    assert_eq!(res.status(), 422, "a partial order is refused");
    let res = app
        .put("/api/v1/onboarding/fields/order", &json!({ "field_ids": ids }))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(default_fields(&app).await[0].id, field.id);
    let res = app
        .post(&format!("/api/v1/onboarding/fields/{}/archive", field.id), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(default_fields(&app).await.len(), 9);

    // a journey's own form
    let res = app
        .post(
            "/api/v1/onboarding/fields",
            &json!({ "journey_id": standard.id, "label": "Store URL", "field_type": "url" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .get(&format!("/api/v1/onboarding/fields?journey_id={}", standard.id))
        .await;
    assert_eq!(res.json::<Vec<IntakeField>>().await.unwrap().len(), 1);
}

async fn onboarding_ids_of_another_agency_are_404_on_every_route(backend: Backend) {
    let app = app(backend).await;
    app.signup().await;
    let journey = &journeys(&app).await[0];
    let field = &default_fields(&app).await[0];
    let started = start(&app, "a@acme.test").await;
    let inst = started.instance;

    let other = app.new_browser();
    other.signup().await;
    let (j, f, i) = (journey.id, field.id, inst.id);
    let from = inst.current_stage_id;
    let cases: Vec<(&str, String, Value)> = vec![
        ("GET", format!("/api/v1/onboarding/journeys/{j}"), json!(null)),
        (
            "PATCH",
            format!("/api/v1/onboarding/journeys/{j}"),
            json!({ "name": "x" }),
        ),
        (
            "PUT",
            format!("/api/v1/onboarding/journeys/{j}/stages"),
            json!({ "stages": [{ "name": "x" }] }),
        ),
        ("POST", format!("/api/v1/onboarding/journeys/{j}/archive"), json!({})),
        ("GET", format!("/api/v1/onboarding/fields?journey_id={j}"), json!(null)),
        (
            "PATCH",
            format!("/api/v1/onboarding/fields/{f}"),
            json!({ "label": "x" }),
        ),
        ("POST", format!("/api/v1/onboarding/fields/{f}/archive"), json!({})),
        ("GET", format!("/api/v1/onboarding/instances/{i}"), json!(null)),
        (
            "PATCH",
            format!("/api/v1/onboarding/instances/{i}/stage"),
            json!({ "from_stage_id": from, "action": "complete" }),
        ),
        (
            "PUT",
            format!("/api/v1/onboarding/instances/{i}/platforms"),
            json!({ "stage_id": from, "platform": "FB", "state": "verified" }),
        ),
        (
            "POST",
            format!("/api/v1/onboarding/instances/{i}/link/revoke"),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/onboarding/instances/{i}/link/regenerate"),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/onboarding/instances/{i}/resend-email"),
            json!({}),
        ),
    ];
    for (method, path, body) in cases {
        let res = match method {
            "GET" => other.get(&path).await,
            "PATCH" => other.patch(&path, &body).await,
            "PUT" => other.put(&path, &body).await,
            _ => other.post(&path, &body).await,
        };
        assert_eq!(res.status(), 404, "{method} {path}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["code"],
            "not_found",
            "{method} {path}"
        );
    }
    let res = other
        .post("/api/v1/onboarding/instances", &json!({ "client_id": inst.client.id }))
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["client_id"]);
    let res = other
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client": { "name": "B", "contact_email": "b@b.test" }, "journey_id": j }),
        )
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["journey_id"]);
    let page: Page<OnboardingInstance> = other.get_json("/api/v1/onboarding/instances").await;
    assert!(page.items.is_empty());
    // and nothing changed for the owner
    let d = detail(&app, i).await;
    assert_eq!(d.instance.link.state, audienceos_shared::onboarding::LinkState::Active);
    assert_eq!(d.instance.version, 1);
}

async fn onboarding_permissions_of_members_and_managers(backend: Backend) {
    let app = app(backend).await;
    let (_, me) = app.signup().await;
    let started = start(&app, "p@acme.test").await;
    let (member, _) = app.add_user(me.agency.id, SystemRole::Member).await;
    let (manager, _) = app.add_user(me.agency.id, SystemRole::Manager).await;

    assert_eq!(member.get("/api/v1/onboarding/journeys").await.status(), 200);
    let res = member
        .post(
            "/api/v1/onboarding/journeys",
            &json!({ "name": "M", "stages": [{ "name": "a" }] }),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "forbidden");
    let res = member
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client_id": started.instance.client.id }),
        )
        .await;
    assert_eq!(res.status(), 403);
    let page: Page<OnboardingInstance> = member.get_json("/api/v1/onboarding/instances").await;
    assert!(page.items.is_empty(), "Members see only their clients' onboardings");
    let res = member
        .get(&format!("/api/v1/onboarding/instances/{}", started.instance.id))
        .await;
    assert_eq!(res.status(), 404);

    let res = manager
        .post(
            "/api/v1/onboarding/fields",
            &json!({ "label": "x", "field_type": "text" }),
        )
        .await;
    assert_eq!(res.status(), 403, "the form builder is for Admins");
    let res = manager
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client_id": started.instance.client.id, "send_email": false }),
        )
        .await;
    assert_eq!(res.status(), 409, "one running onboarding per client");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "onboarding_in_progress");
    let res = manager
        .post(
            "/api/v1/onboarding/instances",
            &json!({ "client": { "name": "Beta", "contact_email": "beta@beta.test" }, "send_email": false }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let s: OnboardingStarted = res.json().await.unwrap();
    assert!(!s.link.email_queued);
    let res = manager
        .patch(
            &format!("/api/v1/onboarding/instances/{}/stage", s.instance.id),
            &json!({ "from_stage_id": s.instance.current_stage_id, "action": "complete" }),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn onboarding_start_emails_a_working_link_and_the_public_form_submits(backend: Backend) {
    let app = app(backend).await;
    let (signup, _) = app.signup().await;
    let started = start(&app, "owner@acme.test").await;
    assert!(started.link.email_queued);
    assert!(started.link.intake_url.starts_with("http://app.test/intake/"));
    assert_eq!(started.instance.current_stage, "Intake Received");
    assert_eq!(started.instance.client.stage, "Onboarding");
    let mails = app.outbox(1).await;
    assert!(mails[0].contains("owner@acme.test"));
    let token = intake_token_in(&mails[0]);
    assert_eq!(token, token_of(&started.link.intake_url));
    assert_eq!(token.len(), 43);

    let client = app.new_browser();
    let path = format!("/api/public/onboarding/{token}");
    let res = client.get(&path).await;
    assert_eq!(res.status(), 200);
    let raw: Value = res.json().await.unwrap();
    assert_eq!(raw["agency"]["name"], signup["agency_name"]);
    assert!(
        raw.get("client").is_none() && raw["fields"][0].get("position").is_none(),
        "only what the client must see"
    );
    let intake: PublicIntake = serde_json::from_value(raw).unwrap();
    assert_eq!(intake.journey.name, "Standard onboarding");
    assert_eq!(intake.fields.len(), 9);
    let email = intake.fields.iter().find(|f| f.label == "Contact email").unwrap().id;
    let gtm = intake
        .fields
        .iter()
        .find(|f| f.label == "Google Tag Manager ID")
        .unwrap()
        .id;

    let send = |action: &'static str, values: Value| {
        let (client, path) = (&client, &path);
        async move {
            client
                .post(&format!("{path}/{action}"), &json!({ "values": values }))
                .await
        }
    };
    // a draft: required fields may be empty, but a non-empty value must fit its type
    let res = send("draft", json!([{ "field_id": email, "value": "not-an-email" }])).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(fields(&p), [email.to_string()]);
    assert_eq!(p["errors"][0]["code"], "email");
    let res = send("draft", json!([{ "field_id": email, "value": "owner@acme.test" }])).await;
    assert_eq!(res.status(), 200);
    let resumed: PublicIntake = client.get_json(&path).await;
    assert_eq!(resumed.values.len(), 1);
    assert_eq!(resumed.values[0].value, "owner@acme.test");

    // submit: one invalid field is named, nothing else
    let mut values = valid_values(&intake_fields(&app).await);
    for v in values.iter_mut() {
        if v["field_id"] == json!(gtm) {
            v["value"] = json!("GTM-1");
        }
    }
    let res = send("submit", json!(values)).await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(fields(&p), [gtm.to_string()]);
    assert_eq!(p["errors"][0]["code"], "pattern");
    // a required field left empty
    let res = send("submit", json!([{ "field_id": email, "value": "" }])).await;
    assert_eq!(res.status(), 422);
    assert!(fields(&res.json::<Value>().await.unwrap()).contains(&email.to_string()));

    let values = valid_values(&intake_fields(&app).await);
    let res = send("submit", json!(values)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let d = detail(&app, started.instance.id).await;
    assert_eq!(d.responses.len(), 9);
    assert!(d.responses.iter().all(|r| r.submitted));
    assert_eq!(
        d.instance.stages[0].status,
        audienceos_shared::onboarding::StageState::Completed
    );
    assert_eq!(d.instance.current_stage, "Access Verified");
    assert_eq!(
        d.instance.status,
        audienceos_shared::onboarding::InstanceStatus::InProgress
    );
    assert!(d.instance.submitted_at.is_some());
    assert_eq!(
        d.history[0].action,
        audienceos_shared::onboarding::StageAction::IntakeSubmitted
    );
    assert!(d.history[0].actor.is_none());
    assert_eq!(d.instance.stages[1].platforms.len(), 3);

    // platform verification
    let res = app
        .put(
            &format!("/api/v1/onboarding/instances/{}/platforms", started.instance.id),
            &json!({ "stage_id": d.instance.stages[1].stage_id, "platform": "fb", "state": "verified" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let i: OnboardingInstance = res.json().await.unwrap();
    assert_eq!(
        i.stages[1].platforms[0].state,
        audienceos_shared::onboarding::PlatformState::Verified
    );
    let res = app
        .put(
            &format!("/api/v1/onboarding/instances/{}/platforms", started.instance.id),
            &json!({ "stage_id": d.instance.stages[1].stage_id, "platform": "TT", "state": "verified" }),
        )
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["platform"]);

    // the agency's list filters by stage
    let page: Page<OnboardingInstance> = app
        .get(&format!(
            "/api/v1/onboarding/instances?stage_id={}",
            d.instance.current_stage_id
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let page: Page<OnboardingInstance> = app.get_json("/api/v1/onboarding/instances?status=completed").await;
    assert!(page.items.is_empty());

    // resend: the same link by email again; the one sent first keeps working
    let res = instance_action(&app, started.instance.id, "resend-email").await;
    assert_eq!(res.status(), 200);
    let issued: IntakeLinkIssued = res.json().await.unwrap();
    assert!(issued.email_queued);
    let mails = app.outbox(2).await;
    assert!(mails.iter().any(|m| intake_token_in(m) == token_of(&issued.intake_url)));
    assert_eq!(issued.intake_url, started.link.intake_url);
    assert_eq!(client.get(&path).await.status(), 200);
    assert_eq!(
        client
            .get(&format!("/api/public/onboarding/{}", token_of(&issued.intake_url)))
            .await
            .status(),
        200
    );
}

async fn intake_fields(app: &TestApp) -> Vec<IntakeField> {
    default_fields(app).await
}

async fn onboarding_submit_naming_another_agencys_field_is_422_and_stores_nothing(backend: Backend) {
    let app = app(backend).await;
    app.signup().await;
    let started = start(&app, "x@acme.test").await;
    let token = token_of(&started.link.intake_url);

    let other = app.new_browser();
    other.signup().await;
    let foreign = default_fields(&other).await[0].id;

    let client = app.new_browser();
    let mut values = valid_values(&default_fields(&app).await);
    values.push(json!({ "field_id": foreign, "value": "Acme" }));
    for path in ["draft", "submit"] {
        let res = client
            .post(
                &format!("/api/public/onboarding/{token}/{path}"),
                &json!({ "values": values }),
            )
            .await;
        assert_eq!(res.status(), 422, "{path}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(fields(&p), [foreign.to_string()], "{path}");
        assert_eq!(p["errors"][0]["code"], "unknown_field");
    }
    let d = detail(&app, started.instance.id).await;
    assert!(d.responses.is_empty(), "nothing stored");
    assert!(d.instance.submitted_at.is_none());
    assert_eq!(d.history.len(), 1, "only the start");
}

async fn onboarding_stage_transitions_conflict_when_stale_and_completion_moves_the_client(backend: Backend) {
    let app = app(backend).await;
    app.signup().await;
    let started = start(&app, "t@acme.test").await;
    let id = started.instance.id;
    let path = format!("/api/v1/onboarding/instances/{id}/stage");
    let first = started.instance.current_stage_id;

    let res = app
        .patch(&path, &json!({ "from_stage_id": first, "action": "complete" }))
        .await;
    assert_eq!(res.status(), 200);
    let i: OnboardingInstance = res.json().await.unwrap();
    assert_eq!(i.current_stage, "Access Verified");
    assert_eq!(i.version, 2);

    // someone who still sees the first stage
    let res = app
        .patch(
            &path,
            &json!({ "from_stage_id": first, "action": "set_current", "stage_id": i.stages[3].stage_id }),
        )
        .await;
    assert_eq!(res.status(), 409);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["code"], "stage_conflict");
    assert_eq!(
        detail(&app, id).await.instance.version,
        2,
        "a stale move changes nothing"
    );

    let res = app
        .patch(
            &path,
            &json!({ "from_stage_id": i.current_stage_id, "action": "block" }),
        )
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["reason"]);
    let res = app
        .patch(
            &path,
            &json!({ "from_stage_id": i.current_stage_id, "action": "block", "reason": "No Meta access yet" }),
        )
        .await;
    let i: OnboardingInstance = res.json().await.unwrap();
    assert_eq!(i.stages[1].status, audienceos_shared::onboarding::StageState::Blocked);
    assert_eq!(i.stages[1].blocked_reason.as_deref(), Some("No Meta access yet"));
    let res = app
        .patch(
            &path,
            &json!({ "from_stage_id": i.current_stage_id, "action": "set_current", "stage_id": uuid::Uuid::now_v7() }),
        )
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["stage_id"]);

    let mut current = i.current_stage_id;
    let res = app
        .patch(&path, &json!({ "from_stage_id": current, "action": "reopen" }))
        .await;
    assert_eq!(res.status(), 200);
    for expected in ["Pixel Install", "Audit Complete", "Live Support", "Live Support"] {
        let res = app
            .patch(&path, &json!({ "from_stage_id": current, "action": "complete" }))
            .await;
        assert_eq!(res.status(), 200);
        let i: OnboardingInstance = res.json().await.unwrap();
        assert_eq!(i.current_stage, expected);
        current = i.current_stage_id;
    }
    let d = detail(&app, id).await;
    assert_eq!(
        d.instance.status,
        audienceos_shared::onboarding::InstanceStatus::Completed
    );
    assert!(d.instance.completed_at.is_some());
    assert_eq!(
        d.instance.client.stage, "Installation",
        "the client moved to the next pipeline stage"
    );
    assert!(d.history.len() >= 8);
    assert!(d
        .history
        .iter()
        .all(|h| h.actor.is_some() || h.action == audienceos_shared::onboarding::StageAction::Started));

    let events: Value = app
        .get_json(&format!("/api/v1/clients/{}/stage-events", d.instance.client.id))
        .await;
    assert_eq!(events[0]["to_stage"], "Installation", "{events}");
    let actions = audit_actions(&app, "").await;
    assert!(
        actions.iter().filter(|a| **a == "onboarding.stage_transition").count() >= 7,
        "{actions:?}"
    );
    assert!(actions.contains(&"client.stage_moved".into()));

    // reopening a completed onboarding
    let res = app
        .patch(
            &path,
            &json!({ "from_stage_id": current, "action": "reopen", "stage_id": d.instance.stages[2].stage_id }),
        )
        .await;
    let i: OnboardingInstance = res.json().await.unwrap();
    assert_eq!(i.status, audienceos_shared::onboarding::InstanceStatus::InProgress);
    assert!(i.completed_at.is_none());
}

async fn onboarding_expired_revoked_and_unknown_links_are_404(backend: Backend) {
    let app = app(backend).await;
    app.signup().await;
    let started = start(&app, "e@acme.test").await;
    let client = app.new_browser();
    let url = |t: &str| format!("/api/public/onboarding/{t}");
    let token = token_of(&started.link.intake_url);

    for bad in ["nope", &"x".repeat(43), &"y".repeat(300)] {
        let res = client.get(&url(bad)).await;
        assert_eq!(res.status(), 404);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "not_found");
        assert!(body.get("detail").is_none());
    }
    assert_eq!(client.get(&url(&token)).await.status(), 200);

    app.state.clock.set_offset(31 * 24 * 3600);
    let expired = client.get(&url(&token)).await;
    assert_eq!(expired.status(), 404, "links expire after 30 days");
    let res = client
        .post(&format!("{}/draft", url(&token)), &json!({ "values": [] }))
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        detail(&app, started.instance.id).await.instance.link.state,
        audienceos_shared::onboarding::LinkState::Expired
    );
    app.state.clock.set_offset(0);

    let res = instance_action(&app, started.instance.id, "link/revoke").await;
    assert_eq!(res.status(), 200);
    assert_eq!(client.get(&url(&token)).await.status(), 404, "a revoked link is dead");

    let res = instance_action(&app, started.instance.id, "link/regenerate").await;
    assert_eq!(res.status(), 200);
    let issued: IntakeLinkIssued = res.json().await.unwrap();
    assert!(!issued.email_queued);
    assert_eq!(client.get(&url(&token_of(&issued.intake_url))).await.status(), 200);
    assert_eq!(client.get(&url(&token)).await.status(), 404);

    // a shorter expiry applies to links made afterwards
    let res = app
        .put("/api/v1/onboarding/settings", &json!({ "link_expiry_days": 0 }))
        .await;
    assert_eq!(fields(&res.json::<Value>().await.unwrap()), ["link_expiry_days"]);
    let res = app
        .put("/api/v1/onboarding/settings", &json!({ "link_expiry_days": 2 }))
        .await;
    assert_eq!(res.status(), 200);
    let res = instance_action(&app, started.instance.id, "link/regenerate").await;
    let issued: IntakeLinkIssued = res.json().await.unwrap();
    app.state.clock.set_offset(3 * 24 * 3600);
    assert_eq!(client.get(&url(&token_of(&issued.intake_url))).await.status(), 404);
    app.state.clock.set_offset(0);
}

#[tokio::test]
async fn onboarding_public_form_is_limited_per_ip_and_per_link_with_retry_after() {
    let app = app_limited(Backend::Sqlite, "3/minute", "1000/minute").await;
    app.signup().await;
    let started = start(&app, "r@acme.test").await;
    let path = format!("/api/public/onboarding/{}", token_of(&started.link.intake_url));
    for i in 0..3 {
        assert_eq!(app.get(&path).await.status(), 200, "request {i}");
    }
    let res = app.get(&path).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "rate_limited");

    let app = app_limited(Backend::Sqlite, "1000/minute", "2/minute").await;
    app.signup().await;
    let a = start(&app, "r1@acme.test").await;
    let b = start(&app, "r2@acme.test").await;
    let pa = format!("/api/public/onboarding/{}", token_of(&a.link.intake_url));
    let pb = format!("/api/public/onboarding/{}", token_of(&b.link.intake_url));
    assert_eq!(app.get(&pa).await.status(), 200);
    assert_eq!(
        app.post(&format!("{pa}/draft"), &json!({ "values": [] }))
            .await
            .status(),
        200
    );
    let res = app.get(&pa).await;
    assert_eq!(res.status(), 429, "per link");
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(app.get(&pb).await.status(), 200, "another link has its own budget");
}

/// "Copy link" and "Resend email" give the link already sent, which keeps working; only "Revoke and
/// issue new link" replaces it. A revoked link cannot be copied (409), and copying needs write access.
async fn copying_or_resending_the_link_keeps_the_one_sent_working(backend: Backend) {
    let app = app(backend).await;
    let (_, me) = app.signup().await;
    let started = start(&app, "keep@acme.test").await;
    let id = started.instance.id;
    let client = app.new_browser();
    let public = |t: &str| format!("/api/public/onboarding/{t}");
    let sent = started.link.intake_url.clone();

    let res = app.get(&format!("/api/v1/onboarding/instances/{id}/link")).await;
    assert_eq!(res.status(), 200);
    let copied: IntakeLinkIssued = res.json().await.unwrap();
    assert_eq!(copied.intake_url, sent, "the live link, not a new one");
    assert_eq!(copied.expires_at, started.link.expires_at);

    let res = app
        .post(&format!("/api/v1/onboarding/instances/{id}/resend-email"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let resent: IntakeLinkIssued = res.json().await.unwrap();
    assert_eq!(resent.intake_url, sent);
    assert!(resent.email_queued);
    assert_eq!(
        client.get(&public(&token_of(&sent))).await.status(),
        200,
        "the emailed link still works"
    );

    let res = app
        .post(
            &format!("/api/v1/onboarding/instances/{id}/link/regenerate"),
            &json!({}),
        )
        .await;
    let fresh: IntakeLinkIssued = res.json().await.unwrap();
    assert_ne!(fresh.intake_url, sent);
    let copied: IntakeLinkIssued = app.get_json(&format!("/api/v1/onboarding/instances/{id}/link")).await;
    assert_eq!(
        copied.intake_url, fresh.intake_url,
        "after a reissue, the new link is the live one"
    );
    assert_eq!(client.get(&public(&token_of(&sent))).await.status(), 404);

    let res = app
        .post(&format!("/api/v1/onboarding/instances/{id}/link/revoke"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app.get(&format!("/api/v1/onboarding/instances/{id}/link")).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "link_unavailable");

    let (member, _) = app
        .add_user(me.agency.id, audienceos_shared::permissions::SystemRole::Member)
        .await;
    let res = member.get(&format!("/api/v1/onboarding/instances/{id}/link")).await;
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
}
