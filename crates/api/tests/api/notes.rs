//! Notes on a client: CRUD, newest-first pagination, validation, tenancy, Member scoping and the
//! author-only rule.

use audienceos_shared::client_work::Note;
use audienceos_shared::clients::Client;
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::Page;
use serde_json::{json, Value};

use crate::fixtures::{audit_actions, field_errors, member_scope, named_client};
use crate::helpers::{spawn_app, Backend, Browser};
use crate::on_both;

on_both!(
    notes_are_listed_newest_first_and_can_be_edited_and_deleted,
    note_requests_are_validated,
    another_agencys_client_and_note_ids_are_404,
    only_the_author_or_an_admin_changes_a_note,
    members_read_notes_of_granted_clients_only_and_cannot_write
);

/// Create a client through the API (optionally owned by someone).
pub async fn new_client(b: &Browser, name: &str, owner: Option<uuid::Uuid>) -> Client {
    named_client(b, name, owner).await
}

async fn notes_are_listed_newest_first_and_can_be_edited_and_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/notes", client.id);
    let mut ids = Vec::new();
    for body in ["first", "  second  ", "third"] {
        let res = app.post(&base, &json!({ "body": body })).await;
        assert_eq!(res.status(), 201);
        let note: Note = res.json().await.unwrap();
        assert_eq!(note.author.as_ref().map(|a| a.id), Some(me.user.id));
        assert!(!note.edited);
        ids.push(note.id);
    }
    let page: Page<Note> = app.get_json(&format!("{base}?limit=2")).await;
    let bodies: Vec<&str> = page.items.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["third", "second"]);
    let cursor = page.next_cursor.expect("a second page");
    let page2: Page<Note> = app.get_json(&format!("{base}?limit=2&cursor={cursor}")).await;
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].body, "first");
    assert!(page2.next_cursor.is_none());

    let res = app
        .patch(&format!("{base}/{}", ids[0]), &json!({ "body": "first, revised" }))
        .await;
    assert_eq!(res.status(), 200);
    let edited: Note = res.json().await.unwrap();
    assert!(edited.edited);
    assert_eq!(edited.body, "first, revised");
    assert!(edited.updated_at > edited.created_at);

    assert_eq!(app.delete(&format!("{base}/{}", ids[1])).await.status(), 204);
    assert_eq!(app.delete(&format!("{base}/{}", ids[1])).await.status(), 404);
    let all: Page<Note> = app.get_json(&base).await;
    assert_eq!(all.items.len(), 2);

    let actions = audit_actions(&app, "?limit=50").await;
    for a in ["note.created", "note.updated", "note.deleted"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn note_requests_are_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/notes", client.id);
    for body in [
        json!({ "body": "" }),
        json!({ "body": "   " }),
        json!({ "body": "x".repeat(5001) }),
    ] {
        let (status, fields) = field_errors(app.post(&base, &body).await).await;
        assert_eq!((status, fields), (422, vec!["body".to_string()]), "{body}");
    }
    let note: Note = app.post_json(&base, &json!({ "body": "ok" })).await;
    let (status, fields) = field_errors(app.patch(&format!("{base}/{}", note.id), &json!({ "body": "" })).await).await;
    assert_eq!((status, fields), (422, vec!["body".to_string()]));
    let (status, fields) = field_errors(app.get(&format!("{base}?limit=0")).await).await;
    assert_eq!((status, fields), (422, vec!["limit".to_string()]));
}

