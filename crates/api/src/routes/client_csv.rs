//! CSV export of the filtered client list and CSV import that upserts by contact email.
//!
//! Export: every matching row (not one page), columns `CSV_COLUMNS`; cells starting with `=`, `+`, `-`, `@`,
//! tab or carriage return get a leading `'` so spreadsheets do not run them as formulas.
//!
//! Import: `name` is required in the header, the other columns are optional. Each row is checked with the
//! rules of create (plus: `stage` names a stage, `owner_email` an active member, dates are `YYYY-MM-DD`,
//! amounts like `1250.00`, `labels` are separated by `;` and missing ones are created in grey). Rows with a
//! contact email matching a client update it; the others create clients. Of an updated client, a column
//! absent from the header is left alone, an empty cell clears the field (an empty `stage` keeps the stage)
//! and `labels` replaces its labels. A `'` the export put before a formula character is removed. All good
//! rows are written in one transaction; bad rows are reported with their line and column.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{
    ClientListQuery, CreateClientRequest, ImportReport, ImportRowError, CSV_COLUMNS, LABEL_COLORS,
};
use audienceos_shared::problem::field_errors;
use audienceos_shared::{Money, Problem};
use chrono::NaiveDate;
use futures_util::StreamExt as _;
use serde_json::json;
use uuid::Uuid;
use validator::Validate as _;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::domain::clients::{normalise_create, sort_of};
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::clients::import::{ImportColumns, ImportRow};
use crate::store::clients::list::ClientFilter;
use crate::store::clients::{email_key, NewClient};

/// Largest CSV file the import reads.
pub const IMPORT_LIMIT_BYTES: usize = 5 * 1024 * 1024;

/// The colour of labels an import creates.
const IMPORTED_LABEL_COLOR: &str = LABEL_COLORS[8];

/// A cell as a spreadsheet should show it: text that would start a formula gets a leading `'`.
pub fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// The inverse of `csv_cell` for imports.
fn uncell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => value,
    }
}

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
    q: web::Query<ClientListQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let (sort, dir) = sort_of(&q);
    let rows = state
        .store
        .export_clients(me.agency_id, me.client_scope(), &ClientFilter::from(&*q), sort, dir)
        .await?;
    let mut labels: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !rows.is_empty() {
        for l in state.store.client_label_names(me.agency_id).await? {
            labels.entry(l.client_id).or_default().push(l.name);
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(anyhow::Error::new(e).context("writing the CSV export"));
    w.write_record(CSV_COLUMNS).map_err(fail)?;
    for r in rows {
        let c = r.client;
        let opt = |v: Option<String>| v.unwrap_or_default();
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let record = [
            c.name,
            opt(c.contact_name),
            opt(c.contact_email),
            opt(c.website),
            c.stage_name,
            opt(r.list_owner_email),
            labels.remove(&c.id).unwrap_or_default().join("; "),
            date(c.due_date),
            date(c.install_date),
            Money::from_cents(c.total_spend_cents).to_string(),
            Money::from_cents(c.lifetime_value_cents).to_string(),
        ];
        w.write_record(record.iter().map(|v| csv_cell(v))).map_err(fail)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("finishing the CSV export: {e}")))?;
    let filename = format!("clients-{}.csv", crate::store::now().date_naive());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
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
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > IMPORT_LIMIT_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::new(Code::MalformedBody, "The request body could not be read."))?;
        if body.len() + chunk.len() > IMPORT_LIMIT_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::field("file", "encoding", "must be UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ApiError::field("file", "csv", "is not a CSV file with a header row"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(name_col) = col("name") else {
        return Err(ApiError::field(
            "name",
            "missing_column",
            "the header row has no `name` column",
        ));
    };
    let cols = Cols {
        name: name_col,
        contact_name: col("contact_name"),
        contact_email: col("contact_email"),
        website: col("website"),
        stage: col("stage"),
        owner_email: col("owner_email"),
        labels: col("labels"),
        due_date: col("due_date"),
        install_date: col("install_date"),
        total_spend: col("total_spend"),
        lifetime_value: col("lifetime_value"),
    };

    let stages = state.store.list_stages(me.agency_id).await?;
    let first_stage = stages.first().map(|s| s.id).ok_or(ApiError::NotFound)?;
    let stage_by_name: HashMap<String, Uuid> = stages.iter().map(|s| (s.name.to_lowercase(), s.id)).collect();
    let members: HashMap<String, Uuid> = state
        .store
        .list_team_members(me.agency_id, None)
        .await?
        .into_iter()
        .map(|m| (m.email.to_lowercase(), m.id))
        .collect();

    let mut errors: Vec<ImportRowError> = Vec::new();
    let mut good: Vec<ImportRow> = Vec::new();
    let mut seen_emails: HashMap<String, u32> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as u32);
                errors.push(row_error(line, None, "is not a valid CSV row"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as u32);
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(uncell).unwrap_or("").to_string();
        let row = RowInput {
            line,
            name: cell(Some(cols.name)),
            contact_name: cell(cols.contact_name),
            contact_email: cell(cols.contact_email),
            website: cell(cols.website),
            stage: cell(cols.stage),
            owner_email: cell(cols.owner_email),
            labels: cell(cols.labels),
            due_date: cell(cols.due_date),
            install_date: cell(cols.install_date),
            total_spend: cell(cols.total_spend),
            lifetime_value: cell(cols.lifetime_value),
        };
        match check_row(row, &cols, first_stage, &stage_by_name, &members) {
            Ok(r) => {
                if let Some(e) = email_key(r.client.contact_email.as_deref()) {
                    if let Some(first) = seen_emails.get(&e) {
                        errors.push(row_error(
                            line,
                            Some("contact_email"),
                            &format!("appears earlier in the file (line {first})"),
                        ));
                        continue;
                    }
                    seen_emails.insert(e, line);
                }
                good.push(r);
            }
            Err(mut errs) => errors.append(&mut errs),
        }
    }

    let now = crate::store::now();
    let outcome = state
        .store
        .import_clients(
            me.agency_id,
            me.client_scope(),
            Some(me.user_id),
            &good,
            IMPORTED_LABEL_COLOR,
            now,
        )
        .await?;
    for (line, field, message) in outcome.refused {
        errors.push(row_error(line, Some(field), &message));
    }
    errors.sort_by_key(|e| e.line);
    if outcome.created + outcome.updated > 0 {
        state.store.refresh_health(me.agency_id, None, now).await?;
    }
    Audit::by(&me, "client.imported")
        .meta(json!({ "created": outcome.created, "updated": outcome.updated, "rejected": errors.len() }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(ImportReport {
        created: outcome.created,
        updated: outcome.updated,
        errors,
    }))
}

