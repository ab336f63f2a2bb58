//! The alert rules job: for every agency, refresh every client's health, make the open rule alerts match
//! the conditions that hold now (inactivity, days in stage over the red threshold, overdue tasks; one open
//! alert per condition, auto-resolved when it no longer holds), and upsert today's KPI snapshot. Scheduled
//! through the durable job table (`jobs::schedule_periodic`), runnable by hand through the test hooks.

use anyhow::Context as _;
use audienceos_shared::alerts::{AlertSeverity, AlertType};
use audienceos_shared::clients::HealthThresholds;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::state::AppState;
use crate::store::alerts::{RuleAlert, RuleInput, RuleOutcome};
use crate::store::clients::days_between;

/// The job kind of a rules run over every agency.
pub const ALERT_RULES_JOB: &str = "alerts.rules";

/// The alert types the rules own (and may auto-resolve).
pub const RULE_TYPES: [AlertType; 3] = [AlertType::Inactivity, AlertType::StageOverdue, AlertType::OverdueTasks];

/// Run the rules for every agency. One agency's failure does not stop the others; the run fails (and the
/// job retries, which is harmless) if any agency failed.
pub async fn run_all(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<RuleOutcome> {
    let mut total = RuleOutcome::default();
    let mut failed = 0;
    for agency_id in state.store.agency_ids().await? {
        match run_for_agency(state, agency_id, now).await {
            Ok(o) => {
                total.raised += o.raised;
                total.regraded += o.regraded;
                total.resolved += o.resolved;
            }
            Err(e) => {
                failed += 1;
                tracing::error!(error.cause_chain = ?e, %agency_id, "alert rules failed for an agency");
            }
        }
    }
    tracing::info!(
        raised = total.raised,
        regraded = total.regraded,
        resolved = total.resolved,
        "alert rules ran"
    );
    // Keep SQLite's planner statistics fresh as the data grows (a no-op when nothing changed much).
    if let crate::store::Db::Sqlite(_) = state.store.db {
        if let Err(e) = state.store.analyze().await {
            tracing::warn!(error.cause_chain = ?e, "could not refresh the planner statistics");
        }
    }
    anyhow::ensure!(failed == 0, "alert rules failed for {failed} agencies");
    Ok(total)
}

pub async fn run_for_agency(state: &AppState, agency_id: Uuid, now: DateTime<Utc>) -> anyhow::Result<RuleOutcome> {
    let store = &state.store;
    store
        .refresh_health(agency_id, None, now)
        .await
        .context("refreshing health")?;
    let thresholds = store.health_thresholds(agency_id).await?;
    let inputs = store.rule_inputs(agency_id, now.date_naive()).await?;
    let wanted = wanted_alerts(&inputs, thresholds, state.settings.alert_inactivity_days, now);
    let outcome = store
        .sync_rule_alerts(agency_id, &RULE_TYPES, &wanted, now)
        .await
        .context("syncing rule alerts")?;
    let kpis = store
        .kpi_values(crate::domain::tenant::Tenant::agency(agency_id), now)
        .await?;
    store
        .upsert_kpi_snapshot(agency_id, now.date_naive(), &kpis.to_metrics(), now)
        .await
        .context("writing the KPI snapshot")?;
    // Health and alerts changed outside any request: outdate the agency's cached reads.
    state.data_changed(agency_id).await;
    Ok(outcome)
}

/// The rule alerts that should be open now (pure).
pub fn wanted_alerts(
    inputs: &[RuleInput],
    t: HealthThresholds,
    inactivity_days: i64,
    now: DateTime<Utc>,
) -> Vec<RuleAlert> {
    let mut out = Vec::new();
    for c in inputs {
        let idle = days_between(c.last_activity_at, now);
        if idle >= inactivity_days {
            out.push(RuleAlert {
                client_id: c.id,
                alert_type: AlertType::Inactivity,
                severity: AlertSeverity::Medium,
                title: format!("{}: no activity for {idle} days", c.name),
                description: format!("Nothing happened on {} (notes, tasks, moves) for {idle} days.", c.name),
                reasons: vec![format!(
                    "Last activity {} ({idle} days ago; the rule fires after {inactivity_days})",
                    c.last_activity_at.format("%Y-%m-%d")
                )],
                dedupe_key: format!("inactivity:{}", c.id),
                since: c.last_activity_at + chrono::Duration::days(inactivity_days),
            });
        }
        let in_stage = days_between(c.stage_entered_at, now);
        if in_stage >= t.red_days {
            out.push(RuleAlert {
                client_id: c.id,
                alert_type: AlertType::StageOverdue,
                severity: AlertSeverity::High,
                title: format!("{}: {in_stage} days in {}", c.name, c.stage_name),
                description: format!(
                    "{} has been in {} for {in_stage} days; the agency's red threshold is {} days.",
                    c.name, c.stage_name, t.red_days
                ),
                reasons: vec![format!(
                    "{in_stage} days in {} (at risk after {})",
                    c.stage_name, t.red_days
                )],
                dedupe_key: format!("stage_overdue:{}:{}", c.id, c.stage_id),
                since: c.stage_entered_at + chrono::Duration::days(t.red_days),
            });
        }
        if c.overdue_tasks > 0 {
            let n = c.overdue_tasks;
            let plural = if n == 1 { "task is" } else { "tasks are" };
            let since = c
                .last_overdue_due
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
                .unwrap_or(now);
            out.push(RuleAlert {
                client_id: c.id,
                alert_type: AlertType::OverdueTasks,
                severity: if n >= 3 {
                    AlertSeverity::High
                } else {
                    AlertSeverity::Medium
                },
                title: format!("{}: {n} overdue {}", c.name, if n == 1 { "task" } else { "tasks" }),
                description: format!("{n} open {plural} past the due date for {}.", c.name),
                reasons: vec![format!("{n} open {plural} past the due date (high from 3)")],
                dedupe_key: format!("overdue_tasks:{}", c.id),
                since,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(now: DateTime<Utc>) -> RuleInput {
        RuleInput {
            id: Uuid::now_v7(),
            name: "Acme".into(),
            stage_id: Uuid::now_v7(),
            stage_name: "Audit".into(),
            stage_entered_at: now,
            last_activity_at: now,
            overdue_tasks: 0,
            last_overdue_due: None,
        }
    }

    #[test]
    fn each_rule_fires_at_its_threshold() {
        let now = crate::clock::system_now();
        let t = HealthThresholds::default();
        assert!(wanted_alerts(&[input(now)], t, 14, now).is_empty());
        let mut c = input(now - chrono::Duration::days(14));
        c.overdue_tasks = 3;
        c.last_overdue_due = Some(now.date_naive() - chrono::Duration::days(2));
        let got = wanted_alerts(&[c.clone()], t, 14, now);
        let types: Vec<_> = got.iter().map(|a| (a.alert_type, a.severity)).collect();
        assert_eq!(
            types,
            [
                (AlertType::Inactivity, AlertSeverity::Medium),
                (AlertType::StageOverdue, AlertSeverity::High),
                (AlertType::OverdueTasks, AlertSeverity::High)
            ]
        );
        assert_eq!(got[1].dedupe_key, format!("stage_overdue:{}:{}", c.id, c.stage_id));
        c.overdue_tasks = 2;
        assert_eq!(wanted_alerts(&[c], t, 14, now)[2].severity, AlertSeverity::Medium);
    }
}