async fn another_agencys_client_and_note_ids_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let other_client = new_client(&app, "Other", None).await;
    let base = format!("/api/v1/clients/{}/notes", client.id);
    let note: Note = app.post_json(&base, &json!({ "body": "mine" })).await;
    let note_path = format!("{base}/{}", note.id);

    let stranger = app.new_browser();
    stranger.signup().await;
    assert_eq!(stranger.get(&base).await.status(), 404);
    assert_eq!(stranger.post(&base, &json!({ "body": "hi" })).await.status(), 404);
    assert_eq!(stranger.patch(&note_path, &json!({ "body": "hi" })).await.status(), 404);
    assert_eq!(stranger.delete(&note_path).await.status(), 404);

    // the stranger's own client with my note id is still 404
    let theirs = new_client(&stranger, "Theirs", None).await;
    let crossed = format!("/api/v1/clients/{}/notes/{}", theirs.id, note.id);
    assert_eq!(stranger.patch(&crossed, &json!({ "body": "hi" })).await.status(), 404);
    assert_eq!(stranger.delete(&crossed).await.status(), 404);
    // and the note under another of my clients is not found either
    let wrong_client = format!("/api/v1/clients/{}/notes/{}", other_client.id, note.id);
    assert_eq!(app.patch(&wrong_client, &json!({ "body": "hi" })).await.status(), 404);
    assert_eq!(app.delete(&wrong_client).await.status(), 404);
    let unknown = format!("/api/v1/clients/{}/notes", uuid::Uuid::now_v7());
    assert_eq!(app.get(&unknown).await.status(), 404);
    // untouched
    let page: Page<Note> = app.get_json(&base).await;
    assert_eq!(page.items[0].body, "mine");
}

async fn only_the_author_or_an_admin_changes_a_note(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, owner) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let base = format!("/api/v1/clients/{}/notes", client.id);
    let owners_note: Note = app.post_json(&base, &json!({ "body": "owner's" })).await;

    let (manager, manager_me) = app.add_user(owner.agency.id, SystemRole::Manager).await;
    let res = manager.post(&base, &json!({ "body": "manager's" })).await;
    assert_eq!(res.status(), 201);
    let managers_note: Note = res.json().await.unwrap();
    assert_eq!(managers_note.author.as_ref().map(|a| a.id), Some(manager_me.user.id));

    let res = manager
        .patch(&format!("{base}/{}", owners_note.id), &json!({ "body": "hijacked" }))
        .await;
    assert_eq!(res.status(), 403);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "forbidden");
    assert_eq!(
        manager.delete(&format!("{base}/{}", owners_note.id)).await.status(),
        403
    );
    assert_eq!(
        manager
            .patch(
                &format!("{base}/{}", managers_note.id),
                &json!({ "body": "mine, edited" })
            )
            .await
            .status(),
        200
    );

    // Owner and Admin may change anyone's note.
    assert_eq!(
        app.patch(&format!("{base}/{}", managers_note.id), &json!({ "body": "moderated" }))
            .await
            .status(),
        200
    );
    let (admin, _) = app.add_user(owner.agency.id, SystemRole::Admin).await;
    assert_eq!(
        admin.delete(&format!("{base}/{}", managers_note.id)).await.status(),
        204
    );
    let page: Page<Note> = app.get_json(&base).await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].body, "owner's");
}

async fn members_read_notes_of_granted_clients_only_and_cannot_write(backend: Backend) {
    let (app, member, _, granted, hidden) = member_scope(backend).await;
    let granted_base = format!("/api/v1/clients/{}/notes", granted.id);
    let hidden_base = format!("/api/v1/clients/{}/notes", hidden.id);
    let note: Note = app.post_json(&granted_base, &json!({ "body": "hello" })).await;
    app.post(&hidden_base, &json!({ "body": "secret" })).await;

    let page: Page<Note> = member.get_json(&granted_base).await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(member.get(&hidden_base).await.status(), 404);
    assert_eq!(member.post(&granted_base, &json!({ "body": "x" })).await.status(), 403);
    assert_eq!(
        member
            .patch(&format!("{granted_base}/{}", note.id), &json!({ "body": "x" }))
            .await
            .status(),
        403
    );
    assert_eq!(
        member.delete(&format!("{granted_base}/{}", note.id)).await.status(),
        403
    );
}
