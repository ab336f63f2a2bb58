//! Client files: upload (multipart, counted against the upload limit, content-sniffed), list, download
//! and delete. The bytes go to the object store first, the row second; a failed row write removes the
//! object again, so a file is either fully stored or not at all.

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use audienceos_shared::client_work::ClientFile;
use audienceos_shared::Problem;
use bytes::Bytes;
use futures_util::TryStreamExt as _;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::domain::team::user_ref;
use crate::error::{ApiError, Code};
use crate::files::object_key;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::files::{FileRow, NewFile};

/// Longest stored file name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The multipart body of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the request body only
pub struct FileUpload {
    /// The file. Its type is detected from its content; its name is kept (sanitised).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// List a client's files
///
/// Newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/files", tag = "files",
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Vec<ClientFile>), (status = 404, body = Problem)))]
pub async fn list_files(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let rows = state.store.list_files(me.agency_id, client_id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(to_dto).collect::<Vec<_>>()))
}

/// Upload a file to a client
///
/// `multipart/form-data` with the file in the part named `file`. Over the upload limit (25 MiB unless
/// configured otherwise) is `413 payload_too_large` and nothing is stored. The type is detected from the
/// content, not the name or the browser's claim; executables and scripts are refused with
/// `415 unsupported_file_type`.
#[utoipa::path(post, path = "/api/v1/clients/{id}/files", tag = "files",
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 201, body = ClientFile), (status = 404, body = Problem),
        (status = 413, body = Problem, description = "`payload_too_large`: nothing was stored"),
        (status = 415, body = Problem, description = "`unsupported_file_type`"),
        (status = 422, body = Problem, description = "no `file` part, or an empty file")))]
pub async fn upload_file(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let limit = state.settings.upload_limit_bytes;
    let upload = read_upload(form, limit).await?;
    let Some(upload) = upload else {
        return Err(ApiError::field(
            "file",
            "required",
            "send the file as the `file` part of a multipart/form-data body",
        ));
    };
    if upload.too_large {
        return Err(ApiError::PayloadTooLarge);
    }
    if upload.size == 0 {
        return Err(ApiError::field("file", "empty", "the file is empty"));
    }
    let content_type = sniff(&upload.chunks)?;
    let name = sanitise_name(upload.name.as_deref().unwrap_or_default());

    let file_id = crate::store::new_id();
    let key = object_key(me.agency_id, client_id, file_id);
    let size = upload.size;
    state.files.put(&key, upload.chunks).await?;
    let new = NewFile {
        id: file_id,
        name,
        content_type,
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        sha256: upload.sha256,
        object_key: key.clone(),
        uploaded_by: me.user_id,
    };
    let row = match state
        .store
        .insert_file(me.agency_id, client_id, &new, state.now())
        .await
    {
        Ok(row) => row,
        Err(e) => {
            if let Err(cleanup) = state.files.delete(&key).await {
                tracing::error!(error.cause_chain = ?cleanup, key, "could not remove the object of a failed upload");
            }
            return Err(e.into());
        }
    };
    Audit::by(&me, "file.uploaded").client(client_id).meta(json!({ "file_id": row.id, "name": row.name, "content_type": row.content_type, "size_bytes": row.size_bytes })).record(&state).await;
    Ok(HttpResponse::Created().json(to_dto(row)))
}

/// Download a file
///
/// The bytes, with the detected `Content-Type` and `Content-Disposition: attachment` (RFC 6266, the
/// name also RFC 5987-encoded).
#[utoipa::path(get, path = "/api/v1/clients/{id}/files/{file_id}", tag = "files",
    params(("id" = Uuid, Path, description = "Client id"), ("file_id" = Uuid, Path, description = "File id")),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"),
        (status = 404, body = Problem)))]
pub async fn download_file(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, file_id) = path.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let row = state.store.get_file(me.agency_id, client_id, file_id).await?;
    let stream = state.files.get(&row.object_key).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, row.content_type.as_str()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(&row.name)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // defence in depth should a browser render it anyway
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .no_chunking(u64::try_from(row.size_bytes).unwrap_or(0))
        .streaming(stream))
}

