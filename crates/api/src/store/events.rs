//! The event log behind live updates (`GET /api/v1/events`): one row per event, ids increasing, kept a day.
//!
//! On Postgres the insert also sends `NOTIFY aos_events, '<agency id>'` in the same transaction, so every API
//! process listening on that channel wakes the streams of that agency (delivered at commit); on SQLite there
//! is one process and the in-process bus does it. Ids become visible in increasing order on both (SQLite has
//! one writer; Postgres inserts take an advisory lock), so a stream's cursor never passes an event that
//! commits later.

use crate::domain::tenant::Tenant;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::sql::scope_condition;
use super::{on_db, Db, Store, StoreResult};

/// The Postgres channel events are announced on.
pub const NOTIFY_CHANNEL: &str = "aos_events";

/// The advisory lock that orders event inserts on Postgres ("aos_evnt" in ASCII).
const EVENT_LOCK_KEY: i64 = 0x616f_735f_6576_6e74;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub client_id: Option<Uuid>,
    pub kind: String,
    pub payload: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Append an event; its id.
    pub async fn insert_event(
        &self,
        agency_id: Uuid,
        client_id: Option<Uuid>,
        kind: &str,
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let payload = Json(payload);
        let id: i64 = match &self.db {
            Db::Postgres(pool) => {
                // Ids must become visible in increasing order, or a stream that read id n+1 before n
                // committed would skip n for good: inserts take one transaction-scoped lock, so the id
                // (taken after the lock) and the commit happen in the same order. Events are rare next
                // to the writes they describe, so the serialisation costs nothing noticeable.
                let mut tx = pool.begin().await?;
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(EVENT_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                let id: i64 = sqlx::query_scalar(
                    "insert into app_event (agency_id, client_id, kind, payload, created_at) \
                     values ($1, $2, $3, $4, $5) returning id",
                )
                .bind(agency_id)
                .bind(client_id)
                .bind(kind)
                .bind(payload)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("select pg_notify($1, $2)")
                    .bind(NOTIFY_CHANNEL)
                    .bind(agency_id.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                id
            }
            Db::Sqlite(pool) => {
                sqlx::query_scalar(
                    "insert into app_event (agency_id, client_id, kind, payload, created_at) \
                     values ($1, $2, $3, $4, $5) returning id",
                )
                .bind(agency_id)
                .bind(client_id)
                .bind(kind)
                .bind(payload)
                .bind(now)
                .fetch_one(pool)
                .await?
            }
        };
        Ok(id)
    }

    /// Events of the agency after `after`, oldest first, at most `limit`, that the caller may see: `scope`
    /// is a Member's user id (events of clients not granted to them are skipped; events without a client
    /// are for everyone).
    pub async fn events_after(&self, tenant: Tenant, after: i64, limit: i64) -> StoreResult<Vec<EventRow>> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "select x.id, x.client_id, x.kind, x.payload, x.created_at from app_event x \
             left join client c on c.id = x.client_id and c.agency_id = x.agency_id \
             where x.agency_id = $1 and x.id > $2 and (x.client_id is null or (c.id is not null and {})) \
             order by x.id limit $4",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(after)
            .bind(scope)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }

    /// The newest event id of the deployment (0 when there is none): where a new stream starts.
    pub async fn latest_event_id(&self) -> StoreResult<i64> {
        let id: Option<i64> = on_db!(&self.db, |pool| sqlx::query_scalar("select max(id) from app_event")
            .fetch_one(pool)
            .await?);
        Ok(id.unwrap_or(0))
    }

    /// The oldest kept event id (None when the log is empty): a resume from before it cannot be replayed.
    pub async fn oldest_event_id(&self) -> StoreResult<Option<i64>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select min(id) from app_event"
        )
        .fetch_one(pool)
        .await?))
    }

    /// Delete events created before `before`; how many.
    pub async fn prune_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(on_db!(&self.db, |pool| sqlx::query(
            "delete from app_event where created_at < $1"
        )
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected()))
    }
}
