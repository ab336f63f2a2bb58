//! CSV export of the filtered list and CSV import (upsert by contact email, bad rows reported, good rows
//! written together), with formula injection escaped.

use audienceos_shared::clients::{Client, ImportReport, Label, CSV_COLUMNS};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use serde_json::{json, Value};

use crate::fixtures::{audit_items, new_label, post_csv, stages_of};
use crate::helpers::{spawn_app, Backend, Browser};
use crate::on_both;

on_both!(
    export_then_import_round_trips,
    import_writes_only_good_rows_and_reports_the_rest,
    import_refuses_files_without_name_or_too_large
);

async fn import(b: &Browser, csv: &str) -> reqwest::Response {
    post_csv(b, "/api/v1/clients/import", csv).await
}

async fn all(b: &Browser) -> Vec<Client> {
    let p: Page<Client> = b.get_json("/api/v1/clients?sort=name&limit=200").await;
    p.items
}

fn parse(csv: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

async fn export_then_import_round_trips(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (_, member) = app.add_user(me.agency.id, SystemRole::Member).await;
    let stages = stages_of(&app).await;
    let vip = new_label(&app, "VIP", "#5e6ad2").await;
    let risk = new_label(&app, "Risk", "#eb5757").await;
    app.post(
        "/api/v1/clients",
        &json!({ "name": "=HYPERLINK(\"http://evil.test\",\"x\")", "contact_name": "@admin", "contact_email": "evil@x.test",
                 "stage_id": stages[3].id, "total_spend": "10.00", "label_ids": [vip.id] }),
    )
    .await;
    app.post(
        "/api/v1/clients",
        &json!({ "name": "Acme, Inc.", "contact_name": "Ada \"The\" Lovelace", "contact_email": "ada@acme.test",
                 "website": "acme.test", "owner_id": member.user.id, "due_date": "2026-06-30", "install_date": "2025-01-02",
                 "total_spend": "1250.50", "lifetime_value": "99999.99", "label_ids": [vip.id, risk.id], "stage_id": stages[2].id }),
    )
    .await;
    app.post(
        "/api/v1/clients",
        &json!({ "name": "Bare", "contact_email": "bare@x.test" }),
    )
    .await;
    let before = all(&app).await;

    let res = app.get("/api/v1/clients/export.csv?sort=name").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"clients-") && disposition.ends_with(".csv\""));
    let csv = res.text().await.unwrap();
    let rows = parse(&csv);
    assert_eq!(rows[0], CSV_COLUMNS);
    assert_eq!(rows.len(), 4);
    let evil = rows.iter().find(|r| r[2] == "evil@x.test").unwrap();
    assert_eq!(evil[0], "'=HYPERLINK(\"http://evil.test\",\"x\")", "formula escaped");
    assert_eq!(evil[1], "'@admin");
    let acme = rows.iter().find(|r| r[0] == "Acme, Inc.").unwrap();
    assert_eq!(
        acme[1..],
        [
            "Ada \"The\" Lovelace",
            "ada@acme.test",
            "https://acme.test",
            "Audit",
            member.user.email.as_str(),
            "Risk; VIP",
            "2026-06-30",
            "2025-01-02",
            "1250.50",
            "99999.99"
        ]
    );
    // the export follows the filters, and is every row rather than one page
    let filtered = app
        .get("/api/v1/clients/export.csv?q=acme&limit=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(parse(&filtered).len(), 2);
    let filtered = app
        .get(&format!("/api/v1/clients/export.csv?label_id={}", vip.id))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(parse(&filtered).len(), 3);

    // importing the export back updates every client in place
    let res = import(&app, &csv).await;
    assert_eq!(res.status(), 200);
    let report: ImportReport = res.json().await.unwrap();
    assert_eq!((report.created, report.updated), (0, 3), "{report:?}");
    assert!(report.errors.is_empty());
    let after = all(&app).await;
    assert_eq!(after.len(), 3);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (
                &b.id,
                &b.name,
                &b.contact_name,
                &b.contact_email,
                &b.website,
                &b.stage_id,
                &b.owner,
                &b.labels,
                &b.due_date,
                &b.install_date,
                &b.total_spend,
                &b.lifetime_value
            ),
            (
                &a.id,
                &a.name,
                &a.contact_name,
                &a.contact_email,
                &a.website,
                &a.stage_id,
                &a.owner,
                &a.labels,
                &a.due_date,
                &a.install_date,
                &a.total_spend,
                &a.lifetime_value
            )
        );
        assert_eq!(a.stage_entered_at, b.stage_entered_at, "no stage change, no move");
    }

    // into another agency: rows become new clients, owners who are not members there are refused
    let other = app.new_browser();
    other.signup().await;
    let report: ImportReport = import(&other, &csv).await.json().await.unwrap();
    assert_eq!((report.created, report.updated), (2, 0));
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].field.as_deref(), Some("owner_email"));
    let labels: Vec<Label> = other.get_json("/api/v1/labels").await;
    assert_eq!(
        labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["VIP"],
        "missing labels are created"
    );

    assert!(audit_items(&app, "?limit=50")
        .await
        .iter()
        .any(|e| e["action"] == "client.imported"));
}

