//! Small fixtures many test files share: creating clients and labels, reading the audit log and a
//! problem's field errors, posting a CSV, queueing and waiting for integration syncs, linking a provider's
//! resource to a client, and the few direct writes tests make to move rows in time.

use audienceos_api::store::integrations::IntegrationRow;
use audienceos_api::store::Store;
use audienceos_shared::api_keys::CreatedApiKey;
use audienceos_shared::auth::Me;
use audienceos_shared::clients::{Client, Label, PipelineStage};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_app, Backend, Browser, TestApp};

/// Create a client through the API (201 expected).
pub async fn new_client(b: &Browser, body: Value) -> Client {
    let res = b.post("/api/v1/clients", &body).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Create a label through the API.
pub async fn new_label(b: &Browser, name: &str, color: &str) -> Label {
    b.post("/api/v1/labels", &json!({ "name": name, "color": color }))
        .await
        .json()
        .await
        .unwrap()
}

/// The agency's pipeline stages, in order.
pub async fn stages_of(b: &Browser) -> Vec<PipelineStage> {
    b.get_json("/api/v1/pipeline/stages").await
}

/// The audit log's entries; `query` is empty or starts with `?` (e.g. `?limit=50`).
pub async fn audit_items(b: &Browser, query: &str) -> Vec<Value> {
    let log: Value = b.get_json(&format!("/api/v1/audit-log{query}")).await;
    log["items"].as_array().expect("audit items").clone()
}

/// The actions of the audit log's entries, newest first.
pub async fn audit_actions(b: &Browser, query: &str) -> Vec<String> {
    audit_items(b, query)
        .await
        .iter()
        .map(|e| e["action"].as_str().expect("an action").to_string())
        .collect()
}

/// The `key` strings of the objects in the JSON array `list` (objects without one are skipped).
pub fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    let items = list.as_array().expect("a JSON array");
    items.iter().filter_map(|item| item[key].as_str()).collect()
}

/// The fields a validation problem names, in order (empty when it names none).
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// POST a CSV body (with the session's CSRF token) to `path`.
pub async fn post_csv(b: &Browser, path: &str, csv: &str) -> reqwest::Response {
    b.with_csrf(
        b.client
            .post(b.url(path))
            .header("content-type", "text/csv")
            .body(csv.to_string()),
    )
    .send()
    .await
    .unwrap()
}

/// "Sync now" on an integration (202 expected); the queued job's id.
pub async fn sync_now(b: &Browser, integration: Uuid) -> Uuid {
    let res = b
        .post(&format!("/api/v1/integrations/{integration}/sync"), &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["job_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Wait until the integration's first sync has an outcome (the job worker runs it); the row then.
pub async fn first_sync_done(app: &TestApp, agency: Uuid, integration: Uuid) -> IntegrationRow {
    for _ in 0..300 {
        let row = app.store.get_integration(agency, integration).await.unwrap();
        if row.last_sync_outcome.is_some() {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the first sync of integration {integration} did not finish");
}

/// Link a provider's resource (a label, channel or ad account) to a client (200 expected).
pub async fn link(b: &Browser, integration: Uuid, external_id: &str, client: impl std::fmt::Display) {
    let res = b
        .put(
            &format!("/api/v1/integrations/{integration}/links/{external_id}"),
            &json!({ "client_id": client.to_string(), "name": external_id }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// Mark a user inactive directly in the database (as an admin's deactivation would).
pub async fn deactivate_user(app: &TestApp, user: Uuid) {
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query(
        "update app_user set is_active = false where id = $1"
    )
    .bind(user)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
}

/// Status and the `field` names of a problem's errors.
pub async fn field_errors(res: reqwest::Response) -> (u16, Vec<String>) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (status, fields(&body))
}

/// Create a client by name, optionally owned by someone.
pub async fn named_client(b: &Browser, name: &str, owner: Option<Uuid>) -> Client {
    new_client(b, json!({ "name": name, "owner_id": owner })).await
}

/// Acme Dental, the client whose contact (Dana) writes to the fake Gmail mailbox.
pub async fn acme_dental(b: &Browser) -> Client {
    new_client(
        b,
        json!({ "name": "Acme Dental", "contact_email": "dana@acme-dental.test" }),
    )
    .await
}

/// A new API key of `role`, valid for `days` days (201 expected); its one-time secret included.
pub async fn new_api_key(b: &Browser, name: &str, role: &str, days: u32) -> CreatedApiKey {
    let res = b
        .post(
            "/api/v1/api-keys",
            &json!({ "name": name, "role": role, "expires_in_days": days }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Add a note to the thread `key` (`gmail:t1`, ...).
pub async fn note_thread(b: &Browser, key: &str, body: &str) -> reqwest::Response {
    b.post(
        &format!("/api/v1/communications/threads/{key}/notes"),
        &json!({ "body": body }),
    )
    .await
}

/// The row `sql` (a select with `$1` an id) reads straight from the database.
pub async fn row_by_id<T>(app: &TestApp, sql: &str, id: Uuid) -> T
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    T: Send + Unpin,
{
    audienceos_api::on_db!(&app.store.db, |pool| sqlx::query_as(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap())
}

/// Run `sql`, an update with `$1` a time and `$2` an id, directly against the database (tests move rows in
/// time this way); it must change at least one row.
pub async fn set_time(app: &TestApp, sql: &str, at: DateTime<Utc>, id: Uuid) {
    set_time_in(&app.store, sql, at, id).await;
}

/// [`set_time`] on a store.
pub async fn set_time_in(store: &Store, sql: &str, at: DateTime<Utc>, id: Uuid) {
    let changed = audienceos_api::on_db!(&store.db, |pool| sqlx::query(sql)
        .bind(at)
        .bind(id)
        .execute(pool)
        .await
        .unwrap()
        .rows_affected());
    assert!(changed > 0, "no row changed by {sql}");
}

/// One client as the API reads it (200 expected).
pub async fn get_client(b: &Browser, id: Uuid) -> Client {
    let res = b.get(&format!("/api/v1/clients/{id}")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// An agency whose Member owns one client ("Granted") and not another ("Hidden"), the setup of the tests
/// that Members read only what they are granted: the app (signed in as the Owner), the Member's browser
/// and `Me`, then the granted and the hidden client.
pub async fn member_scope(backend: Backend) -> (TestApp, Browser, Me, Client, Client) {
    let app = spawn_app(backend).await;
    let (_, owner) = app.signup().await;
    let (member, member_me) = app.add_user(owner.agency.id, SystemRole::Member).await;
    let granted = named_client(&app, "Granted", Some(member_me.user.id)).await;
    let hidden = named_client(&app, "Hidden", None).await;
    (app, member, member_me, granted, hidden)
}

/// Every item of a paged list, `limit` a page, following `next_cursor` from the first page to the last;
/// each page answers 200 and holds at most `limit` items. `url` may carry a query already.
pub async fn walk_pages<T: DeserializeOwned>(b: &Browser, url: &str, limit: usize) -> Vec<T> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let first = format!("{url}{sep}limit={limit}");
    let mut all = Vec::new();
    let mut next = first.clone();
    for _ in 0..1000 {
        let res = b.get(&next).await;
        assert_eq!(res.status(), 200, "{next}: {}", res.text().await.unwrap());
        let page: Page<T> = res.json().await.unwrap();
        assert!(page.items.len() <= limit, "{next}: more than {limit} items");
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => next = format!("{first}&cursor={c}"),
            None => return all,
        }
    }
    panic!("{first}: the pages do not end");
}
