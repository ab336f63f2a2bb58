//! CSV export of the filtered client list and CSV import that upserts by contact email. The file's rules
//! (columns, formula escaping, row checks) are in `domain::client_csv`, the work in `services::client_csv`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{ClientListQuery, ImportReport};
use audienceos_shared::Problem;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::Query;
use crate::services::client_csv;
use crate::state::AppState;

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
/// update it, the others create clients. Good rows are all written in one transaction; bad rows are
/// reported by line (the header is line 1) and column, and nothing of them is written.
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
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let report = client_csv::import(&state, &me, declared, payload).await?;
    Ok(HttpResponse::Ok().json(report))
}
