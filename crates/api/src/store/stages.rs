//! The agency's pipeline stages (ordered, renamable) and its health thresholds.

use audienceos_shared::clients::{HealthThresholds, DEFAULT_STAGES};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

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

impl Store {
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
        self.insert_default_stages(agency_id, super::now()).await?;
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_all(pool)
            .await?))
    }

    async fn insert_default_stages(&self, agency_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin().await?;
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
        stages.into_iter().next().ok_or(super::StoreError::NotFound)
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
