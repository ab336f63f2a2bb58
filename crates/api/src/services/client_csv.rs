//! Client CSV export and import across the store and the audit log. The file's rules are in
//! `domain::client_csv`; the import writes in batches of `IMPORT_BATCH_ROWS` rows through `Store::import_clients`, one transaction each.

use std::collections::HashMap;

use audienceos_shared::clients::{ClientListQuery, ImportReport};
use futures_util::{Stream, StreamExt as _};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::client_csv::{self, CheckedRow, ExportRow, Lookups, IMPORTED_LABEL_COLOR};
use crate::domain::clients::sort_of;
use crate::error::{ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::clients::import::{ImportColumns, ImportRow};
use crate::store::clients::list::ClientFilter;
use crate::store::clients::NewClient;

/// Rows written per transaction.
const IMPORT_BATCH_ROWS: usize = 200;

/// Largest CSV file the import reads.
pub const IMPORT_LIMIT_BYTES: usize = 5 * 1024 * 1024;

/// A CSV export: the file and the name to offer it under.
pub struct CsvExport {
    pub filename: String,
    pub body: Vec<u8>,
}

/// Every client the caller sees matching the list query (not one page), in the list's order, as CSV.
pub async fn export(state: &AppState, me: &Identity, q: &ClientListQuery) -> Result<CsvExport, ApiError> {
    let (sort, dir) = sort_of(q);
    let rows = state
        .store
        .export_clients(me.tenant(), &ClientFilter::from(q), sort, dir)
        .await?;
    let mut labels: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !rows.is_empty() {
        for l in state.store.client_label_names(me.agency_id).await? {
            labels.entry(l.client_id).or_default().push(l.name);
        }
    }
    let rows = rows.into_iter().map(|r| {
        let c = r.client;
        ExportRow {
            labels: labels.remove(&c.id).unwrap_or_default(),
            name: c.name,
            contact_name: c.contact_name,
            contact_email: c.contact_email,
            website: c.website,
            stage: c.stage_name,
            owner_email: r.list_owner_email,
            due_date: c.due_date,
            install_date: c.install_date,
            total_spend_cents: c.total_spend_cents,
            lifetime_value_cents: c.lifetime_value_cents,
        }
    });
    let body = client_csv::write_csv(rows).map_err(ApiError::Internal)?;
    Ok(CsvExport {
        filename: client_csv::export_filename(state.now().date_naive()),
        body,
    })
}

/// Import a CSV file streamed as `body` (`declared_len` is its `Content-Length`, if sent): check every
/// row, write the good ones in one transaction (a contact email matching a client updates it), refresh
/// health and audit. 413 past `IMPORT_LIMIT_BYTES`; 422 when the file as a whole cannot be read.
pub async fn import<S, B, E>(
    state: &AppState,
    me: &Identity,
    declared_len: Option<usize>,
    body: S,
) -> Result<ImportReport, ApiError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let bytes = read_capped(declared_len, body).await?;
    let file = client_csv::read(&bytes).map_err(|e| {
        let (field, code, message) = e.field_error();
        ApiError::field(field, code, message)
    })?;
    let max_rows = state.settings.csv_import_max_rows;
    if file.row_count() > max_rows {
        return Err(ApiError::field(
            "file",
            "too_many_rows",
            &format!(
                "has {} rows; at most {max_rows} are imported at once, so split the file",
                file.row_count()
            ),
        ));
    }
    let stages = state.store.list_stages(me.agency_id).await?;
    let lookups = Lookups::new(stages.into_iter().map(|s| (s.name, s.id)))
        .ok_or(ApiError::NotFound)?
        .with_members(
            state
                .store
                .list_team_members(me.agency_id, None)
                .await?
                .into_iter()
                .map(|m| (m.email, m.id)),
        );
    let checked = client_csv::check(file, &lookups);
    let rows: Vec<ImportRow> = checked.rows.into_iter().map(import_row).collect();

    let now = state.now();
    // Batches of their own transactions, so no import holds the (SQLite) writer for long while other
    // requests wait; a batch that fails leaves the earlier ones written and its rows and the rest
    // reported as not imported, so the file can be sent again (a contact email updates rather than
    // duplicates).
    let (mut created, mut updated, mut refused) = (0, 0, Vec::new());
    let mut errors = checked.errors;
    for (i, batch) in rows.chunks(IMPORT_BATCH_ROWS).enumerate() {
        match state
            .store
            .import_clients(me.tenant(), Some(me.user_id), batch, IMPORTED_LABEL_COLOR, now)
            .await
        {
            Ok(outcome) => {
                created += outcome.created;
                updated += outcome.updated;
                refused.extend(outcome.refused);
            }
            Err(e) if created + updated == 0 => return Err(e.into()),
            Err(e) => {
                tracing::error!(error.cause_chain = ?e, batch = i, "a client import batch failed; reporting the rest as not imported");
                let message = "was not imported (the import stopped here); import this row again";
                errors.extend(
                    rows[i * IMPORT_BATCH_ROWS..]
                        .iter()
                        .map(|r| client_csv::not_imported(r.line, message)),
                );
                break;
            }
        }
    }
    let report = client_csv::report(created, updated, errors, refused);
    if report.created + report.updated > 0 {
        state.store.refresh_health(me.agency_id, None, now).await?;
    }
    Audit::by(me, "client.imported")
        .meta(json!({ "created": report.created, "updated": report.updated, "rejected": report.errors.len() }))
        .record(state)
        .await;
    Ok(report)
}

/// The whole body, refused with 413 as soon as it is known to be larger than `IMPORT_LIMIT_BYTES`.
async fn read_capped<S, B, E>(declared_len: Option<usize>, mut body: S) -> Result<Vec<u8>, ApiError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    if declared_len.is_some_and(|n| n > IMPORT_LIMIT_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| ApiError::new(Code::MalformedBody, "The request body could not be read."))?;
        let chunk = chunk.as_ref();
        if bytes.len() + chunk.len() > IMPORT_LIMIT_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        bytes.extend_from_slice(chunk);
    }
    Ok(bytes)
}

/// A checked row as the store writes it.
fn import_row(r: CheckedRow) -> ImportRow {
    let s = r.sets;
    ImportRow {
        line: r.line,
        client: NewClient {
            name: r.name,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            website: r.website,
            stage_id: r.stage_id,
            install_date: r.install_date,
            total_spend_cents: r.total_spend_cents,
            lifetime_value_cents: r.lifetime_value_cents,
            due_date: r.due_date,
            owner_id: r.owner_id,
            label_ids: Vec::new(),
        },
        columns: ImportColumns {
            contact_name: s.contact_name,
            website: s.website,
            stage: s.stage,
            owner: s.owner,
            labels: s.labels,
            due_date: s.due_date,
            install_date: s.install_date,
            total_spend: s.total_spend,
            lifetime_value: s.lifetime_value,
        },
        label_names: r.label_names,
    }
}
