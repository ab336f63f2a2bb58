//! API keys: created once-visible, hashed, scoped to a role, expiring, revocable; Bearer needs no CSRF;
//! another agency's key is `404`.

use audienceos_shared::api_keys::{ApiKey, CreatedApiKey};
use audienceos_shared::audit::AuditEvent;
use audienceos_shared::auth::Me;
use audienceos_shared::{Page, Problem};
use serde_json::json;

use crate::fixtures::{new_api_key, set_time};
use crate::helpers::{spawn_app, Backend, Browser};
use crate::on_both;

on_both!(
    api_keys_work_without_csrf_and_die_when_revoked,
    api_keys_are_scoped_to_their_role,
    api_keys_are_tenant_isolated,
    expired_keys_are_refused
);

async fn create(app: &Browser, role: &str) -> CreatedApiKey {
    new_api_key(app, &format!("{role} key"), role, 30).await
}

async fn api_keys_work_without_csrf_and_die_when_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let key = create(&app, "admin").await;
    assert!(key.secret.starts_with("aos_"));
    assert_eq!(key.api_key.prefix, &key.secret[..12]);

    let list: Page<ApiKey> = app.get_json("/api/v1/api-keys").await;
    assert_eq!(list.items.len(), 1);
    let listed = serde_json::to_string(&list).unwrap();
    assert!(!listed.contains(&key.secret), "the secret is shown once");

    let res = app.key_get("/api/v1/auth/me", &key.secret).await;
    assert_eq!(res.status(), 200);
    let via_key: Me = res.json().await.unwrap();
    assert_eq!(via_key.agency.id, me.agency.id);
    assert_eq!(via_key.role.name, "Admin");
    assert_eq!(via_key.csrf_token, "");

    // An unsafe method with a Bearer key and no CSRF header works.
    let other = create(&app, "member").await;
    let res = app
        .key_delete(&format!("/api/v1/api-keys/{}", other.api_key.id), &key.secret)
        .await;
    assert_eq!(res.status(), 204);
    // Keys cannot mint keys.
    let res = app
        .key_request(reqwest::Method::POST, "/api/v1/api-keys", &key.secret)
        .json(&json!({ "name": "x", "role": "member", "expires_in_days": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let res = app.delete(&format!("/api/v1/api-keys/{}", key.api_key.id)).await;
    assert_eq!(res.status(), 204);
    let res = app.key_get("/api/v1/auth/me", &key.secret).await;
    assert_eq!(res.status(), 401);
    let list: Page<ApiKey> = app.get_json("/api/v1/api-keys").await;
    assert!(list.items.iter().all(|k| k.revoked_at.is_some()));
    let row = app.store.get_api_key(me.agency.id, key.api_key.id).await.unwrap();
    assert!(row.last_used_at.is_some());
}

async fn api_keys_are_scoped_to_their_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let member = create(&app, "member").await;
    let res = app.key_get("/api/v1/api-keys", &member.secret).await;
    assert_eq!(res.status(), 403);
    let p: Problem = res.json().await.unwrap();
    assert_eq!(p.code, "forbidden");
    let (events, _) = app.store.list_audit(me.agency.id, 50, None).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.action == "permission.denied" && e.outcome == "denied"));

    let res = app
        .post(
            "/api/v1/api-keys",
            &json!({ "name": "", "role": "member", "expires_in_days": 0 }),
        )
        .await;
    let p: Problem = res.json().await.unwrap();
    assert_eq!(p.code, "validation_failed");
    assert_eq!(
        p.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["expires_in_days", "name"]
    );
}

async fn api_keys_are_tenant_isolated(backend: Backend) {
    let a = spawn_app(backend).await;
    a.signup().await;
    let key_a = create(&a, "admin").await;
    // A second agency on the same server, with its own browser.
    let b = a.new_browser();
    b.signup().await;
    let key_b = create(&b, "admin").await;

    let list: Page<ApiKey> = b.get_json("/api/v1/api-keys").await;
    assert_eq!(list.items.iter().map(|k| k.id).collect::<Vec<_>>(), [key_b.api_key.id]);
    let res = b.delete(&format!("/api/v1/api-keys/{}", key_a.api_key.id)).await;
    assert_eq!(res.status(), 404, "another agency's key is not found, not forbidden");
    let res = a
        .key_delete(&format!("/api/v1/api-keys/{}", key_a.api_key.id), &key_b.secret)
        .await;
    assert_eq!(res.status(), 404);
    let res = a.key_get("/api/v1/auth/me", &key_a.secret).await;
    assert_eq!(res.status(), 200, "A's key still works");

    // The audit log of each agency holds only its own events.
    let events: Page<AuditEvent> = b.get_json("/api/v1/audit-log").await;
    assert!(!events.items.is_empty());
    let a_key = key_a.api_key.id.to_string();
    assert!(events
        .items
        .iter()
        .all(|e| e.metadata.get("api_key_id").and_then(|v| v.as_str()) != Some(a_key.as_str())));
    let events: Page<AuditEvent> = a.get_json("/api/v1/audit-log").await;
    assert!(events.items.iter().any(|e| e.action == "api_key.created"
        && e.metadata.get("api_key_id").and_then(|v| v.as_str()) == Some(a_key.as_str())));
}

async fn expired_keys_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let key = create(&app, "manager").await;
    let me_via_key = || {
        app.key_request(reqwest::Method::GET, "/api/v1/auth/me", &key.secret)
            .send()
    };
    assert_eq!(me_via_key().await.unwrap().status(), 200);
    let past = audienceos_api::clock::system_now() - chrono::Duration::seconds(1);
    set_time(
        &app,
        "update api_key set expires_at = $1 where id = $2",
        past,
        key.api_key.id,
    )
    .await;
    assert_eq!(me_via_key().await.unwrap().status(), 401);
    let list: Page<ApiKey> = app.get_json("/api/v1/api-keys").await;
    assert!(list
        .items
        .iter()
        .any(|k| k.id == key.api_key.id && k.expires_at <= audienceos_api::clock::system_now()));
    let _ = me;
}
