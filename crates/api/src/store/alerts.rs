//! Alerts: listing (with the `open` view that brings back snoozes whose time has passed), the actions people
//! take on them (snooze, escalate with a notification, dismiss, resolve), and the rule job's set-based
//! raise / re-grade / auto-resolve. An alert follows its client's visibility; an alert without a client is
//! visible to callers who see every client (Managers and above).

use crate::domain::stored::Stored as _;
use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use audienceos_shared::alerts::{AlertSeverity, AlertStatus, AlertType};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::sql::scope_condition;
use super::{cursor, new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub client_id: Option<Uuid>,
    pub client_name: Option<String>,
    pub alert_type: String,
    pub severity: String,
    pub status: String,
    pub title: String,
    pub description: String,
    pub reasons: Json<Vec<String>>,
    pub dedupe_key: String,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub escalated_to: Option<Uuid>,
    pub escalated_first_name: Option<String>,
    pub escalated_last_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl AlertRow {
    /// The status as callers see it: a snooze whose time has passed is `active` again.
    pub fn effective_status(&self, now: DateTime<Utc>) -> AlertStatus {
        let status = AlertStatus::from_stored(&self.status);
        match (status, self.snoozed_until) {
            (AlertStatus::Snoozed, Some(until)) if until <= now => AlertStatus::Active,
            (AlertStatus::Snoozed, None) => AlertStatus::Active,
            (s, _) => s,
        }
    }

    pub fn is_open(&self) -> bool {
        AlertStatus::parse(&self.status).is_some_and(AlertStatus::is_open)
    }
}

pub const ALERT_SELECT: &str =
    "select a.id, a.agency_id, a.client_id, c.name as client_name, a.alert_type, a.severity, \
    a.status, a.title, a.description, a.reasons, a.dedupe_key, a.snoozed_until, a.escalated_to, \
    e.first_name as escalated_first_name, e.last_name as escalated_last_name, a.created_at, a.updated_at, a.closed_at \
    from alert a left join client c on c.id = a.client_id left join app_user e on e.id = a.escalated_to";

/// The statuses an open alert can have, as SQL.
pub const OPEN_STATUSES: &str = "('active', 'snoozed', 'escalated')";

/// Which alerts a list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Active, escalated, and snoozed whose time has passed.
    Open,
    All,
    One(AlertStatus),
}

impl StatusFilter {
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s.map(str::trim) {
            None | Some("") | Some("open") => Some(StatusFilter::Open),
            Some("all") => Some(StatusFilter::All),
            Some(other) => AlertStatus::parse(other).map(StatusFilter::One),
        }
    }

    /// SQL condition on alias `a`; `$n` is now.
    pub fn condition(self, n: usize) -> String {
        match self {
            StatusFilter::Open => open_condition(n),
            StatusFilter::All => "1 = 1".into(),
            StatusFilter::One(AlertStatus::Active) => {
                format!("(a.status = 'active' or (a.status = 'snoozed' and (a.snoozed_until is null or a.snoozed_until <= ${n})))")
            }
            StatusFilter::One(AlertStatus::Snoozed) => {
                format!("(a.status = 'snoozed' and a.snoozed_until > ${n})")
            }
            StatusFilter::One(s) => format!("a.status = '{}'", s.as_str()),
        }
    }
}

/// Open and not hidden by a snooze (on alias `a`; `$n` is now).
pub fn open_condition(n: usize) -> String {
    format!(
        "(a.status in ('active', 'escalated') or (a.status = 'snoozed' and (a.snoozed_until is null or a.snoozed_until <= ${n})))"
    )
}

#[derive(Debug, Clone)]
pub struct AlertFilter {
    pub status: StatusFilter,
    pub severity: Option<AlertSeverity>,
    pub client_id: Option<Uuid>,
    pub alert_type: Option<AlertType>,
}

