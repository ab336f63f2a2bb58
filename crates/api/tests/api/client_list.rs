//! The client list: search, filters, every sort in both directions walked page by page (each row exactly
//! once, in order), cursors bound to their sort, and Member scoping.

use std::collections::HashSet;

use audienceos_shared::clients::{Client, Health};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{new_client, new_label, set_time, stages_of};
use crate::helpers::{spawn_app, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    filters_and_search,
    every_sort_walks_every_row_once,
    cursors_belong_to_their_sort,
    members_list_only_granted_clients
);

async fn page(b: &Browser, query: &str) -> Page<Client> {
    let res = b.get(&format!("/api/v1/clients?{query}")).await;
    assert_eq!(res.status(), 200, "{query}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn names(b: &Browser, query: &str) -> Vec<String> {
    let mut v: Vec<String> = page(b, &format!("{query}&limit=200"))
        .await
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    v.sort();
    v
}

async fn set_entered(app: &TestApp, id: Uuid, days_ago: i64) {
    let at = audienceos_api::clock::system_now() - chrono::Duration::days(days_ago) - chrono::Duration::minutes(1);
    set_time(app, "update client set stage_entered_at = $1 where id = $2", at, id).await;
}

async fn filters_and_search(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let stages = stages_of(&app).await;
    let vip = new_label(&app, "VIP", "#5e6ad2").await;
    let (_, member) = app.add_user(me.agency.id, SystemRole::Member).await;

    let a = new_client(&app, json!({ "name": "Acme 100% Organic", "contact_email": "ops@acme.test", "due_date": "2026-03-01", "label_ids": [vip.id] })).await;
    let b = new_client(&app, json!({ "name": "Beta_Works", "website": "beta.test", "stage_id": stages[2].id, "owner_id": member.user.id, "due_date": "2026-04-15" })).await;
    let c = new_client(
        &app,
        json!({ "name": "Gamma", "contact_name": "Ada Lovelace", "stage_id": stages[2].id }),
    )
    .await;
    let d = new_client(&app, json!({ "name": "Delta", "due_date": "2026-05-30" })).await;
    set_entered(&app, c.id, 30).await;
    set_entered(&app, d.id, 8).await;
    // a threshold change refreshes every client's health
    assert_eq!(
        app.put(
            "/api/v1/pipeline/thresholds",
            &json!({ "yellow_days": 7, "red_days": 14 })
        )
        .await
        .status(),
        200
    );
    let archived = new_client(&app, json!({ "name": "Zeta archived" })).await;
    app.post(&format!("/api/v1/clients/{}/archive", archived.id), &json!({}))
        .await;

    assert_eq!(
        names(&app, "").await,
        ["Acme 100% Organic", "Beta_Works", "Delta", "Gamma"]
    );
    assert_eq!(names(&app, "archived=true").await, ["Zeta archived"]);
    assert_eq!(names(&app, "archived=false").await.len(), 4);
    // search: name, contact, email, website; case-insensitive; % and _ literal
    assert_eq!(names(&app, "q=ACME").await, ["Acme 100% Organic"]);
    assert_eq!(names(&app, "q=lovelace").await, ["Gamma"]);
    assert_eq!(names(&app, "q=beta.test").await, ["Beta_Works"]);
    assert_eq!(names(&app, "q=ops%40acme").await, ["Acme 100% Organic"]);
    assert_eq!(names(&app, "q=100%25").await, ["Acme 100% Organic"]);
    assert_eq!(names(&app, "q=%25").await, ["Acme 100% Organic"]);
    assert_eq!(names(&app, "q=a_w").await, ["Beta_Works"]);
    assert!(names(&app, "q=e_t").await.is_empty(), "_ is not a wildcard");
    // filters
    assert_eq!(
        names(&app, &format!("stage_id={}", stages[2].id)).await,
        ["Beta_Works", "Gamma"]
    );
    assert_eq!(names(&app, "health=red").await, ["Gamma"]);
    assert_eq!(names(&app, "health=yellow").await, ["Delta"]);
    assert_eq!(names(&app, "health=green").await, ["Acme 100% Organic", "Beta_Works"]);
    // Several values: either (the dashboard's "needs attention or at risk" link).
    assert_eq!(names(&app, "health=red,yellow").await, ["Delta", "Gamma"]);
    assert_eq!(names(&app, "health=yellow%2Cred&sort=health").await, ["Delta", "Gamma"]);
    assert_eq!(app.get("/api/v1/clients?health=red,purple").await.status(), 400);
    assert_eq!(
        names(&app, &format!("owner_id={}", member.user.id)).await,
        ["Beta_Works"]
    );
    assert_eq!(
        names(&app, &format!("label_id={}", vip.id)).await,
        ["Acme 100% Organic"]
    );
    assert_eq!(
        names(&app, "due_before=2026-04-15").await,
        ["Acme 100% Organic", "Beta_Works"]
    );
    assert_eq!(names(&app, "due_after=2026-04-15").await, ["Beta_Works", "Delta"]);
    assert_eq!(
        names(&app, "due_after=2026-03-02&due_before=2026-05-01").await,
        ["Beta_Works"]
    );
    assert_eq!(
        names(&app, &format!("q=a&stage_id={}&health=red", stages[2].id)).await,
        ["Gamma"]
    );
    // another agency's ids filter to nothing rather than leaking
    let other = app.new_browser();
    other.signup().await;
    assert!(page(&other, "").await.items.is_empty());
    assert!(page(&other, &format!("label_id={}", vip.id)).await.items.is_empty());
    let _ = (a, b);

    // bad queries
    let res = app.get("/api/v1/clients?limit=0").await;
    assert_eq!(res.status(), 422);
    let res = app.get(&format!("/api/v1/clients?q={}", "x".repeat(201))).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.get("/api/v1/clients?sort=bogus").await.status(), 400);
    assert_eq!(app.get("/api/v1/clients?health=purple").await.status(), 400);
    assert_eq!(app.get("/api/v1/clients?due_before=tomorrow").await.status(), 400);
}