struct Cols {
    name: usize,
    contact_name: Option<usize>,
    contact_email: Option<usize>,
    website: Option<usize>,
    stage: Option<usize>,
    owner_email: Option<usize>,
    labels: Option<usize>,
    due_date: Option<usize>,
    install_date: Option<usize>,
    total_spend: Option<usize>,
    lifetime_value: Option<usize>,
}

struct RowInput {
    line: u32,
    name: String,
    contact_name: String,
    contact_email: String,
    website: String,
    stage: String,
    owner_email: String,
    labels: String,
    due_date: String,
    install_date: String,
    total_spend: String,
    lifetime_value: String,
}

fn row_error(line: u32, field: Option<&str>, message: &str) -> ImportRowError {
    ImportRowError {
        line,
        field: field.map(str::to_string),
        message: message.to_string(),
    }
}

fn some(v: String) -> Option<String> {
    Some(v).filter(|s| !s.is_empty())
}

/// One row checked with the rules of create, resolved to ids; or its errors, one per column at fault.
fn check_row(
    r: RowInput,
    cols: &Cols,
    first_stage: Uuid,
    stage_by_name: &HashMap<String, Uuid>,
    members: &HashMap<String, Uuid>,
) -> Result<ImportRow, Vec<ImportRowError>> {
    let line = r.line;
    let mut errors = Vec::new();
    let mut create = CreateClientRequest {
        name: r.name,
        contact_name: some(r.contact_name),
        contact_email: some(r.contact_email),
        website: some(r.website),
        ..Default::default()
    };
    normalise_create(&mut create);
    if let Err(e) = create.validate() {
        for f in field_errors(&e) {
            errors.push(row_error(line, Some(&f.field), &f.message));
        }
    }
    let stage_given = !r.stage.is_empty();
    let stage_id = match some(r.stage) {
        None => first_stage,
        Some(s) => match stage_by_name.get(&s.to_lowercase()) {
            Some(id) => *id,
            None => {
                errors.push(row_error(
                    line,
                    Some("stage"),
                    &format!("\"{s}\" is not a stage of this agency"),
                ));
                first_stage
            }
        },
    };
    let owner_id = match some(r.owner_email) {
        None => None,
        Some(e) => match members.get(&e.to_lowercase()) {
            Some(id) => Some(*id),
            None => {
                errors.push(row_error(
                    line,
                    Some("owner_email"),
                    "is not an active member of this agency",
                ));
                None
            }
        },
    };
    let label_names: Vec<String> = r
        .labels
        .split(';')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if label_names.iter().any(|l| l.chars().count() > 40) {
        errors.push(row_error(
            line,
            Some("labels"),
            "a label name is longer than 40 characters",
        ));
    }
    let mut date = |field: &str, v: String| -> Option<NaiveDate> {
        let v = some(v)?;
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(row_error(line, Some(field), "must be a date like 2026-12-31"));
                None
            }
        }
    };
    let due_date = date("due_date", r.due_date);
    let install_date = date("install_date", r.install_date);
    let mut money = |field: &str, v: String| -> i64 {
        match some(v).map(|v| v.replace(',', "").parse::<Money>()) {
            None => 0,
            Some(Ok(m)) => m.cents(),
            Some(Err(e)) => {
                errors.push(row_error(line, Some(field), &e.to_string()));
                0
            }
        }
    };
    let total_spend_cents = money("total_spend", r.total_spend);
    let lifetime_value_cents = money("lifetime_value", r.lifetime_value);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ImportRow {
        line,
        client: NewClient {
            name: create.name,
            contact_name: create.contact_name,
            contact_email: create.contact_email,
            website: create.website,
            stage_id,
            install_date,
            total_spend_cents,
            lifetime_value_cents,
            due_date,
            owner_id,
            label_ids: Vec::new(),
        },
        columns: ImportColumns {
            contact_name: cols.contact_name.is_some(),
            website: cols.website.is_some(),
            stage: stage_given,
            owner: cols.owner_email.is_some(),
            labels: cols.labels.is_some(),
            due_date: cols.due_date.is_some(),
            install_date: cols.install_date.is_some(),
            total_spend: cols.total_spend.is_some(),
            lifetime_value: cols.lifetime_value.is_some(),
        },
        label_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped_and_unescaped() {
        for v in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"] {
            let c = csv_cell(v);
            assert!(c.starts_with('\''), "{v}");
            assert_eq!(uncell(&c), v);
        }
        assert_eq!(csv_cell("Acme"), "Acme");
        assert_eq!(uncell("'quoted"), "'quoted");
    }
}
