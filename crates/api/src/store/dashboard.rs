//! The dashboard: KPI values in one round trip, daily KPI snapshots, daily trend series grouped by day in
//! SQL, and the firehose (a keyset-paginated union of alerts, stage moves, tasks due and notes).
//!
//! Day arithmetic is backend-specific (SQLite stores timestamps as RFC 3339 text, Postgres as timestamptz),
//! so the KPI average, the trend grouping and the firehose's task time are written once per backend; the
//! rest of each query is shared. All of it runs in the cross-backend tests.

use crate::domain::tenant::Tenant;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use audienceos_shared::dashboard::FirehoseKind;

use super::alerts::open_condition;
use super::sql::{placeholders, scope_condition};
use super::{cursor, on_db, Db, Store, StoreResult};

/// The KPI values at one moment.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct KpiValues {
    pub active_clients: i64,
    pub at_risk: i64,
    pub avg_days_in_stage: Option<f64>,
    pub onboarding: i64,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    pub open_alerts: i64,
}

impl KpiValues {
    /// `(key, value)` of every KPI, in card order.
    pub fn pairs(&self) -> [(&'static str, f64); 7] {
        [
            ("active_clients", self.active_clients as f64),
            ("at_risk", self.at_risk as f64),
            ("avg_days_in_stage", round1(self.avg_days_in_stage.unwrap_or(0.0))),
            ("onboarding", self.onboarding as f64),
            ("open_tasks", self.open_tasks as f64),
            ("overdue_tasks", self.overdue_tasks as f64),
            ("open_alerts", self.open_alerts as f64),
        ]
    }

    /// The snapshot's metrics JSON: `{ "active_clients": 12, ... }`.
    pub fn to_metrics(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect(),
        )
    }
}

/// One decimal.
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KpiSnapshotRow {
    pub day: NaiveDate,
    pub metrics: Json<serde_json::Value>,
}

/// One series count of one day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrendCount {
    pub series: String,
    pub day: String,
    pub n: i64,
}

/// A firehose entry before its details are fetched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FirehoseKey {
    pub kind: String,
    pub id: Uuid,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageMoveRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub from_stage_name: Option<String>,
    pub to_stage_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskDueRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub title: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub body: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Details of a firehose page, by kind.
#[derive(Debug, Default)]
pub struct FirehoseDetails {
    pub alerts: Vec<super::alerts::AlertRow>,
    pub stage_moves: Vec<StageMoveRow>,
    pub tasks: Vec<TaskDueRow>,
    pub notes: Vec<NoteRow>,
}

