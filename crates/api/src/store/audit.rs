//! The audit log of security events, per agency.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{cursor, new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub agency_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub action: &'static str,
    pub outcome: &'static str,
    pub ip: Option<String>,
    pub metadata: serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub action: String,
    pub outcome: String,
    pub actor_user_id: Option<Uuid>,
    pub actor_first_name: Option<String>,
    pub actor_last_name: Option<String>,
    pub ip: Option<String>,
    pub metadata: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn insert_audit(&self, e: &NewAuditEvent, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into audit_log (id, agency_id, actor_user_id, action, outcome, ip, metadata, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
        )
        .bind(new_id())
        .bind(e.agency_id)
        .bind(e.actor_user_id)
        .bind(e.action)
        .bind(e.outcome)
        .bind(&e.ip)
        .bind(Json(&e.metadata))
        .bind(now)
        .execute(pool)
        .await?;
        });
        Ok(())
    }

    /// Newest first, keyset-paginated.
    pub async fn list_audit(
        &self,
        agency_id: Uuid,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<AuditRow>, Option<String>)> {
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let rows: Vec<AuditRow> = on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select a.id, a.action, a.outcome, a.actor_user_id, u.first_name as actor_first_name, u.last_name as actor_last_name, a.ip, a.metadata, a.created_at \
             from audit_log a left join app_user u on u.id = a.actor_user_id \
             where a.agency_id = $1 and (a.created_at < $2 or (a.created_at = $2 and a.id < $3)) \
             order by a.created_at desc, a.id desc limit $4"
        )
        .bind(agency_id)
        .bind(at)
        .bind(id)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?
        });
        Ok(super::paginate(rows, limit, |r| (r.created_at, r.id)))
    }
}