/// Delete a file
///
/// The row first, then the object (an object already gone is logged, not an error).
#[utoipa::path(delete, path = "/api/v1/clients/{id}/files/{file_id}", tag = "files",
    params(("id" = Uuid, Path, description = "Client id"), ("file_id" = Uuid, Path, description = "File id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem)))]
pub async fn delete_file(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, file_id) = path.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let row = state
        .store
        .delete_file(me.agency_id, client_id, file_id, state.now())
        .await?;
    match state.files.delete(&row.object_key).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(key = row.object_key, "the deleted file's object was already gone"),
        Err(e) => tracing::error!(error.cause_chain = ?e, key = row.object_key, "could not delete a file's object"),
    }
    Audit::by(&me, "file.deleted")
        .client(client_id)
        .meta(json!({ "file_id": file_id, "name": row.name }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

// ---- reading the upload ----

/// What the `file` part held.
struct Upload {
    name: Option<String>,
    chunks: Vec<Bytes>,
    size: usize,
    sha256: String,
    too_large: bool,
}

/// Bytes read past the limit before we stop reading and answer 413 (so a browser that is still sending
/// gets the answer rather than a reset connection, without letting anyone stream forever).
const DRAIN_CAP: usize = 8 * 1024 * 1024;

/// Read the multipart body: the first part named `file` (other parts are skipped). Past `limit` the
/// bytes are dropped, counted and the upload marked too large. `None` when there is no `file` part.
async fn read_upload(mut form: Multipart, limit: usize) -> Result<Option<Upload>, ApiError> {
    let mut upload: Option<Upload> = None;
    let mut total = 0usize;
    while let Some(mut field) = form.try_next().await.map_err(multipart_error)? {
        let wanted = upload.is_none() && field.name() == Some("file");
        let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
        let mut current = Upload {
            name: field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_string),
            chunks: Vec::new(),
            size: 0,
            sha256: String::new(),
            too_large: false,
        };
        while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
            total = total.saturating_add(chunk.len());
            if total > limit.saturating_add(DRAIN_CAP) {
                // Stop reading: answer now.
                return Ok(Some(Upload {
                    too_large: true,
                    ..current
                }));
            }
            if !wanted {
                continue;
            }
            current.size += chunk.len();
            if current.size > limit {
                current.too_large = true;
                current.chunks.clear();
            }
            if !current.too_large {
                digest.update(&chunk);
                current.chunks.push(chunk);
            }
        }
        if wanted {
            current.sha256 = hex::encode(digest.finish());
            upload = Some(current);
        }
    }
    Ok(upload)
}

fn multipart_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::field(
            "file",
            "required",
            "send the file as the `file` part of a multipart/form-data body",
        ),
        other => ApiError::new(
            Code::InvalidMultipart,
            format!("The multipart body could not be read: {other}"),
        ),
    }
}

// ---- content sniffing ----

/// How many leading bytes the sniffer looks at.
const SNIFF_BYTES: usize = 8192;

/// The type to store, detected from the content; `415 unsupported_file_type` for what we refuse.
fn sniff(chunks: &[Bytes]) -> Result<String, ApiError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    for c in chunks {
        let take = (SNIFF_BYTES - head.len()).min(c.len());
        head.extend_from_slice(&c[..take]);
        if head.len() == SNIFF_BYTES {
            break;
        }
    }
    if let Some(kind) = infer::get(&head) {
        let mime = kind.mime_type();
        return match kind.matcher_type() {
            infer::MatcherType::App => Err(refused(&format!("executable content ({mime})"))),
            _ if REFUSED.contains(&mime) => Err(refused(mime)),
            // Markup is stored as plain text so it can never be served as a live page.
            infer::MatcherType::Text if mime != "text/plain" => Ok("text/plain; charset=utf-8".into()),
            _ => Ok(mime.to_string()),
        };
    }
    if head.starts_with(b"#!") {
        return Err(refused("a script"));
    }
    if head.starts_with(b"\x7fELF") {
        // too short for `infer` to call it ELF, but still an executable's header
        return Err(refused("executable content (application/x-executable)"));
    }
    if is_utf8(chunks) {
        Ok("text/plain; charset=utf-8".into())
    } else {
        Ok("application/octet-stream".into())
    }
}