/// What a person did to an alert.
#[derive(Debug, Clone)]
pub enum AlertAction {
    Snooze {
        until: DateTime<Utc>,
    },
    Escalate {
        severity: AlertSeverity,
        to: Uuid,
        notification: NewNotification,
    },
    Dismiss,
    Resolve,
}

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An alert a rule wants open.
#[derive(Debug, Clone)]
pub struct RuleAlert {
    pub client_id: Uuid,
    pub alert_type: AlertType,
    pub severity: AlertSeverity,
    pub title: String,
    pub description: String,
    pub reasons: Vec<String>,
    pub dedupe_key: String,
    /// When the condition began: a dismissal after this time keeps it quiet.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuleOutcome {
    pub raised: u64,
    pub regraded: u64,
    pub resolved: u64,
}

#[derive(Debug, sqlx::FromRow)]
struct OpenRuleAlert {
    id: Uuid,
    dedupe_key: String,
    severity: String,
}

#[derive(Debug, sqlx::FromRow)]
struct Dismissal {
    dedupe_key: String,
    closed_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Newest first, keyset-paginated, in the caller's scope.
    pub async fn list_alerts(
        &self,
        tenant: Tenant,
        f: &AlertFilter,
        now: DateTime<Utc>,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<AlertRow>, Option<String>)> {
        let (agency_id, scope) = tenant.parts();
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let sql = format!(
            "{ALERT_SELECT} where a.agency_id = $1 and {} and {} \
             and ($4 is null or a.severity = $4) and ($5 is null or a.client_id = $5) and ($6 is null or a.alert_type = $6) \
             and (a.created_at < $7 or (a.created_at = $7 and a.id < $8)) \
             order by a.created_at desc, a.id desc limit $9",
            scope_condition(2),
            f.status.condition(3),
        );
        let rows: Vec<AlertRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(now)
            .bind(f.severity.map(AlertSeverity::as_str))
            .bind(f.client_id)
            .bind(f.alert_type.map(AlertType::as_str))
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?);
        Ok(super::paginate(rows, limit, |r| (r.created_at, r.id)))
    }

    /// One alert in the caller's scope.
    pub async fn get_alert(&self, tenant: Tenant, id: Uuid) -> StoreResult<AlertRow> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "{ALERT_SELECT} where a.agency_id = $1 and a.id = $3 and {}",
            scope_condition(2)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Alerts of the agency by id (any scope; for the firehose, which found them in scope).
    pub async fn alerts_by_ids(&self, agency_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<AlertRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{ALERT_SELECT} where a.agency_id = $1 and a.id in ({})",
            super::sql::placeholders(2, ids.len())
        );
        Ok(on_db!(&self.db, |pool| {
            let mut q = sqlx::query_as(&sql).bind(agency_id);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Apply an action to an open alert (with its notification, for escalations) in one transaction.
    /// `Ok(false)` when the alert was closed in the meantime.
    pub async fn act_on_alert(
        &self,
        agency_id: Uuid,
        id: Uuid,
        actor: Uuid,
        action: &AlertAction,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let guard = format!("agency_id = $1 and id = $2 and status in {OPEN_STATUSES}");
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = match action {
                AlertAction::Snooze { until } => sqlx::query(&format!(
                    "update alert set status = 'snoozed', snoozed_until = $3, updated_at = $4 where {guard}"
                ))
                .bind(agency_id)
                .bind(id)
                .bind(until)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                AlertAction::Escalate { severity, to, .. } => sqlx::query(&format!(
                    "update alert set status = 'escalated', severity = $3, escalated_to = $4, escalated_by = $5, \
                     escalated_at = $6, snoozed_until = null, updated_at = $6 where {guard}"
                ))
                .bind(agency_id)
                .bind(id)
                .bind(severity.as_str())
                .bind(to)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                AlertAction::Dismiss | AlertAction::Resolve => sqlx::query(&format!(
                    "update alert set status = $3, closed_at = $4, closed_by = $5, snoozed_until = null, updated_at = $4 where {guard}"
                ))
                .bind(agency_id)
                .bind(id)
                .bind(if matches!(action, AlertAction::Dismiss) {
                    "dismissed"
                } else {
                    "resolved"
                })
                .bind(now)
                .bind(actor)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            if n == 0 {
                return Ok(false);
            }
            if let AlertAction::Escalate { notification: n, .. } = action {
                sqlx::query(
                    "insert into notification (id, agency_id, user_id, kind, title, body, link, created_at) \
                     values ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(new_id())
                .bind(agency_id)
                .bind(n.user_id)
                .bind(n.kind)
                .bind(&n.title)
                .bind(&n.body)
                .bind(&n.link)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// A user's notifications, newest first (the inbox of notifications comes later; tests read it).
    pub async fn list_notifications(&self, agency_id: Uuid, user_id: Uuid) -> StoreResult<Vec<NotificationRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, user_id, kind, title, body, link, created_at from notification \
             where agency_id = $1 and user_id = $2 order by created_at desc, id desc"
        )
        .bind(agency_id)
        .bind(user_id)
        .fetch_all(pool)
        .await?))
    }

    /// Make the open rule alerts of `types` exactly `wanted`: raise the missing ones (unless dismissed
    /// since their condition began; the partial unique index `alert_open_condition_key` makes a concurrent
    /// run a no-op), raise the severity of those that got worse, and resolve those whose condition is gone.
    pub async fn sync_rule_alerts(
        &self,
        agency_id: Uuid,
        types: &[AlertType],
        wanted: &[RuleAlert],
        now: DateTime<Utc>,
    ) -> StoreResult<RuleOutcome> {
        let type_list = types
            .iter()
            .map(|t| format!("'{}'", t.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let open_sql = format!(
            "select id, dedupe_key, severity from alert where agency_id = $1 and status in {OPEN_STATUSES} and alert_type in ({type_list})"
        );
        let dismissed_sql = format!(
            "select dedupe_key, max(closed_at) as closed_at from alert where agency_id = $1 and status = 'dismissed' \
             and alert_type in ({type_list}) group by dedupe_key"
        );
        let (open, dismissed): (Vec<OpenRuleAlert>, Vec<Dismissal>) = on_db!(&self.db, |pool| (
            sqlx::query_as(&open_sql).bind(agency_id).fetch_all(pool).await?,
            sqlx::query_as(&dismissed_sql).bind(agency_id).fetch_all(pool).await?,
        ));
        let open_by_key: std::collections::HashMap<&str, &OpenRuleAlert> =
            open.iter().map(|o| (o.dedupe_key.as_str(), o)).collect();
        let dismissed_at: std::collections::HashMap<&str, DateTime<Utc>> = dismissed
            .iter()
            .filter_map(|d| d.closed_at.map(|at| (d.dedupe_key.as_str(), at)))
            .collect();
        let wanted_keys: std::collections::HashSet<&str> = wanted.iter().map(|w| w.dedupe_key.as_str()).collect();

        let mut to_insert = Vec::new();
        let mut to_regrade = Vec::new();
        for w in wanted {
            match open_by_key.get(w.dedupe_key.as_str()) {
                Some(o) => {
                    let current = AlertSeverity::from_stored(&o.severity);
                    if w.severity > current {
                        to_regrade.push((o.id, w));
                    }
                }
                None if dismissed_at.get(w.dedupe_key.as_str()).is_some_and(|at| *at >= w.since) => {}
                None => to_insert.push(w),
            }
        }
        let to_resolve: Vec<Uuid> = open
            .iter()
            .filter(|o| !wanted_keys.contains(o.dedupe_key.as_str()))
            .map(|o| o.id)
            .collect();
        let mut out = RuleOutcome::default();
        if to_insert.is_empty() && to_regrade.is_empty() && to_resolve.is_empty() {
            return Ok(out);
        }
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for w in &to_insert {
                out.raised += sqlx::query(
                    "insert into alert (id, agency_id, client_id, alert_type, severity, status, title, description, reasons, \
                     dedupe_key, created_at, updated_at) values ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $10) \
                     on conflict do nothing",
                )
                .bind(new_id())
                .bind(agency_id)
                .bind(w.client_id)
                .bind(w.alert_type.as_str())
                .bind(w.severity.as_str())
                .bind(&w.title)
                .bind(&w.description)
                .bind(Json(&w.reasons))
                .bind(&w.dedupe_key)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            for (id, w) in &to_regrade {
                out.regraded += sqlx::query(&format!(
                    "update alert set severity = $3, description = $4, reasons = $5, updated_at = $6 \
                     where agency_id = $1 and id = $2 and status in {OPEN_STATUSES}"
                ))
                .bind(agency_id)
                .bind(id)
                .bind(w.severity.as_str())
                .bind(&w.description)
                .bind(Json(&w.reasons))
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            for id in &to_resolve {
                out.resolved += sqlx::query(&format!(
                    "update alert set status = 'resolved', closed_at = $3, closed_by = null, snoozed_until = null, updated_at = $3 \
                     where agency_id = $1 and id = $2 and status in {OPEN_STATUSES}"
                ))
                .bind(agency_id)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(out)
    }
}

/// What the rules look at for one client.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleInput {
    pub id: Uuid,
    pub name: String,
    pub stage_id: Uuid,
    pub stage_name: String,
    pub stage_entered_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub overdue_tasks: i64,
    /// The latest due date among the overdue open tasks.
    pub last_overdue_due: Option<chrono::NaiveDate>,
}

impl Store {
    /// Every active client of the agency with what the alert rules need, in one query.
    pub async fn rule_inputs(&self, agency_id: Uuid, today: chrono::NaiveDate) -> StoreResult<Vec<RuleInput>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select c.id, c.name, c.stage_id, s.name as stage_name, c.stage_entered_at, c.last_activity_at, \
             (select count(*) from task t where t.client_id = c.id and t.done_at is null and t.due_date is not null and t.due_date < $2) as overdue_tasks, \
             (select max(t.due_date) from task t where t.client_id = c.id and t.done_at is null and t.due_date is not null and t.due_date < $2) as last_overdue_due \
             from client c join pipeline_stage s on s.id = c.stage_id \
             where c.agency_id = $1 and c.archived_at is null"
        )
        .bind(agency_id)
        .bind(today)
        .fetch_all(pool)
        .await?
        }))
    }
}

impl Store {
    /// Raise an agency-level alert for a condition (`dedupe_key`) unless one is already open.
    #[allow(clippy::too_many_arguments)]
    pub async fn raise_condition_alert(
        &self,
        agency_id: Uuid,
        alert_type: AlertType,
        severity: AlertSeverity,
        title: &str,
        description: &str,
        dedupe_key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "insert into alert (id, agency_id, client_id, alert_type, severity, status, title, description, reasons, \
                 dedupe_key, created_at, updated_at) values ($1, $2, null, $3, $4, 'active', $5, $6, $7, $8, $9, $9) \
                 on conflict do nothing",
            )
            .bind(new_id())
            .bind(agency_id)
            .bind(alert_type.as_str())
            .bind(severity.as_str())
            .bind(title)
            .bind(description)
            .bind(Json(serde_json::json!([])))
            .bind(dedupe_key)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Resolve the open alert of a condition that no longer holds.
    pub async fn resolve_condition_alert(
        &self,
        agency_id: Uuid,
        dedupe_key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(&format!(
                "update alert set status = 'resolved', closed_at = $3, snoozed_until = null, updated_at = $3 \
                 where agency_id = $1 and dedupe_key = $2 and status in {OPEN_STATUSES}"
            ))
            .bind(agency_id)
            .bind(dedupe_key)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
