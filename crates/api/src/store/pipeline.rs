//! The agency's pipeline stages (ordered, renamable) and its health thresholds.

use crate::store::BeginWrite;
use audienceos_shared::clients::{HealthThresholds, DEFAULT_STAGES};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreError, StoreResult};

pub(super) const INSERT_STAGE: &str =
    "insert into pipeline_stage (id, agency_id, name, position, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub position: i32,
    pub client_count: i64,
}

const SELECT: &str = "select s.id, s.agency_id, s.name, s.position, \
    (select count(*) from client c where c.stage_id = s.id and c.archived_at is null) as client_count \
    from pipeline_stage s";

/// What deleting a stage did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteStage {
    Deleted,
    /// Clients (archived ones included) are still in it.
    NotEmpty(i64),
    /// It is the agency's only stage.
    Last,
}

/// First statement of a stage transaction: a no-op write on the agency row, so concurrent edits of one
/// agency's board take turns (a row lock on Postgres, the write lock on SQLite) before they read positions.
const LOCK_AGENCY: &str = "update agency set health_yellow_days = health_yellow_days where id = $1";

/// `ids` in board order with `moving` taken out and put at `at` (clamped).
fn reordered(mut ids: Vec<Uuid>, moving: Uuid, at: usize) -> Vec<Uuid> {
    ids.retain(|id| *id != moving);
    let at = at.min(ids.len());
    ids.insert(at, moving);
    ids
}

impl Store {
    /// Add a stage at `position` (clamped; the others move down) or last.
    pub async fn create_stage(
        &self,
        agency_id: Uuid,
        name: &str,
        position: Option<i32>,
        now: DateTime<Utc>,
    ) -> StoreResult<Uuid> {
        self.list_stages(agency_id).await?; // the defaults first, for an agency without stages
        let id = new_id();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(LOCK_AGENCY).bind(agency_id).execute(&mut *tx).await?;
            let ids: Vec<Uuid> =
                sqlx::query_scalar("select id from pipeline_stage where agency_id = $1 order by position, name")
                    .bind(agency_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let at = position.map_or(ids.len(), |p| p.max(0) as usize);
            sqlx::query(INSERT_STAGE)
                .bind(id)
                .bind(agency_id)
                .bind(name)
                .bind(ids.len() as i32)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let mut all = ids;
            all.push(id);
            for (pos, sid) in reordered(all, id, at).iter().enumerate() {
                sqlx::query(
                    "update pipeline_stage set position = $3 where agency_id = $1 and id = $2 and position <> $3",
                )
                .bind(agency_id)
                .bind(sid)
                .bind(pos as i32)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Rename a stage and/or move it to `position` (clamped); the others close up around it.
    pub async fn update_stage(
        &self,
        agency_id: Uuid,
        id: Uuid,
        name: Option<&str>,
        position: Option<i32>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(LOCK_AGENCY).bind(agency_id).execute(&mut *tx).await?;
            let ids: Vec<Uuid> =
                sqlx::query_scalar("select id from pipeline_stage where agency_id = $1 order by position, name")
                    .bind(agency_id)
                    .fetch_all(&mut *tx)
                    .await?;
            if !ids.contains(&id) {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "update pipeline_stage set name = coalesce($3, name), updated_at = $4 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let order = match position {
                Some(p) => reordered(ids, id, p.max(0) as usize),
                None => ids,
            };
            for (pos, sid) in order.iter().enumerate() {
                sqlx::query(
                    "update pipeline_stage set position = $3 where agency_id = $1 and id = $2 and position <> $3",
                )
                .bind(agency_id)
                .bind(sid)
                .bind(pos as i32)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Delete an empty stage that is not the last one; the others close up.
    pub async fn delete_stage(&self, agency_id: Uuid, id: Uuid) -> StoreResult<DeleteStage> {
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(LOCK_AGENCY).bind(agency_id).execute(&mut *tx).await?;
            let ids: Vec<Uuid> =
                sqlx::query_scalar("select id from pipeline_stage where agency_id = $1 order by position, name")
                    .bind(agency_id)
                    .fetch_all(&mut *tx)
                    .await?;
            if !ids.contains(&id) {
                return Err(StoreError::NotFound);
            }
            if ids.len() == 1 {
                return Ok(DeleteStage::Last);
            }
            let clients: i64 = sqlx::query_scalar("select count(*) from client where agency_id = $1 and stage_id = $2")
                .bind(agency_id)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if clients > 0 {
                return Ok(DeleteStage::NotEmpty(clients));
            }
            let deleted = sqlx::query("delete from pipeline_stage where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .execute(&mut *tx)
                .await;
            match deleted {
                Ok(_) => {}
                // a client moved in meanwhile: the foreign key (restrict) refuses
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => return Ok(DeleteStage::NotEmpty(1)),
                Err(e) => return Err(e.into()),
            }
            for (pos, sid) in ids.iter().filter(|s| **s != id).enumerate() {
                sqlx::query(
                    "update pipeline_stage set position = $3 where agency_id = $1 and id = $2 and position <> $3",
                )
                .bind(agency_id)
                .bind(sid)
                .bind(pos as i32)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            DeleteStage::Deleted
        }))
    }

    pub async fn set_health_thresholds(&self, agency_id: Uuid, t: HealthThresholds) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update agency set health_yellow_days = $2, health_red_days = $3 where id = $1"
        )
        .bind(agency_id)
        .bind(t.yellow_days as i32)
        .bind(t.red_days as i32)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The agency's stages in board order. An agency that has none (created before stages existed) gets
    /// the defaults first.
    pub async fn list_stages(&self, agency_id: Uuid) -> StoreResult<Vec<StageRow>> {
        let sql = format!("{SELECT} where s.agency_id = $1 order by s.position, s.name");
        let rows: Vec<StageRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_all(pool)
            .await?);
        if !rows.is_empty() {
            return Ok(rows);
        }
        self.insert_default_stages(agency_id, crate::clock::system_now())
            .await?;
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_all(pool)
            .await?))
    }

    async fn insert_default_stages(&self, agency_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for (position, name) in DEFAULT_STAGES.iter().enumerate() {
                // Two first requests may race; the unique (agency, name) makes the loser a no-op.
                sqlx::query(&format!("{INSERT_STAGE} on conflict do nothing"))
                    .bind(new_id())
                    .bind(agency_id)
                    .bind(*name)
                    .bind(position as i32)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A stage of the agency; `NotFound` for another agency's.
    pub async fn get_stage(&self, agency_id: Uuid, id: Uuid) -> StoreResult<StageRow> {
        let sql = format!("{SELECT} where s.agency_id = $1 and s.id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// The first stage on the board, where new clients start.
    pub async fn first_stage(&self, agency_id: Uuid) -> StoreResult<StageRow> {
        let stages = self.list_stages(agency_id).await?;
        stages.into_iter().next().ok_or(StoreError::NotFound)
    }

    pub async fn health_thresholds(&self, agency_id: Uuid) -> StoreResult<HealthThresholds> {
        let (yellow_days, red_days): (i32, i32) = on_db!(&self.db, |pool| sqlx::query_as(
            "select health_yellow_days, health_red_days from agency where id = $1"
        )
        .bind(agency_id)
        .fetch_one(pool)
        .await?);
        Ok(HealthThresholds {
            yellow_days: i64::from(yellow_days),
            red_days: i64::from(red_days),
        })
    }
}
