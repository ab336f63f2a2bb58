//! The cross-tenant matrix, driven by the OpenAPI document: agency A gets one of everything (a client
//! with a note, a task, a file, a label, an alert, an onboarding, a Gmail thread with a reply; stages,
//! journeys, intake fields, an API key, an integration); then every templated `/api/v1` operation is
//! replayed with A's ids as agency B's Owner (session, then API key) and, for what belongs to a client,
//! as A's Member who was not given that client. None may succeed or fail with a 5xx, a read may only be
//! `403`/`404`, and A's objects read the same afterwards. A new route under a known collection is covered
//! without editing this test; a new collection fails it until the collection's fixture is added to `ids`.

use std::collections::HashMap;
use std::time::Duration;

use audienceos_shared::permissions::SystemRole;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::alerts::add_alert;
use crate::fixtures::{first_sync_done, new_api_key};
use crate::helpers::{spawn_with_fakes, Backend, Browser, TestApp};
use crate::on_both;

on_both!(every_templated_route_refuses_another_agency_and_a_member_without_the_client);

/// Path collections whose objects belong to a client (a Member without the client must be refused).
const CLIENT_BOUND: &[&str] = &["clients", "alerts", "replies", "threads", "communications", "instances"];

async fn ok(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

fn first(v: &Value) -> &Value {
    v.get("items")
        .unwrap_or(v)
        .as_array()
        .and_then(|a| a.first())
        .unwrap_or_else(|| panic!("empty list {v}"))
}

/// One of everything in agency A; the id of each, by the collection segment that precedes it in paths.
async fn agency_a(app: &TestApp) -> (HashMap<&'static str, String>, Uuid) {
    let (_, me) = app.signup().await;
    let mut ids: HashMap<&'static str, String> = HashMap::new();
    let client = ok(
        app.post(
            "/api/v1/clients",
            &json!({ "name": "Acme Dental", "contact_email": "dana@acme-dental.test" }),
        )
        .await,
        "client",
    )
    .await;
    let client_id = id_of(&client);
    let c = format!("/api/v1/clients/{client_id}");
    ids.insert("clients", client_id.clone());
    for (kind, what, body) in [
        ("notes", "note", json!({ "body": "Call back" })),
        ("tasks", "task", json!({ "title": "Audit" })),
    ] {
        let created = ok(app.post(&format!("{c}/{kind}"), &body).await, what).await;
        ids.insert(kind, id_of(&created));
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"brief".to_vec()).file_name("brief.txt"),
    );
    let file = app
        .with_csrf(app.client.post(app.url(&format!("{c}/files"))).multipart(form))
        .send()
        .await
        .unwrap();
    ids.insert("files", id_of(&ok(file, "file").await));
    let label = ok(
        app.post("/api/v1/labels", &json!({ "name": "VIP", "color": "#5e6ad2" }))
            .await,
        "label",
    )
    .await;
    ids.insert("labels", id_of(&label));
    ok(
        app.put(&format!("{c}/labels/{}", ids["labels"]), &json!({})).await,
        "attach label",
    )
    .await;
    ids.insert(
        "stages",
        id_of(first(&ok(app.get("/api/v1/pipeline/stages").await, "stages").await)),
    );
    ids.insert(
        "journeys",
        id_of(first(
            &ok(app.get("/api/v1/onboarding/journeys").await, "journeys").await,
        )),
    );
    ids.insert(
        "fields",
        id_of(first(&ok(app.get("/api/v1/onboarding/fields").await, "fields").await)),
    );
    let onboarding = ok(
        app.post("/api/v1/onboarding/instances", &json!({ "client_id": client_id }))
            .await,
        "onboarding",
    )
    .await;
    ids.insert(
        "instances",
        onboarding["instance"]["id"]
            .as_str()
            .map_or_else(|| id_of(&onboarding), str::to_string),
    );
    let key = new_api_key(app, "A", "admin", 30).await;
    ids.insert("api-keys", key.api_key.id.to_string());
    let import = app
        .with_csrf(
            app.client
                .post(app.url("/api/v1/clients/imports"))
                .header("content-type", "text/csv")
                .body("name\nImported Co\n"),
        )
        .send()
        .await
        .unwrap();
    let import = id_of(&ok(import, "import").await);
    // Finished before the snapshots, so that they compare a settled import.
    for _ in 0..300 {
        let now = ok(app.get(&format!("/api/v1/clients/imports/{import}")).await, "import").await;
        if now["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ids.insert("imports", import);
    let alert = add_alert(
        &app.store,
        me.agency.id,
        Some(client_id.parse().unwrap()),
        "high",
        "active",
        chrono::Utc::now(),
    )
    .await;
    ids.insert("alerts", alert.to_string());

    // Gmail: connected, synced, a thread of the client's, a reply in it.
    let integration = app.connect("gmail").await;
    let integration_id: Uuid = integration["id"].as_str().unwrap().parse().unwrap();
    first_sync_done(app, me.agency.id, integration_id).await;
    ids.insert("integrations", integration_id.to_string());
    // An agency's own OAuth app is named by its provider: B's calls reach B's own (none here, and the server
    // configures Google, so a PUT is `409 oauth_app_server_managed`); A's is never in reach.
    ids.insert("credentials", "google".into());
    ids.insert("links", "act_1234567890".into());
    let threads = ok(
        app.get("/api/v1/communications/threads?platform=gmail").await,
        "threads",
    )
    .await;
    let key = first(&threads)["key"].as_str().unwrap().to_string();
    let thread = ok(
        app.get(&format!("/api/v1/communications/threads/{key}")).await,
        "thread",
    )
    .await;
    let message = thread["messages"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = app
        .with_csrf(
            app.client
                .post(app.url(&format!("/api/v1/communications/{message}/reply"))),
        )
        .header("Idempotency-Key", "tenancy-1")
        .json(&json!({ "body": "Thanks, Dana" }))
        .send()
        .await
        .unwrap();
    ids.insert("replies", id_of(&ok(reply, "reply").await));
    ids.insert("threads", key);
    ids.insert("communications", message);
    (ids, me.agency.id)
}

/// The concrete path and the collection of its first parameter, or a panic naming what to add.
fn concrete(path: &str, ids: &HashMap<&'static str, String>) -> (String, String) {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    let mut owner = None;
    for (i, seg) in segments.iter().enumerate() {
        if seg.starts_with('{') {
            let collection = segments[i - 1];
            let id = ids.get(collection).unwrap_or_else(|| {
                panic!("{path}: agency A has no `{collection}` yet; create one in `agency_a` and add its id")
            });
            owner.get_or_insert_with(|| collection.to_string());
            out.push(id.clone());
        } else {
            out.push(seg.to_string());
        }
    }
    (out.join("/"), owner.unwrap_or_default())
}

/// A body of the operation's schema: its required properties with plausible values, so a refusal comes
/// from tenancy rather than validation wherever the shape allows it.
fn example(schema: &Value, doc: &Value, ids: &HashMap<&'static str, String>) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return example(&doc["components"]["schemas"][name], doc, ids);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null"))
        {
            return example(first, doc, ids);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null),
        t => t.clone(),
    };
    match ty.as_str().unwrap_or("object") {
        "string" => match schema["format"].as_str() {
            Some("uuid") => json!(ids["clients"]),
            Some("date") => json!("2026-12-01"),
            Some("date-time") => json!("2026-12-01T10:00:00Z"),
            Some("email") => json!("someone@example.test"),
            _ if schema["pattern"].as_str().is_some_and(|p| p.contains('#')) => json!("#5e6ad2"),
            _ => json!("x".repeat(schema["minLength"].as_u64().unwrap_or(1).max(1) as usize)),
        },
        "integer" | "number" => json!(schema["minimum"].as_f64().map_or(1, |m| m.max(1.0) as i64)),
        "boolean" => json!(false),
        "array" => match schema["minItems"].as_u64() {
            Some(n) if n > 0 => json!([example(&schema["items"], doc, ids)]),
            _ => json!([]),
        },
        _ => {
            let mut out = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                out.insert(name.into(), example(&schema["properties"][name], doc, ids));
            }
            Value::Object(out)
        }
    }
}

enum Caller<'a> {
    Session(&'a Browser),
    Key(&'a Browser, &'a str),
}

async fn call(caller: &Caller<'_>, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let method: reqwest::Method = method.to_uppercase().parse().unwrap();
    let mut req = match caller {
        Caller::Session(b) => b.with_csrf(b.client.request(method, b.url(path))),
        Caller::Key(b, key) => reqwest::Client::new().request(method, b.url(path)).bearer_auth(key),
    };
    req = req.header("Idempotency-Key", Uuid::new_v4().to_string());
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// What A's owner reads on every templated GET, to compare before and after the replay.
async fn snapshot(a: &Browser, doc: &Value, ids: &HashMap<&'static str, String>) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/") && path.contains('{') && item.get("get").is_some() {
            let (url, _) = concrete(path, ids);
            let (status, body) = call(&Caller::Session(a), "get", &url, None).await;
            out.push((url, status, body));
        }
    }
    out
}

async fn every_templated_route_refuses_another_agency_and_a_member_without_the_client(backend: Backend) {
    let (a, _fakes) = spawn_with_fakes(backend).await;
    let (ids, agency_a) = agency_a(&a).await;
    let doc: Value = a.get_json("/api/openapi.json").await;

    // Agency B (session and key), and A's Member, who was not given the client.
    let b = a.new_browser();
    b.signup().await;
    let b_key = new_api_key(&b, "B", "admin", 30).await.secret;
    let (member, _) = a.add_user(agency_a, SystemRole::Member).await;

    let before = snapshot(&a, &doc, &ids).await;
    let mut replayed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || !path.contains('{') {
            continue;
        }
        let (url, owner) = concrete(path, &ids);
        for (method, op) in item.as_object().unwrap() {
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .is_object()
                .then(|| example(&op["requestBody"]["content"]["application/json"]["schema"], &doc, &ids));
            let mut callers = vec![
                ("B's session", Caller::Session(&b)),
                ("B's key", Caller::Key(&b, &b_key)),
            ];
            if CLIENT_BOUND.contains(&owner.as_str()) {
                callers.push(("A's member without the client", Caller::Session(&member)));
            }
            for (who, caller) in &callers {
                let (status, text) = call(caller, method, &url, body.as_ref()).await;
                let refused = if method == "get" {
                    matches!(status, 403 | 404)
                } else {
                    matches!(status, 400 | 403 | 404 | 409 | 415 | 422)
                };
                assert!(refused, "{who}: {method} {path} answered {status}: {text:.300}");
                // Nothing of A's comes back (the problem's `instance` is the request's own path).
                let mut answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if let Some(obj) = answer.as_object_mut() {
                    obj.remove("instance");
                }
                let answer = answer.to_string();
                assert!(
                    !answer.contains(&ids["clients"]),
                    "{who}: {method} {path} named A's client: {answer:.300}"
                );
                replayed += 1;
            }
        }
    }
    assert!(replayed > 100, "only {replayed} calls");
    let after = snapshot(&a, &doc, &ids).await;
    for (x, y) in before.iter().zip(&after) {
        assert_eq!(x, y, "A's data changed after the replay");
    }
}
