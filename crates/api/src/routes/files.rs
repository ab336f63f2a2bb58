//! Client files: the HTTP surface of `services::files` (upload as multipart, counted against the upload
//! limit while it is read; list, download, delete).

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use audienceos_shared::client_work::ClientFile;
use audienceos_shared::Problem;
use futures_util::TryStreamExt as _;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::domain::files::content_disposition;
use crate::error::{ApiError, Code};
use crate::services::files::{self, Upload};
use crate::state::AppState;

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
    Ok(HttpResponse::Ok().json(files::list(&state, &me, id.into_inner()).await?))
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
        (status = 507, body = Problem, description = "`insufficient_storage`: the file store is full; nothing was stored"),
        (status = 422, body = Problem, description = "no `file` part, or an empty file")))]
pub async fn upload_file(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let upload = read_upload(form, state.settings.upload_limit_bytes)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "file",
                "required",
                "send the file as the `file` part of a multipart/form-data body",
            )
        })?;
    let file = files::upload(&state, &me, id.into_inner(), upload).await?;
    Ok(HttpResponse::Created().json(file))
}

/// Download a file
///
/// The bytes, with the detected `Content-Type` and `Content-Disposition: attachment` (RFC 6266, the
/// name also RFC 5987-encoded).
#[utoipa::path(get, path = "/api/v1/clients/{id}/files/{file_id}", tag = "files",
    params(("id" = Uuid, Path, description = "Client id"), ("file_id" = Uuid, Path, description = "File id")),
    responses((status = 200, description = "The file's bytes, with the type detected at upload (`image/png`, `application/pdf`, ...)", content_type = "*/*"),
        (status = 404, body = Problem)))]
pub async fn download_file(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, file_id) = path.into_inner();
    let (row, stream) = files::download(&state, &me, client_id, file_id).await?;
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
    files::delete(&state, &me, client_id, file_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- reading the upload ----

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