impl Store {
    /// Every KPI in one statement. `scope` limits it to a Member's clients. Onboarding counts the active
    /// clients in the agency's first stage (by position), whatever it is named.
    pub async fn kpi_values(&self, tenant: Tenant, now: DateTime<Utc>) -> StoreResult<KpiValues> {
        let (agency_id, scope) = tenant.parts();
        let sql = kpi_sql(&self.db, scope.is_some());
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(now)
            .bind(now.date_naive())
            .fetch_one(pool)
            .await?))
    }

    /// Write (or overwrite) the agency's snapshot of a day.
    pub async fn upsert_kpi_snapshot(
        &self,
        agency_id: Uuid,
        day: NaiveDate,
        metrics: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "insert into kpi_snapshot (agency_id, day, metrics, created_at) values ($1, $2, $3, $4) \
                 on conflict (agency_id, day) do update set metrics = excluded.metrics, created_at = excluded.created_at",
            )
            .bind(agency_id)
            .bind(day)
            .bind(Json(metrics))
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The snapshot of `day`, or the nearest earlier one.
    pub async fn kpi_snapshot_at_or_before(
        &self,
        agency_id: Uuid,
        day: NaiveDate,
    ) -> StoreResult<Option<KpiSnapshotRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select day, metrics from kpi_snapshot where agency_id = $1 and day <= $2 order by day desc limit 1"
        )
        .bind(agency_id)
        .bind(day)
        .fetch_optional(pool)
        .await?))
    }

    /// Per-day counts of new clients (`n`), stage moves (`s`), tasks completed (`t`) and alerts raised
    /// (`a`) from `from` to `to` inclusive (UTC days). Days without events are absent.
    pub async fn trend_counts(&self, tenant: Tenant, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<TrendCount>> {
        let (agency_id, scope) = tenant.parts();
        let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let end = to
            .succ_opt()
            .unwrap_or(to)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let day = |col: &str| match self.db {
            Db::Sqlite(_) => format!("substr({col}, 1, 10)"),
            Db::Postgres(_) => format!("to_char({col} at time zone 'UTC', 'YYYY-MM-DD')"),
        };
        let scope_c = scope_condition(2);
        let part = |series: &str, col: &str, from_sql: &str, extra: &str| {
            format!(
                "select '{series}' as series, {d} as day, count(*) as n from {from_sql} \
                 where x.agency_id = $1 and {col} >= $3 and {col} < $4 {extra} and {scope_c} group by {d}",
                d = day(col)
            )
        };
        let sql = [
            part("n", "x.created_at", "client x join client c on c.id = x.id", ""),
            part(
                "s",
                "x.moved_at",
                "stage_event x join client c on c.id = x.client_id",
                "and x.from_stage_id is not null",
            ),
            part("t", "x.done_at", "task x join client c on c.id = x.client_id", ""),
            part(
                "a",
                "x.created_at",
                "alert x left join client c on c.id = x.client_id",
                "",
            ),
        ]
        .join(" union all ");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?))
    }

    /// One page of the firehose, newest first: alerts (open and not snoozed, or closed in the last
    /// `recent_days`), stage moves, open tasks due today or before (at the start of the due day) and
    /// notes; only one of them with `kind`. Each branch is limited on its own index before the union is
    /// sorted.
    pub async fn firehose_page(
        &self,
        tenant: Tenant,
        now: DateTime<Utc>,
        kind: Option<FirehoseKind>,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<FirehoseKey>, Option<String>)> {
        let (agency_id, scope) = tenant.parts();
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let task_at = match self.db {
            Db::Sqlite(_) => "(x.due_date || 'T00:00:00+00:00')",
            Db::Postgres(_) => "(cast(x.due_date as timestamp) at time zone 'UTC')",
        };
        let scope_c = scope_condition(2);
        // `order_col` sorts like `at_col` but can use an index (a task's due date rather than its start).
        // `cross join` makes SQLite walk the event table's (agency, time) index first and stop at the
        // limit, instead of sorting every event of every client; Postgres plans it as the inner join it is.
        // Each branch's keyset compares plain columns, so it is a range on the branch's index.
        let keyset = |col: &str| format!("({col} < $5 or ({col} = $5 and x.id < $6))");
        let branch = |kind: &str, at_col: &str, order_col: &str, from_sql: &str, extra: &str| {
            let after = if order_col == "x.due_date" {
                "(x.due_date < $8 or (x.due_date = $8 and x.id < $9))".to_string()
            } else {
                keyset(order_col)
            };
            format!(
                "select * from (select '{kind}' as kind, x.id, {at_col} as at from {from_sql} \
                 where x.agency_id = $1 {extra} and {scope_c} and {after} \
                 order by {order_col} desc, x.id desc limit $7) as {kind}_page"
            )
        };
        let alert_open = open_condition(3).replace("a.", "x.");
        let branches = [
            branch(
                "alert",
                "x.created_at",
                "x.created_at",
                "alert x left join client c on c.id = x.client_id",
                &format!("and ({alert_open} or (x.status in ('dismissed', 'resolved') and x.closed_at >= $4))"),
            ),
            branch(
                "stage_move",
                "x.moved_at",
                "x.moved_at",
                "stage_event x cross join client c",
                "and c.id = x.client_id and x.from_stage_id is not null",
            ),
            branch(
                "task_due",
                task_at,
                "x.due_date",
                "task x cross join client c",
                "and c.id = x.client_id and x.done_at is null and x.due_date is not null and x.due_date <= $10 \
                     and c.archived_at is null",
            ),
            branch(
                "note",
                "x.created_at",
                "x.created_at",
                "note x cross join client c",
                "and c.id = x.client_id",
            ),
        ];
        let sql = format!(
            "select kind, id, at from ({}) f order by at desc, id desc limit $7",
            FirehoseKind::ALL
                .iter()
                .zip(branches)
                .filter(|(k, _)| kind.is_none_or(|wanted| wanted == **k))
                .map(|(_, b)| b)
                .collect::<Vec<_>>()
                .join(" union all ")
        );
        let recent = now - chrono::Duration::days(7);
        // A task is at the start of its due day: before `at` means due before `at`'s day, or on it (when
        // `at` is that midnight, with a smaller id; later in the day, any id, all below the max uuid).
        let task_id = if at.time() == chrono::NaiveTime::MIN {
            id
        } else {
            Uuid::max()
        };
        let task_day = at.date_naive();
        let rows: Vec<FirehoseKey> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(now)
            .bind(recent)
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .bind(task_day)
            .bind(task_id)
            .bind(now.date_naive())
            .fetch_all(pool)
            .await?);
        Ok(super::paginate(rows, limit, |r| (r.at, r.id)))
    }

    /// The details of a firehose page's entries (at most one query per kind).
    pub async fn firehose_details(&self, agency_id: Uuid, keys: &[FirehoseKey]) -> StoreResult<FirehoseDetails> {
        let ids = |kind: &str| -> Vec<Uuid> { keys.iter().filter(|k| k.kind == kind).map(|k| k.id).collect() };
        let (alert_ids, move_ids, task_ids, note_ids) = (ids("alert"), ids("stage_move"), ids("task_due"), ids("note"));
        let mut out = FirehoseDetails {
            alerts: self.alerts_by_ids(agency_id, &alert_ids).await?,
            ..Default::default()
        };
        if !move_ids.is_empty() {
            let sql = format!(
                "select x.id, x.client_id, c.name as client_name, x.from_stage_name, x.to_stage_name, u.first_name, u.last_name \
                 from stage_event x join client c on c.id = x.client_id left join app_user u on u.id = x.moved_by \
                 where x.agency_id = $1 and x.id in ({})",
                placeholders(2, move_ids.len())
            );
            out.stage_moves = fetch_by_ids(self, &sql, agency_id, &move_ids).await?;
        }
        if !task_ids.is_empty() {
            let sql = format!(
                "select x.id, x.client_id, c.name as client_name, x.title, u.first_name, u.last_name \
                 from task x join client c on c.id = x.client_id left join app_user u on u.id = x.assignee_id \
                 where x.agency_id = $1 and x.id in ({})",
                placeholders(2, task_ids.len())
            );
            out.tasks = fetch_by_ids(self, &sql, agency_id, &task_ids).await?;
        }
        if !note_ids.is_empty() {
            let sql = format!(
                "select x.id, x.client_id, c.name as client_name, x.body, u.first_name, u.last_name \
                 from note x join client c on c.id = x.client_id left join app_user u on u.id = x.author_id \
                 where x.agency_id = $1 and x.id in ({})",
                placeholders(2, note_ids.len())
            );
            out.notes = fetch_by_ids(self, &sql, agency_id, &note_ids).await?;
        }
        Ok(out)
    }
}