async fn import_writes_only_good_rows_and_reports_the_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    app.post(
        "/api/v1/clients",
        &json!({ "name": "Existing", "contact_email": "old@acme.test", "due_date": "2026-01-01" }),
    )
    .await;
    let csv = "\u{feff}Name,contact_email,stage,due_date,total_spend,labels,owner_email,website\n\
        Good One,one@x.test,Audit,2026-05-01,12.5,New label; Another,,\n\
        ,missing@x.test,,,,,,\n\
        Bad Email,not-an-email,,,,,,\n\
        Bad Stage,,Nowhere,,,,,\n\
        Bad Date,,,31/12/2026,,,,\n\
        Bad Money,,,,12.345,,,\n\
        Bad Owner,,,,,,ghost@x.test,\n\
        Bad Site,,,,,,,not a site\n\
        Dup,one@x.test,,,,,,\n\
        Renamed,OLD@acme.test,live,,,,,\n\
        No Email,,,,,,,\n\
        No Email,,,,,,,\n";
    let res = import(&app, csv).await;
    assert_eq!(res.status(), 200);
    let report: ImportReport = res.json().await.unwrap();
    assert_eq!((report.created, report.updated), (3, 1), "{report:?}");
    let errs: Vec<(u32, Option<&str>)> = report.errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(
        errs,
        [
            (3, Some("name")),
            (4, Some("contact_email")),
            (5, Some("stage")),
            (6, Some("due_date")),
            (7, Some("total_spend")),
            (8, Some("owner_email")),
            (9, Some("website")),
            (10, Some("contact_email")),
        ]
    );
    assert!(report.errors[7].message.contains("line 2"));
    let names: Vec<String> = all(&app).await.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Good One", "No Email", "No Email", "Renamed"]);
    let clients = all(&app).await;
    let good = &clients[0];
    assert_eq!(good.stage, "Audit");
    assert_eq!(good.total_spend.to_string(), "12.50");
    assert_eq!(
        good.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["Another", "New label"]
    );
    let renamed = &clients[3];
    assert_eq!(renamed.stage, "Live", "stage names match case-insensitively");
    assert_eq!(renamed.due_date, None, "an empty cell of a present column clears");
    let events: Vec<Value> = app
        .get_json(&format!("/api/v1/clients/{}/stage-events", renamed.id))
        .await;
    assert_eq!(events.len(), 2);

    // a file of only bad rows writes nothing
    let report: ImportReport = import(&app, "name,contact_email\n,x@y.test\n")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((report.created, report.updated, report.errors.len()), (0, 0, 1));
    assert_eq!(all(&app).await.len(), 4);
}

async fn import_refuses_files_without_name_or_too_large(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let res = import(&app, "title,contact_email\nAcme,a@b.test\n").await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "name");
    let res = import(&app, "").await;
    assert_eq!(res.status(), 422);
    let big = format!("name\n{}", "x,".repeat(3 * 1024 * 1024));
    let res = import(&app, &big).await;
    assert_eq!(res.status(), 413);
    assert!(all(&app).await.is_empty());
}
