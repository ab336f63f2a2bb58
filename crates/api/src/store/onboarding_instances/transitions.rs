//! Stage transitions and platform verifications, each with its history entry in the same transaction,
//! and the history itself.

use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use audienceos_shared::onboarding::{InstanceStatus, PlatformState, StageAction, StageState};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{snapshots, PlatformMap, INSERT_TRANSITION, STAGES_OF_INSTANCE, UPSERT_STATUS};
use crate::domain::onboarding::{plan_transition, TransitionPlan, TransitionRequest};
use crate::store::sql::{found, scope_condition};
use crate::store::{new_id, on_db, Store, StoreError, StoreResult};

/// A stage's name, platforms, platform states and status.
type StagePlatforms = (String, Json<Vec<String>>, Option<Json<PlatformMap>>, Option<String>);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransitionRow {
    pub id: Uuid,
    pub stage_id: Uuid,
    pub stage_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_first_name: Option<String>,
    pub actor_last_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What a transition did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionOutcome {
    Done {
        plan: TransitionPlan,
        /// This transition completed the onboarding.
        completed_now: bool,
    },
    /// The onboarding is no longer in `from_stage_id`.
    Conflict { current_id: Uuid, current_name: String },
    /// `stage_id` is not a stage of the onboarding's journey.
    UnknownStage,
}

/// What a platform verification update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    Done { stage_name: String },
    UnknownStage,
    UnknownPlatform,
}

impl Store {
    /// Apply a stage transition if the onboarding is still in `from_stage_id`; history in the same
    /// transaction. The conditional version bump comes first, so concurrent transitions take turns.
    pub async fn transition_instance(
        &self,
        tenant: Tenant,
        id: Uuid,
        req: &TransitionRequest,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<TransitionOutcome> {
        let (agency_id, scope) = tenant.parts();
        let claim = format!(
            "update onboarding_instance set version = version + 1, updated_at = $4 \
             where agency_id = $1 and id = $2 and current_stage_id = $3 \
             and exists (select 1 from client c where c.id = onboarding_instance.client_id and {})",
            scope_condition(5)
        );
        let current_sql = format!(
            "select i.current_stage_id, s.name, i.status from onboarding_instance i join onboarding_stage s on s.id = i.current_stage_id \
             join client c on c.id = i.client_id where i.agency_id = $1 and i.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let claimed = sqlx::query(&claim)
                .bind(agency_id)
                .bind(id)
                .bind(req.from_stage_id)
                .bind(now)
                .bind(scope)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let cur: Option<(Uuid, String, String)> = sqlx::query_as(&current_sql)
                .bind(agency_id)
                .bind(id)
                .bind(scope)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((current_id, current_name, status)) = cur else {
                return Err(StoreError::NotFound);
            };
            if claimed == 0 {
                return Ok(TransitionOutcome::Conflict {
                    current_id,
                    current_name,
                });
            }
            let rows: Vec<(Uuid, String, Option<String>, Option<String>)> = sqlx::query_as(STAGES_OF_INSTANCE)
                .bind(agency_id)
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            let stages = snapshots(rows);
            let instance = InstanceStatus::parse(&status).unwrap_or(InstanceStatus::Pending);
            let target = req.stage_id.unwrap_or(current_id);
            let Some(plan) = plan_transition(&stages, current_id, instance, req.action, target, req.reason.as_deref())
            else {
                return Ok(TransitionOutcome::UnknownStage);
            };
            for s in &plan.changes {
                let completed = s.status == StageState::Completed;
                sqlx::query(UPSERT_STATUS)
                    .bind(id)
                    .bind(s.id)
                    .bind(agency_id)
                    .bind(s.status.as_str())
                    .bind(&s.reason)
                    .bind(completed.then_some(now))
                    .bind(if completed { actor } else { None })
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            let completed_now = plan.completes(instance);
            sqlx::query(
                "update onboarding_instance set current_stage_id = $3, status = $4, \
                 completed_at = case when $4 = 'completed' then coalesce(completed_at, $5) else null end \
                 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(plan.current_stage_id)
            .bind(plan.status.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_TRANSITION)
                .bind(new_id())
                .bind(agency_id)
                .bind(id)
                .bind(plan.target)
                .bind(&plan.target_name)
                .bind(req.action.as_str())
                .bind(Some(plan.from_status.as_str()))
                .bind(Some(plan.to_status.as_str()))
                .bind(&req.reason)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            TransitionOutcome::Done { plan, completed_now }
        }))
    }

    /// Record a platform's verification state in a stage (one of that stage's platforms), with history.
    #[allow(clippy::too_many_arguments)]
    pub async fn verify_platform(
        &self,
        tenant: Tenant,
        id: Uuid,
        stage_id: Uuid,
        platform: &str,
        state: PlatformState,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<VerifyOutcome> {
        let (agency_id, scope) = tenant.parts();
        let claim = format!(
            "update onboarding_instance set version = version + 1, updated_at = $3 where agency_id = $1 and id = $2 \
             and exists (select 1 from client c where c.id = onboarding_instance.client_id and {})",
            scope_condition(4)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(&claim)
                .bind(agency_id)
                .bind(id)
                .bind(now)
                .bind(scope)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            found(n)?;
            let stage: Option<StagePlatforms> = sqlx::query_as(
                "select s.name, s.platforms, st.platform_statuses, st.status from onboarding_instance i \
                     join onboarding_stage s on s.journey_id = i.journey_id and s.agency_id = i.agency_id \
                     left join onboarding_stage_status st on st.instance_id = i.id and st.stage_id = s.id \
                     where i.agency_id = $1 and i.id = $2 and s.id = $3",
            )
            .bind(agency_id)
            .bind(id)
            .bind(stage_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((name, platforms, statuses, status)) = stage else {
                return Ok(VerifyOutcome::UnknownStage);
            };
            if !platforms.0.iter().any(|p| p == platform) {
                return Ok(VerifyOutcome::UnknownPlatform);
            }
            let mut map = statuses.map(|j| j.0).unwrap_or_default();
            map.insert(platform.to_string(), state.as_str().to_string());
            sqlx::query(
                "insert into onboarding_stage_status (instance_id, stage_id, agency_id, status, platform_statuses, created_at, updated_at) \
                 values ($1, $2, $3, 'pending', $4, $5, $5) \
                 on conflict (instance_id, stage_id) do update set platform_statuses = excluded.platform_statuses, updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(stage_id)
            .bind(agency_id)
            .bind(Json(&map))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_TRANSITION)
                .bind(new_id())
                .bind(agency_id)
                .bind(id)
                .bind(stage_id)
                .bind(&name)
                .bind(StageAction::Verify.as_str())
                .bind(&status)
                .bind(&status)
                .bind(Some(format!("{platform}: {}", state.as_str())))
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            VerifyOutcome::Done { stage_name: name }
        }))
    }

    /// The history of an onboarding, newest first.
    pub async fn list_transitions(&self, agency_id: Uuid, instance_id: Uuid) -> StoreResult<Vec<TransitionRow>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select t.id, t.stage_id, t.stage_name, t.action, t.from_status, t.to_status, t.reason, t.actor_user_id, \
             u.first_name as actor_first_name, u.last_name as actor_last_name, t.created_at from onboarding_transition t \
             left join app_user u on u.id = t.actor_user_id where t.agency_id = $1 and t.instance_id = $2 \
             order by t.created_at desc, t.id desc"
        )
        .bind(agency_id)
        .bind(instance_id)
        .fetch_all(pool)
        .await?
        }))
    }
}
