//! CSV imports run as durable jobs: the import row and its job are created in one transaction; batches
//! write their clients and the import's progress in one transaction (`Store::import_clients` with an
//! `ImportProgress`), so a job killed midway resumes after its last written batch.

use audienceos_shared::clients::ImportRowError;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::jobs::INSERT_JOB;
use super::{new_id, on_db, BeginWrite, Store, StoreResult};
use crate::domain::tenant::Tenant;

/// The job kind that runs a client CSV import.
pub const CLIENT_IMPORT_JOB: &str = "client.import";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientImportRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub created_by: Option<Uuid>,
    pub client_scope: Option<Uuid>,
    pub status: String,
    pub total_rows: i32,
    pub processed_rows: i32,
    pub last_line: i32,
    pub created_count: i32,
    pub updated_count: i32,
    pub errors: Json<Vec<ImportRowError>>,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A new import: who started it, under which client scope, and the file.
#[derive(Debug, Clone)]
pub struct NewClientImport<'a> {
    pub tenant: Tenant,
    pub created_by: Uuid,
    pub csv: &'a str,
    pub total_rows: u32,
}

/// The progress a batch of an import job records in its own transaction: it applies only if the import
/// is still at `from_line` (a second worker running the same batch writes nothing).
#[derive(Debug, Clone, Copy)]
pub struct ImportProgress {
    pub import_id: Uuid,
    pub from_line: u32,
    pub to_line: u32,
    pub processed_rows: u32,
}

const COLUMNS: &str = "id, agency_id, created_by, client_scope, status, total_rows, processed_rows, last_line, \
                       created_count, updated_count, errors, failure, created_at, finished_at";

impl Store {
    /// Store the import and enqueue its job, in one transaction.
    pub async fn create_client_import(&self, new: &NewClientImport<'_>, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = new_id();
        let (agency_id, scope) = new.tenant.parts();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "insert into client_import (id, agency_id, created_by, client_scope, status, csv, total_rows, created_at, updated_at) \
                 values ($1, $2, $3, $4, 'queued', $5, $6, $7, $7)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(new.created_by)
            .bind(scope)
            .bind(new.csv)
            .bind(new.total_rows as i32)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_JOB)
                .bind(new_id())
                .bind(CLIENT_IMPORT_JOB)
                .bind(Json(serde_json::json!({ "import_id": id })))
                .bind(3)
                .bind(now)
                .bind(format!("{CLIENT_IMPORT_JOB}:{id}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// An import of the agency; with `created_by`, only if that user started it.
    pub async fn get_client_import(
        &self,
        agency_id: Uuid,
        id: Uuid,
        created_by: Option<Uuid>,
    ) -> StoreResult<ClientImportRow> {
        let sql = format!(
            "select {COLUMNS} from client_import where agency_id = $1 and id = $2 and ($3 is null or created_by = $3)"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(created_by)
            .fetch_one(pool)
            .await?))
    }

    /// The import and its file, for the job that runs it.
    pub async fn client_import_for_job(&self, id: Uuid) -> StoreResult<(ClientImportRow, String)> {
        let sql = format!("select {COLUMNS} from client_import where id = $1");
        let row: ClientImportRow = on_db!(&self.db, |pool| sqlx::query_as(&sql).bind(id).fetch_one(pool).await?);
        let csv: String = on_db!(&self.db, |pool| sqlx::query_scalar(
            "select csv from client_import where id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await?);
        Ok((row, csv))
    }

    /// Done: the final report replaces the errors recorded while writing, and the file is dropped.
    pub async fn finish_client_import(
        &self,
        id: Uuid,
        errors: &[ImportRowError],
        processed_rows: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| sqlx::query(
            "update client_import set status = 'done', errors = $2, processed_rows = $3, csv = '', \
             finished_at = $4, updated_at = $4 where id = $1 and status in ('queued', 'running')"
        )
        .bind(id)
        .bind(Json(errors))
        .bind(processed_rows as i32)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Failed for good: `failure` says why; the batches written before stay written.
    pub async fn fail_client_import(&self, id: Uuid, failure: &str, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update client_import set status = 'failed', failure = $2, csv = '', finished_at = $3, updated_at = $3 \
             where id = $1 and status in ('queued', 'running')"
        )
        .bind(id)
        .bind(failure)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
