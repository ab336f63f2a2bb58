//! The agency's labels (name and colour) and attaching them to clients.

use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sql::scope_condition;
use super::{new_id, on_db, Store, StoreError, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LabelRow {
    pub id: Uuid,
    pub name: String,
    pub color: String,
}

impl Store {
    pub async fn list_labels(&self, agency_id: Uuid) -> StoreResult<Vec<LabelRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, name, color from label where agency_id = $1 order by name, id"
        )
        .bind(agency_id)
        .fetch_all(pool)
        .await?))
    }

    /// A new label; a taken name is `Conflict { label_agency_name_key }`.
    pub async fn insert_label(
        &self,
        agency_id: Uuid,
        name: &str,
        color: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<LabelRow> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "insert into label (id, agency_id, name, color, created_at, updated_at) values ($1, $2, $3, $4, $5, $5) \
             returning id, name, color"
        )
        .bind(new_id())
        .bind(agency_id)
        .bind(name)
        .bind(color)
        .bind(now)
        .fetch_one(pool)
        .await?))
    }

    pub async fn update_label(
        &self,
        agency_id: Uuid,
        id: Uuid,
        name: Option<&str>,
        color: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<LabelRow> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "update label set name = coalesce($3, name), color = coalesce($4, color), updated_at = $5 \
             where agency_id = $1 and id = $2 returning id, name, color"
        )
        .bind(agency_id)
        .bind(id)
        .bind(name)
        .bind(color)
        .bind(now)
        .fetch_one(pool)
        .await?))
    }

    /// Delete a label (and its attachments); `NotFound` for another agency's.
    pub async fn delete_label(&self, agency_id: Uuid, id: Uuid) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| sqlx::query(
            "delete from label where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Attach (`attach = true`, idempotent) or detach a label of the agency to a client the caller may see.
    /// `NotFound` if either is not visible. Touches the client's `updated_at` when something changed.
    pub async fn set_client_label(
        &self,
        tenant: Tenant,
        client_id: Uuid,
        label_id: Uuid,
        attach: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (agency_id, scope) = tenant.parts();
        let visible = format!(
            "select count(*) from client c where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n: i64 = sqlx::query_scalar(&visible)
                .bind(agency_id)
                .bind(client_id)
                .bind(scope)
                .fetch_one(&mut *tx)
                .await?;
            let l: i64 = sqlx::query_scalar("select count(*) from label where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(label_id)
                .fetch_one(&mut *tx)
                .await?;
            if n == 0 || l == 0 {
                return Err(StoreError::NotFound);
            }
            let changed = if attach {
                sqlx::query(
                    "insert into client_label (client_id, label_id, agency_id, created_at) values ($1, $2, $3, $4) \
                     on conflict do nothing",
                )
                .bind(client_id)
                .bind(label_id)
                .bind(agency_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query("delete from client_label where agency_id = $1 and client_id = $2 and label_id = $3")
                    .bind(agency_id)
                    .bind(client_id)
                    .bind(label_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            };
            if changed > 0 {
                sqlx::query("update client set updated_at = $3 where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(client_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            changed > 0
        }))
    }
}
