//! The durable job queue: claim with a lease (`UPDATE ... WHERE lease expired ... RETURNING`), retry with
//! backoff, and idempotency keys so a job is only ever enqueued once. Works with one process on SQLite and
//! with many on Postgres (the outer `WHERE` re-checks the row, so two workers never both win it).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub payload: Json<serde_json::Value>,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
    pub idempotency_key: Option<String>,
}

pub(super) const INSERT_JOB: &str = "insert into job (id, kind, payload, status, attempts, max_attempts, run_at, idempotency_key, created_at, updated_at) \
                                     values ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $7)";

const COLUMNS: &str = "id, kind, payload, status, attempts, max_attempts, run_at, last_error";

impl Store {
    /// Enqueue; with an idempotency key that already exists, returns the existing job's id.
    pub async fn enqueue_job(&self, job: &NewJob, now: DateTime<Utc>) -> StoreResult<Uuid> {
        if let Some(key) = &job.idempotency_key {
            let existing: Option<Uuid> = on_db!(&self.db, |pool| sqlx::query_scalar(
                "select id from job where idempotency_key = $1"
            )
            .bind(key)
            .fetch_optional(pool)
            .await?);
            if let Some(id) = existing {
                return Ok(id);
            }
        }
        let id = new_id();
        let res = on_db!(&self.db, |pool| sqlx::query(INSERT_JOB)
            .bind(id)
            .bind(job.kind)
            .bind(Json(&job.payload))
            .bind(job.max_attempts)
            .bind(job.run_at)
            .bind(&job.idempotency_key)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        match res {
            Ok(_) => Ok(id),
            Err(e) => match (super::StoreError::from(e), &job.idempotency_key) {
                // Lost a race with another enqueue of the same key: the other one stands.
                (super::StoreError::Conflict { .. }, Some(key)) => Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
                    "select id from job where idempotency_key = $1"
                )
                .bind(key)
                .fetch_one(pool)
                .await?)),
                (e, _) => Err(e),
            },
        }
    }

    /// Claim the next due job (queued and due, or running with an expired lease) for `lease_secs`.
    pub async fn claim_job(&self, worker: &str, now: DateTime<Utc>, lease_secs: i64) -> StoreResult<Option<JobRow>> {
        let lease_until = now + chrono::Duration::seconds(lease_secs);
        let due = "((status = 'queued' and run_at <= $1) or (status = 'running' and lease_until < $1))";
        let sql = format!(
            "update job set status = 'running', attempts = attempts + 1, lease_until = $2, locked_by = $3, updated_at = $1 \
             where id = (select id from job where {due} order by run_at, id limit 1) and {due} \
             returning {COLUMNS}"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(worker)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn complete_job(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("update job set status = 'done', lease_until = null, locked_by = null, last_error = null, updated_at = $1 where id = $2")
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Record a failure: retry at `retry_at`, or fail for good when `retry_at` is `None`.
    pub async fn fail_job(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (status, run_at) = match retry_at {
            Some(at) => ("queued", at),
            None => ("failed", now),
        };
        on_db!(&self.db, |pool| {
            sqlx::query(
            "update job set status = $1, run_at = $2, last_error = $3, lease_until = null, locked_by = null, updated_at = $4 where id = $5"
        )
        .bind(status)
        .bind(run_at)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
        });
        Ok(())
    }

    /// The `run_at` of the oldest job that is due and not yet done (for the health check's lag).
    pub async fn oldest_due_job(&self, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        let row: Option<(DateTime<Utc>,)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select run_at from job where (status = 'queued' and run_at <= $1) or (status = 'running' and lease_until < $1) order by run_at limit 1"
        )
        .bind(now)
        .fetch_optional(pool)
        .await?
        });
        Ok(row.map(|r| r.0))
    }

    pub async fn get_job(&self, id: Uuid) -> StoreResult<JobRow> {
        let sql = format!("select {COLUMNS} from job where id = $1");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }
}

impl Store {
    /// Put a claimed job back for `run_at` without counting the attempt (the provider asked us to wait).
    pub async fn defer_job(&self, id: Uuid, note: &str, run_at: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "update job set status = 'queued', run_at = $2, last_error = $3, attempts = attempts - 1, \
                 lease_until = null, locked_by = null, updated_at = $4 where id = $1",
            )
            .bind(id)
            .bind(run_at)
            .bind(note)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
