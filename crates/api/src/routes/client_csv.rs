//! CSV export of the filtered client list and CSV import that upserts by contact email. The file's rules
//! (columns, formula escaping, row checks) are in `domain::client_csv`, the work in `services::client_csv`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{ClientImport, ClientListQuery, ImportReport};
use audienceos_shared::Problem;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::Query;
use crate::services::client_csv;
use crate::state::AppState;
use uuid::Uuid;

/// Export clients as CSV
///
/// Every client matching the same search and filters as the list (not one page), in the list's order.
#[utoipa::path(get, path = "/api/v1/clients/export.csv", tag = "clients", params(ClientListQuery),
    responses((status = 200, content_type = "text/csv", body = String, description = "Columns: name, contact_name, \
        contact_email, website, stage, owner_email, labels (separated by `;`), due_date, install_date, total_spend, lifetime_value"),
        (status = 422, body = Problem)))]
pub async fn export_clients(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<ClientListQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let export = client_csv::export(&state, &me, &q).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", export.filename),
        ))
        .body(export.body))
}

/// Import clients from CSV
///
/// The body is the CSV file itself (`text/csv`, at most 5 MiB, UTF-8, header row first). `name` is
/// required; the other columns of the export are optional. Rows whose `contact_email` matches a client
/// update it, the others create clients. Good rows are written in batches of 200 within the request; bad
/// rows are reported by line (the header is line 1) and column, and nothing of them is written. For large
/// files, `POST /clients/imports` runs the same import as a job with progress.
#[utoipa::path(post, path = "/api/v1/clients/import", tag = "clients",
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 200, body = ImportReport), (status = 413, body = Problem),
        (status = 422, body = Problem, description = "The header has no `name` column, or the file is not UTF-8 CSV")))]
pub async fn import_clients(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let report = client_csv::import(&state, &me, declared_len(&req), payload).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Start a client import job
///
/// The same file and rules as `POST /clients/import`, run as a durable job so a large file neither holds
/// the request nor the database for long: the file's size, header and row count are checked now (413,
/// 422), then `202` with the import and a `Location` to follow. Rows are written in batches of 200, each
/// with the import's progress in one transaction; a job interrupted midway resumes after its last batch.
#[utoipa::path(post, path = "/api/v1/clients/imports", tag = "clients",
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 202, body = ClientImport, headers(("Location" = String, description = "The import's URL"))),
        (status = 413, body = Problem),
        (status = 422, body = Problem, description = "The header has no `name` column, the file is not UTF-8 CSV, or it has too many rows")))]
pub async fn start_import(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let import = client_csv::start_import(&state, &me, declared_len(&req), payload).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/clients/imports/{}", import.id)))
        .json(import))
}

/// Get a client import
///
/// Its status and progress; once `done`, the counts and the rows not imported. Owners and Admins see the
/// agency's imports, Members their own.
#[utoipa::path(get, path = "/api/v1/clients/imports/{id}", tag = "clients",
    params(("id" = Uuid, Path, description = "Import id")),
    responses((status = 200, body = ClientImport), (status = 404, body = Problem)))]
pub async fn get_import(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(client_csv::get_import(&state, &me, id.into_inner()).await?))
}

/// The request's `Content-Length`, if it sent one.
fn declared_len(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}