/// The KPI statement (`$1` agency, `$2` scope, `$3` now, `$4` today): three one-row aggregates, one scan
/// of each table. Without a scope (Managers and above) the per-row visibility test is left out, and
/// archived clients' open tasks are subtracted from the agency's (found through the few archived clients).
pub fn kpi_sql(db: &Db, scoped: bool) -> String {
    let days = match db {
        Db::Sqlite(_) => "max(0, cast(julianday($3) - julianday(c.stage_entered_at) as integer))",
        // `date_part` is double precision; `extract` is numeric since Postgres 14, about twice the cost here.
        Db::Postgres(_) => "greatest(0, floor(date_part('epoch', $3 - c.stage_entered_at) / 86400))",
    };
    let open = open_condition(3);
    let sign = if scoped { "1" } else { "t.sign" };
    let (client_scope, tasks_from, alerts_from) = if scoped {
        let sc = scope_condition(2);
        (
            format!("and {sc}"),
            format!("task t join client c on c.id = t.client_id where t.agency_id = $1 and t.done_at is null and c.archived_at is null and {sc}"),
            format!("alert a left join client c on c.id = a.client_id where a.agency_id = $1 and {open} and {sc}"),
        )
    } else {
        (
            String::new(),
            // every open task (index-only on task_agency_open_idx) minus those of archived clients
            "(select t.due_date, 1 as sign from task t where t.agency_id = $1 and t.done_at is null \
             union all select t.due_date, -1 as sign from client c join task t on t.client_id = c.id \
             where c.agency_id = $1 and c.archived_at is not null and t.done_at is null) t"
                .to_string(),
            format!("alert a where a.agency_id = $1 and {open}"),
        )
    };
    format!(
        "select k.active_clients, k.at_risk, k.avg_days_in_stage, k.onboarding, tk.open_tasks, tk.overdue_tasks, al.open_alerts \
         from (select count(*) as active_clients, \
            coalesce(sum(case when c.health in ('red', 'yellow') then 1 else 0 end), 0) as at_risk, \
            avg(cast({days} as double precision)) as avg_days_in_stage, \
            coalesce(sum(case when c.stage_id = (select s.id from pipeline_stage s where s.agency_id = $1 \
                order by s.position, s.name limit 1) then 1 else 0 end), 0) as onboarding \
            from client c where c.agency_id = $1 and c.archived_at is null {client_scope}) k, \
         (select coalesce(sum({sign}), 0) as open_tasks, \
            coalesce(sum(case when t.due_date is not null and t.due_date < $4 then {sign} else 0 end), 0) as overdue_tasks \
            from {tasks_from}) tk, \
         (select count(*) as open_alerts from {alerts_from}) al"
    )
}

async fn fetch_by_ids<T>(store: &Store, sql: &str, agency_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    Ok(on_db!(&store.db, |pool| {
        let mut q = sqlx::query_as(sql).bind(agency_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    }))
}
