//! Moving clients between stages (from the stage the caller last saw) and their stage history.

use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::INSERT_EVENT;
use crate::store::sql::scope_condition;
use crate::store::{new_id, on_db, Store, StoreError, StoreResult};

/// What a stage move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveOutcome {
    Moved {
        from_name: String,
        to_name: String,
    },
    /// Already in the target stage, as the caller saw it.
    Unchanged,
    /// The client is no longer in `from_stage`: it is in this stage now.
    Conflict {
        current_id: Uuid,
        current_name: String,
    },
    /// `to_stage` is not a stage of the agency.
    UnknownTarget,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageEventRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: Uuid,
    pub to_stage_name: String,
    pub moved_by: Option<Uuid>,
    pub mover_first_name: Option<String>,
    pub mover_last_name: Option<String>,
    pub moved_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl Store {
    /// Move a client from the stage the caller last saw to another, in one transaction: the conditional
    /// update only matches while the client is still in `from`, so a stale move changes nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_client_stage(
        &self,
        tenant: Tenant,
        id: Uuid,
        from: Uuid,
        to: Uuid,
        actor: Option<Uuid>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<MoveOutcome> {
        let (agency_id, scope) = tenant.parts();
        let update = format!(
            "update client as c set stage_id = $4, stage_entered_at = $5, updated_at = $5, last_activity_at = $5 \
             where c.agency_id = $1 and c.id = $2 and c.stage_id = $3 and {}",
            scope_condition(6)
        );
        let current = format!(
            "select c.stage_id, s.name from client c join pipeline_stage s on s.id = c.stage_id \
             where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let to_name: Option<String> =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(to)
                    .fetch_optional(&mut *tx)
                    .await?;
            let n = if to_name.is_some() && from != to {
                sqlx::query(&update)
                    .bind(agency_id)
                    .bind(id)
                    .bind(from)
                    .bind(to)
                    .bind(now)
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            } else {
                0
            };
            if n == 0 {
                let cur: Option<(Uuid, String)> = sqlx::query_as(&current)
                    .bind(agency_id)
                    .bind(id)
                    .bind(scope)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((current_id, current_name)) = cur else {
                    return Err(StoreError::NotFound);
                };
                return Ok(match to_name {
                    None => MoveOutcome::UnknownTarget,
                    Some(_) if current_id == from && from == to => MoveOutcome::Unchanged,
                    Some(_) => MoveOutcome::Conflict {
                        current_id,
                        current_name,
                    },
                });
            }
            let from_name: String =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(from)
                    .fetch_one(&mut *tx)
                    .await?;
            let to_name = to_name.unwrap_or_default();
            sqlx::query(INSERT_EVENT)
                .bind(new_id())
                .bind(agency_id)
                .bind(id)
                .bind(Some(from))
                .bind(Some(&from_name))
                .bind(to)
                .bind(&to_name)
                .bind(actor)
                .bind(now)
                .bind(note)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            MoveOutcome::Moved { from_name, to_name }
        }))
    }

    /// The client's stage history, newest first (the caller checked the client is visible).
    pub async fn list_stage_events(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<Vec<StageEventRow>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select e.id, e.client_id, e.from_stage_id, e.from_stage_name, e.to_stage_id, e.to_stage_name, e.moved_by, \
             u.first_name as mover_first_name, u.last_name as mover_last_name, e.moved_at, e.note \
             from stage_event e left join app_user u on u.id = e.moved_by \
             where e.agency_id = $1 and e.client_id = $2 order by e.moved_at desc, e.id desc"
        )
        .bind(agency_id)
        .bind(client_id)
        .fetch_all(pool)
        .await?
        }))
    }
}
