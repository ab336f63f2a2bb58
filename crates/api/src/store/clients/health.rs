//! The stored, explainable health of clients, recomputed from their stage, overdue tasks, alerts and the
//! conversations waiting for the agency's reply.

use crate::store::BeginWrite;
use audienceos_shared::clients::{Health, HealthReason, HealthThresholds};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::days_between;
use crate::domain::client_health::{assess, unanswered_after, HealthInputs};
use crate::store::{on_db, Store, StoreResult};

impl Store {
    /// Recompute and store the health of every active client of the agency (set-based: one read, then
    /// writes only where the health or its reasons changed). Returns how many changed.
    pub async fn refresh_health(
        &self,
        agency_id: Uuid,
        only_client: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<usize> {
        let thresholds = self.health_thresholds(agency_id).await?;
        let today = now.date_naive();
        let rows: Vec<HealthRow> = on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select c.id, s.name as stage_name, c.stage_entered_at, c.health, c.health_reasons, \
             (select count(*) from task t where t.client_id = c.id and t.done_at is null and t.due_date is not null and t.due_date < $2) as overdue_tasks, \
             (select count(*) from alert a where a.client_id = c.id and a.severity = 'critical' and a.status in ('active', 'escalated') \
                and a.alert_type <> 'stage_overdue' and a.alert_type <> 'overdue_tasks') as critical_alerts, \
             (select count(*) from communication_thread th where th.agency_id = c.agency_id and th.client_id = c.id \
                and th.needs_reply and th.last_at < $4) as unanswered_messages \
             from client c join pipeline_stage s on s.id = c.stage_id \
             where c.agency_id = $1 and c.archived_at is null and ($3 is null or c.id = $3)"
        )
        .bind(agency_id)
        .bind(today)
        .bind(only_client)
        .bind(now - unanswered_after())
        .fetch_all(pool)
        .await?
        });
        let changed: Vec<(Uuid, Health, Vec<HealthReason>)> = rows
            .into_iter()
            .filter_map(|r| {
                let (health, reasons) = assess_row(thresholds, &r, now);
                let same = Health::parse(&r.health) == Some(health) && r.health_reasons.0 == reasons;
                (!same).then_some((r.id, health, reasons))
            })
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for (id, health, reasons) in &changed {
                sqlx::query("update client set health = $1, health_reasons = $2 where agency_id = $3 and id = $4")
                    .bind(health.as_str())
                    .bind(Json(reasons))
                    .bind(agency_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(changed.len())
    }
}

#[derive(Debug, sqlx::FromRow)]
struct HealthRow {
    id: Uuid,
    stage_name: String,
    stage_entered_at: DateTime<Utc>,
    health: String,
    health_reasons: Json<Vec<HealthReason>>,
    overdue_tasks: i64,
    critical_alerts: i64,
    unanswered_messages: i64,
}

fn assess_row(t: HealthThresholds, r: &HealthRow, now: DateTime<Utc>) -> (Health, Vec<HealthReason>) {
    assess(
        t,
        &HealthInputs {
            stage_name: &r.stage_name,
            days_in_stage: days_between(r.stage_entered_at, now),
            overdue_tasks: r.overdue_tasks,
            unanswered_messages: r.unanswered_messages,
            critical_alerts: r.critical_alerts,
        },
    )
}
