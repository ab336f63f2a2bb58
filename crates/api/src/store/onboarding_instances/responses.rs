//! Intake answers: drafts and submissions from the public form (a submission completes the journey's
//! first stage, with its history entry, in the same transaction), and reading them back.

use crate::store::sql::found;
use crate::store::BeginWrite;
use audienceos_shared::onboarding::{InstanceStatus, StageAction, StageState};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{snapshots, INSERT_TRANSITION, STAGES_OF_INSTANCE, UPSERT_STATUS};
use crate::domain::onboarding::plan_transition;
use crate::store::{new_id, on_db, Store, StoreError, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponseRow {
    pub field_id: Uuid,
    pub label: String,
    pub field_type: String,
    pub value: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// The answers of an onboarding, in form order.
    pub async fn list_responses(&self, agency_id: Uuid, instance_id: Uuid) -> StoreResult<Vec<ResponseRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select r.field_id, f.label, f.field_type, r.value, r.submitted_at, r.updated_at from intake_response r \
             join intake_form_field f on f.id = r.field_id where r.agency_id = $1 and r.instance_id = $2 \
             order by f.journey_id, f.position, f.id"
        )
        .bind(agency_id)
        .bind(instance_id)
        .fetch_all(pool)
        .await?))
    }

    /// Save intake values (the caller checked they belong to the instance's form). With `submit`, every
    /// answer becomes submitted, the first stage completes (the onboarding moves on from it when it was
    /// current) and the history records it, in the same transaction.
    pub async fn save_intake(
        &self,
        agency_id: Uuid,
        instance_id: Uuid,
        values: &[(Uuid, String)],
        submit: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "update onboarding_instance set version = version + 1, updated_at = $3 \
                 where agency_id = $1 and id = $2 and status in ('pending', 'in_progress')",
            )
            .bind(agency_id)
            .bind(instance_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            found(n)?;
            for (field_id, value) in values {
                sqlx::query(
                    "insert into intake_response (instance_id, field_id, agency_id, value, submitted_at, created_at, updated_at) \
                     values ($1, $2, $3, $4, null, $5, $5) \
                     on conflict (instance_id, field_id) do update set value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(instance_id)
                .bind(field_id)
                .bind(agency_id)
                .bind(value)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if submit {
                sqlx::query("update intake_response set submitted_at = $3 where agency_id = $1 and instance_id = $2")
                    .bind(agency_id)
                    .bind(instance_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let (current, status): (Uuid, String) = sqlx::query_as(
                    "select current_stage_id, status from onboarding_instance where agency_id = $1 and id = $2",
                )
                .bind(agency_id)
                .bind(instance_id)
                .fetch_one(&mut *tx)
                .await?;
                let rows: Vec<(Uuid, String, Option<String>, Option<String>)> = sqlx::query_as(STAGES_OF_INSTANCE)
                    .bind(agency_id)
                    .bind(instance_id)
                    .fetch_all(&mut *tx)
                    .await?;
                let stages = snapshots(rows);
                let instance = InstanceStatus::parse(&status).unwrap_or(InstanceStatus::Pending);
                let first = stages.first().map(|s| s.id).ok_or(StoreError::NotFound)?;
                let plan = plan_transition(&stages, current, instance, StageAction::Complete, first, None)
                    .ok_or(StoreError::NotFound)?;
                for s in &plan.changes {
                    let completed = s.status == StageState::Completed;
                    sqlx::query(UPSERT_STATUS)
                        .bind(instance_id)
                        .bind(s.id)
                        .bind(agency_id)
                        .bind(s.status.as_str())
                        .bind(&s.reason)
                        .bind(completed.then_some(now))
                        .bind(None::<Uuid>)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "update onboarding_instance set current_stage_id = $3, status = $4, submitted_at = $5, \
                     completed_at = case when $4 = 'completed' then coalesce(completed_at, $5) else null end \
                     where agency_id = $1 and id = $2",
                )
                .bind(agency_id)
                .bind(instance_id)
                .bind(plan.current_stage_id)
                .bind(plan.status.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(INSERT_TRANSITION)
                    .bind(new_id())
                    .bind(agency_id)
                    .bind(instance_id)
                    .bind(plan.target)
                    .bind(&plan.target_name)
                    .bind(StageAction::IntakeSubmitted.as_str())
                    .bind(Some(plan.from_status.as_str()))
                    .bind(Some(plan.to_status.as_str()))
                    .bind(None::<String>)
                    .bind(None::<Uuid>)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