/// The sort key of a client as the list orders it, for checking order in the test.
fn key(c: &Client, sort: &str, positions: &[(Uuid, i32)]) -> (i64, String) {
    match sort {
        "name" => (0, c.name.to_lowercase()),
        "stage" => (
            positions.iter().find(|p| p.0 == c.stage_id).unwrap().1 as i64,
            String::new(),
        ),
        "days_in_stage" => (0, format!("{:020}", i64::MAX - c.stage_entered_at.timestamp_micros())),
        "health" => (
            match c.health {
                Health::Green => 0,
                Health::Yellow => 1,
                Health::Red => 2,
            },
            String::new(),
        ),
        "due_date" => match c.due_date {
            Some(d) => (0, d.to_string()),
            None => (1, String::new()),
        },
        _ => (0, format!("{:020}", c.updated_at.timestamp_micros())),
    }
}

async fn every_sort_walks_every_row_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let stages = stages_of(&app).await;
    let positions: Vec<(Uuid, i32)> = stages.iter().map(|s| (s.id, s.position)).collect();
    let mut ids = HashSet::new();
    for i in 0..23 {
        // ties on purpose: names repeat (in different cases), due dates repeat or are absent, stages repeat
        let name = if i % 2 == 0 {
            format!("client {}", i % 5)
        } else {
            format!("Client {}", i % 5)
        };
        let due = (i % 3 != 0).then(|| NaiveDate::from_ymd_opt(2026, 1 + (i % 4) as u32, 1).unwrap());
        let c = new_client(
            &app,
            json!({ "name": name, "stage_id": stages[i % 4].id, "due_date": due }),
        )
        .await;
        if i % 5 == 1 {
            set_entered(&app, c.id, 20).await;
        } else if i % 5 == 2 {
            set_entered(&app, c.id, 9).await;
        }
        ids.insert(c.id);
    }
    app.put(
        "/api/v1/pipeline/thresholds",
        &json!({ "yellow_days": 7, "red_days": 14 }),
    )
    .await;

    for sort in ["name", "stage", "days_in_stage", "health", "due_date", "updated"] {
        for dir in ["asc", "desc"] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut q = format!("sort={sort}&dir={dir}&limit=4");
                if let Some(c) = &cursor {
                    q.push_str(&format!("&cursor={c}"));
                }
                let p = page(&app, &q).await;
                assert!(p.items.len() <= 4);
                seen.extend(p.items);
                pages += 1;
                assert!(pages < 20, "{sort} {dir} does not end");
                match p.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let got: Vec<Uuid> = seen.iter().map(|c| c.id).collect();
            let unique: HashSet<Uuid> = got.iter().copied().collect();
            assert_eq!(got.len(), 23, "{sort} {dir}: every row once");
            assert_eq!(unique, ids, "{sort} {dir}");
            for w in seen.windows(2) {
                let (a, b) = (key(&w[0], sort, &positions), key(&w[1], sort, &positions));
                let ordered = if sort == "due_date" && (a.0 != b.0) {
                    a.0 < b.0 // no due date last in both directions
                } else if dir == "asc" {
                    a <= b
                } else {
                    a >= b
                };
                assert!(ordered, "{sort} {dir}: {a:?} then {b:?}");
            }
            // without dir, each sort has its natural direction and still walks everything
            let default = page(&app, &format!("sort={sort}&limit=200")).await;
            assert_eq!(default.items.len(), 23);
        }
    }
    // default: last updated first
    let p = page(&app, "limit=200").await;
    assert!(p.items.windows(2).all(|w| w[0].updated_at >= w[1].updated_at));
}

async fn cursors_belong_to_their_sort(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    for i in 0..3 {
        new_client(&app, json!({ "name": format!("c{i}") })).await;
    }
    let p = page(&app, "sort=name&limit=1").await;
    let cursor = p.next_cursor.unwrap();
    for q in [
        format!("sort=updated&limit=1&cursor={cursor}"),
        format!("sort=name&dir=desc&limit=1&cursor={cursor}"),
        "sort=name&cursor=not-a-cursor".to_string(),
    ] {
        let res = app.get(&format!("/api/v1/clients?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_query");
    }
    let next = page(&app, &format!("sort=name&dir=asc&limit=1&cursor={cursor}")).await;
    assert_eq!(next.items[0].name, "c1");
}

async fn members_list_only_granted_clients(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    new_client(&app, json!({ "name": "Hidden" })).await;
    let owned = new_client(&app, json!({ "name": "Owned", "owner_id": member_me.user.id })).await;
    let shared = new_client(&app, json!({ "name": "Shared" })).await;
    app.set_collaborators(shared.id, &[member_me.user.id]).await;
    assert_eq!(names(&member, "").await, ["Owned", "Shared"]);
    assert_eq!(names(&member, "q=hidden").await, Vec::<String>::new());
    for sort in ["name", "stage", "health", "due_date", "days_in_stage", "updated"] {
        assert_eq!(page(&member, &format!("sort={sort}")).await.items.len(), 2, "{sort}");
    }
    let csv = member.get("/api/v1/clients/export.csv").await.text().await.unwrap();
    assert!(csv.contains("Owned") && csv.contains("Shared") && !csv.contains("Hidden"));
    assert_eq!(names(&app, "").await.len(), 3);
    let _ = owned;
}
