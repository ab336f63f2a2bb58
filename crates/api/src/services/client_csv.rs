//! Client CSV export and import across the store and the audit log. The file's rules are in
//! `domain::client_csv`; the import writes in batches of `IMPORT_BATCH_ROWS` rows through
//! `Store::import_clients`, one transaction each, either within the request (`import`) or as a durable
//! job whose progress the caller follows (`start_import`, `run_import_job`, `get_import`).

use std::collections::HashMap;

use audienceos_shared::clients::{ClientImport, ClientListQuery, ImportReport, ImportRowError, ImportStatus};
use futures_util::{Stream, StreamExt as _};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::client_csv::{self, CheckedRow, ExportRow, Lookups, IMPORTED_LABEL_COLOR};
use crate::domain::clients::sort_of;
use crate::domain::tenant::Tenant;
use crate::error::{ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::client_imports::{ClientImportRow, ImportProgress, NewClientImport};
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

/// Import a CSV file streamed as `body` (`declared_len` is its `Content-Length`, if sent) within the
/// request: check every row, write the good ones in batches (a contact email matching a client updates
/// it), refresh health and audit. 413 past `IMPORT_LIMIT_BYTES`; 422 when the file as a whole cannot be
/// read or has more rows than the cap. Large files belong in `start_import`.
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
    let file = read_file(state, &bytes)?;
    let (rows, mut errors) = checked_rows(state, me.agency_id, file).await?;

    let now = state.now();
    // Batches of their own transactions, so no import holds the (SQLite) writer for long while other
    // requests wait; a batch that fails leaves the earlier ones written and its rows and the rest
    // reported as not imported, so the file can be sent again (a contact email updates rather than
    // duplicates).
    let (mut created, mut updated, mut refused) = (0, 0, Vec::new());
    for (i, batch) in rows.chunks(IMPORT_BATCH_ROWS).enumerate() {
        match state
            .store
            .import_clients(me.tenant(), Some(me.user_id), batch, IMPORTED_LABEL_COLOR, None, now)
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

/// Start importing a CSV file as a durable job: the file is read and its size, shape and row count
/// checked now (413/422 as `import`), then stored with its job; `get_import` follows its progress.
pub async fn start_import<S, B, E>(
    state: &AppState,
    me: &Identity,
    declared_len: Option<usize>,
    body: S,
) -> Result<ClientImport, ApiError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let bytes = read_capped(declared_len, body).await?;
    let file = read_file(state, &bytes)?;
    let csv = std::str::from_utf8(&bytes).map_err(|_| ApiError::field("file", "not_utf8", "is not UTF-8 text"))?;
    let id = state
        .store
        .create_client_import(
            &NewClientImport {
                tenant: me.tenant(),
                created_by: me.user_id,
                csv,
                total_rows: file.row_count() as u32,
            },
            state.now(),
        )
        .await?;
    state.jobs.notify();
    get_import(state, me, id).await
}

/// An import the caller may see: any of the agency's for an Owner or Admin, their own for a Member.
pub async fn get_import(state: &AppState, me: &Identity, id: Uuid) -> Result<ClientImport, ApiError> {
    let mine_only = me.client_scope().map(|_| me.user_id);
    let row = state.store.get_client_import(me.agency_id, id, mine_only).await?;
    Ok(client_import(row))
}

/// Run the import job `payload` names: write the rows after the last written batch, one batch and its
/// progress per transaction, then the final report. A run that finds its batch already written by
/// another (a lease that expired under a slow run) stops.
pub async fn run_import_job(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let id = payload_import_id(payload).ok_or_else(|| anyhow::anyhow!("client import job without import_id"))?;
    let (import, csv) = state.store.client_import_for_job(id).await?;
    if import.status == "done" || import.status == "failed" {
        return Ok(());
    }
    let tenant = Tenant {
        agency_id: import.agency_id,
        client_scope: import.client_scope,
    };
    let file = match client_csv::read(csv.as_bytes()) {
        Ok(file) => file,
        Err(e) => {
            let (field, _, message) = e.field_error();
            let failure = format!("The {field} {message}.");
            state.store.fail_client_import(id, &failure, state.now()).await?;
            return Ok(());
        }
    };
    let total_rows = file.row_count() as u32;
    let (rows, check_errors) = checked_rows(state, tenant.agency_id, file)
        .await
        .map_err(|e| anyhow::anyhow!("checking the import's rows: {e:?}"))?;
    let mut last_line = import.last_line as u32;
    let start = rows.partition_point(|r| r.line <= last_line);
    for batch in rows[start..].chunks(IMPORT_BATCH_ROWS) {
        let to_line = batch.last().map_or(last_line, |r| r.line);
        let progress = ImportProgress {
            import_id: id,
            from_line: last_line,
            to_line,
            processed_rows: client_csv::rows_through(&rows, &check_errors, |r| r.line, to_line),
        };
        let outcome = state
            .store
            .import_clients(
                tenant,
                import.created_by,
                batch,
                IMPORTED_LABEL_COLOR,
                Some(progress),
                state.now(),
            )
            .await?;
        if outcome.superseded {
            tracing::info!(import_id = %id, "another run wrote this batch; stopping");
            return Ok(());
        }
        last_line = to_line;
    }
    let (written, _) = state.store.client_import_for_job(id).await?;
    let report = client_csv::report(
        written.created_count as u32,
        written.updated_count as u32,
        check_errors,
        Vec::new(),
    );
    let mut errors = report.errors;
    errors.extend(written.errors.0);
    errors.sort_by_key(|e| e.line);
    let now = state.now();
    if !state.store.finish_client_import(id, &errors, total_rows, now).await? {
        return Ok(());
    }
    if report.created + report.updated > 0 {
        state.store.refresh_health(tenant.agency_id, None, now).await?;
    }
    let mut audit = Audit::system(tenant.agency_id, "client.imported").meta(json!({
        "import_id": id, "created": report.created, "updated": report.updated, "rejected": errors.len()
    }));
    if let Some(user) = import.created_by {
        audit = audit.actor(user);
    }
    audit.record(state).await;
    Ok(())
}

/// The import job gave up: say so on the import, with the reason the last attempt failed.
pub async fn import_job_gave_up(state: &AppState, payload: &serde_json::Value, error: &str) -> anyhow::Result<()> {
    let Some(id) = payload_import_id(payload) else {
        return Ok(());
    };
    let import = state.store.client_import_for_job(id).await?.0;
    let failure = format!(
        "The import stopped after line {} and could not go on ({error}). The rows before it are imported; \
         import the file again to finish (rows with a known contact email update their client).",
        import.last_line
    );
    state.store.fail_client_import(id, &failure, state.now()).await?;
    Ok(())
}

/// The import an import job's payload names (`{"import_id": "<uuid>"}`).
fn payload_import_id(payload: &serde_json::Value) -> Option<Uuid> {
    payload.get("import_id")?.as_str()?.parse().ok()
}

/// The file as a whole: readable CSV with a `name` column, and no more rows than the cap (422 otherwise).
fn read_file(state: &AppState, bytes: &[u8]) -> Result<client_csv::CsvFile, ApiError> {
    let file = client_csv::read(bytes).map_err(|e| {
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
    Ok(file)
}

/// Every row checked against the agency's stages and members: the good ones as the store writes them,
/// and the errors of the others.
async fn checked_rows(
    state: &AppState,
    agency_id: Uuid,
    file: client_csv::CsvFile,
) -> Result<(Vec<ImportRow>, Vec<ImportRowError>), ApiError> {
    let stages = state.store.list_stages(agency_id).await?;
    let lookups = Lookups::new(stages.into_iter().map(|s| (s.name, s.id)))
        .ok_or(ApiError::NotFound)?
        .with_members(
            state
                .store
                .list_team_members(agency_id, None)
                .await?
                .into_iter()
                .map(|m| (m.email, m.id)),
        );
    let checked = client_csv::check(file, &lookups);
    Ok((checked.rows.into_iter().map(import_row).collect(), checked.errors))
}

fn client_import(row: ClientImportRow) -> ClientImport {
    let status = match row.status.as_str() {
        "queued" => ImportStatus::Queued,
        "running" => ImportStatus::Running,
        "done" => ImportStatus::Done,
        _ => ImportStatus::Failed,
    };
    ClientImport {
        id: row.id,
        status,
        total_rows: row.total_rows as u32,
        processed_rows: row.processed_rows as u32,
        created: row.created_count as u32,
        updated: row.updated_count as u32,
        errors: row.errors.0,
        failure: row.failure,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
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