/// Types `infer` files outside `App` that still run code or install software.
const REFUSED: &[&str] = &[
    "text/x-shellscript",
    "application/x-shockwave-flash",
    "application/x-google-chrome-extension",
    "application/vnd.ms-cab-compressed",
    "application/vnd.debian.binary-package",
    "application/x-rpm",
    // MSI installers (and other bare OLE containers; Word/Excel/PowerPoint are recognised before this)
    "application/x-ole-storage",
];

fn refused(what: &str) -> ApiError {
    ApiError::new(
        Code::UnsupportedFileType,
        format!("Files of this type cannot be uploaded: {what}."),
    )
}

/// Whether the chunks are valid UTF-8 as a whole (a character may straddle two chunks).
fn is_utf8(chunks: &[Bytes]) -> bool {
    let mut carry: Vec<u8> = Vec::new();
    for c in chunks {
        let mut buf = std::mem::take(&mut carry);
        buf.extend_from_slice(c);
        match std::str::from_utf8(&buf) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => carry = buf[e.valid_up_to()..].to_vec(),
            Err(_) => return false,
        }
    }
    carry.is_empty()
}

// ---- names ----

/// The file name to keep: the last path segment, without control or bidirectional-override characters,
/// trimmed, at most 200 characters (keeping a short extension), never empty.
pub fn sanitise_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return "file".into();
    }
    let n = cleaned.chars().count();
    if n <= MAX_NAME_CHARS {
        return cleaned;
    }
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && ext.chars().count() <= 16 => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            format!("{}.{ext}", stem.chars().take(keep).collect::<String>())
        }
        _ => cleaned.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// Zero-width and bidirectional control characters (used to disguise `exe` as `pdf` and the like).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 and 5987).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

fn to_dto(r: FileRow) -> ClientFile {
    ClientFile {
        id: r.id,
        client_id: r.client_id,
        name: r.name,
        content_type: r.content_type,
        size_bytes: r.size_bytes,
        uploaded_by: user_ref(r.uploaded_by, r.uploader_first_name, r.uploader_last_name),
        created_at: r.created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_controls_and_overrides() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(sanitise_name("in\u{202E}fdp.exe"), "infdp.exe");
        assert_eq!(sanitise_name("a\nb\tc.txt"), "abc.txt");
        assert_eq!(sanitise_name("  "), "file");
        assert_eq!(sanitise_name(".."), "file");
        let long = format!("{}.pdf", "x".repeat(300));
        let s = sanitise_name(&long);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn disposition_has_an_ascii_fallback_and_an_encoded_name() {
        assert_eq!(
            content_disposition("Résumé \"final\".pdf"),
            "attachment; filename=\"R_sum_ _final_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
        assert_eq!(
            content_disposition("plan.png"),
            "attachment; filename=\"plan.png\"; filename*=UTF-8''plan.png"
        );
    }

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(sniff(&[png]).unwrap(), "image/png");
        let exe = Bytes::from_static(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0");
        assert!(sniff(&[exe]).is_err());
        let elf = Bytes::from_static(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        assert!(sniff(&[elf]).is_err());
        assert!(sniff(&[Bytes::from_static(b"#!/bin/sh\nrm -rf /\n")]).is_err());
        let split = "é".as_bytes();
        let text = [
            Bytes::from_static(b"caf"),
            Bytes::copy_from_slice(&split[..1]),
            Bytes::copy_from_slice(&split[1..]),
        ];
        assert_eq!(sniff(&text).unwrap(), "text/plain; charset=utf-8");
        assert_eq!(
            sniff(&[Bytes::from_static(b"\x00\xff\xfe\x01")]).unwrap(),
            "application/octet-stream"
        );
    }
}
