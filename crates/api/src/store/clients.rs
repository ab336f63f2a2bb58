//! Clients: create, read one, and what a client's response carries (owner, collaborators, labels, task
//! counts), plus the stored, explainable health. Every read takes the caller's agency and, for Members,
//! their user id (`scope`): a client they may not see is `NotFound`, like another agency's.

use crate::store::BeginWrite;
use audienceos_shared::clients::{Health, HealthReason, HealthThresholds};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::sql::{placeholders, scope_condition};
use super::{new_id, on_db, Store, StoreError, StoreResult};
use crate::client_health::{assess, HealthInputs};

pub mod list;
pub mod ops;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage_id: Uuid,
    pub stage_name: String,
    pub stage_position: i32,
    pub stage_entered_at: DateTime<Utc>,
    pub health: String,
    pub health_reasons: Json<Vec<HealthReason>>,
    pub install_date: Option<NaiveDate>,
    pub total_spend_cents: i64,
    pub lifetime_value_cents: i64,
    pub due_date: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
    pub owner_first_name: Option<String>,
    pub owner_last_name: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The columns of `ClientRow` (aliases `c` client, `s` stage, `o` owner), for `select` lists of our own.
macro_rules! client_columns {
    () => {
        "c.id, c.agency_id, c.name, c.contact_name, c.contact_email, c.website, \
    c.stage_id, s.name as stage_name, s.position as stage_position, c.stage_entered_at, c.health, c.health_reasons, \
    c.install_date, c.total_spend_cents, c.lifetime_value_cents, c.due_date, c.owner_id, \
    o.first_name as owner_first_name, o.last_name as owner_last_name, c.archived_at, c.last_activity_at, \
    c.created_at, c.updated_at"
    };
}
pub(crate) use client_columns;

/// The joins `client_columns!` reads from.
pub const CLIENT_FROM: &str =
    "from client c join pipeline_stage s on s.id = c.stage_id left join app_user o on o.id = c.owner_id";

/// The columns of `ClientRow`, for queries that filter and sort clients in their own way.
pub const CLIENT_SELECT: &str = concat!(
    "select ",
    client_columns!(),
    " from client c join pipeline_stage s on s.id = c.stage_id left join app_user o on o.id = c.owner_id"
);

/// A new client as the store writes it (already validated and normalised).
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage_id: Uuid,
    pub install_date: Option<NaiveDate>,
    pub total_spend_cents: i64,
    pub lifetime_value_cents: i64,
    pub due_date: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
    pub label_ids: Vec<Uuid>,
}

/// Lower-cased text the list's search matches.
pub fn search_text(
    name: &str,
    contact_name: Option<&str>,
    contact_email: Option<&str>,
    website: Option<&str>,
) -> String {
    [Some(name), contact_name, contact_email, website]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The key the list sorts names by (`client.name_sort`): every write of `client.name` sets it.
pub fn name_sort(name: &str) -> String {
    name.to_lowercase()
}

/// The lower-cased contact email, the key of CSV upserts.
pub fn email_key(email: Option<&str>) -> Option<String> {
    email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonOfClient {
    pub client_id: Uuid,
    pub user_id: Uuid,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LabelOfClient {
    pub client_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskCounts {
    pub client_id: Uuid,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
}

/// What a client's response carries besides its own row, for a batch of clients.
#[derive(Debug, Default)]
pub struct ClientExtras {
    pub collaborators: Vec<PersonOfClient>,
    pub labels: Vec<LabelOfClient>,
    pub task_counts: Vec<TaskCounts>,
}

impl Store {
    /// Create a client in its stage, with its first stage event, owner and labels, in one transaction.
    /// Unknown stage, owner or label ids of the agency are `NotFound` (the route checks them first).
    pub async fn insert_client(
        &self,
        agency_id: Uuid,
        actor: Option<Uuid>,
        c: &NewClient,
        now: DateTime<Utc>,
    ) -> StoreResult<Uuid> {
        let id = new_id();
        let email_norm = email_key(c.contact_email.as_deref());
        let search = search_text(
            &c.name,
            c.contact_name.as_deref(),
            c.contact_email.as_deref(),
            c.website.as_deref(),
        );
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let stage_name: String =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(c.stage_id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "insert into client (id, agency_id, name, contact_name, contact_email, contact_email_norm, website, search_text, \
                 stage_id, stage_entered_at, install_date, total_spend_cents, lifetime_value_cents, due_date, owner_id, \
                 last_activity_at, created_at, updated_at, name_sort) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $10, $10, $10, $16)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(&c.name)
            .bind(&c.contact_name)
            .bind(&c.contact_email)
            .bind(&email_norm)
            .bind(&c.website)
            .bind(&search)
            .bind(c.stage_id)
            .bind(now)
            .bind(c.install_date)
            .bind(c.total_spend_cents)
            .bind(c.lifetime_value_cents)
            .bind(c.due_date)
            .bind(c.owner_id)
            .bind(name_sort(&c.name))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, moved_by, moved_at, note, created_at) \
                 values ($1, $2, $3, null, null, $4, $5, $6, $7, null, $7)",
            )
            .bind(new_id())
            .bind(agency_id)
            .bind(id)
            .bind(c.stage_id)
            .bind(&stage_name)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for label_id in &c.label_ids {
                let n = sqlx::query(
                    "insert into client_label (client_id, label_id, agency_id, created_at) \
                     select $1, l.id, l.agency_id, $4 from label l where l.agency_id = $2 and l.id = $3",
                )
                .bind(id)
                .bind(agency_id)
                .bind(label_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// One client the caller may see.
    pub async fn get_client(&self, agency_id: Uuid, scope: Option<Uuid>, id: Uuid) -> StoreResult<ClientRow> {
        let sql = format!(
            "{CLIENT_SELECT} where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(scope)
            .fetch_one(pool)
            .await?))
    }

    /// `NotFound` unless the caller may see this client. For routes about things hanging off a client.
    pub async fn check_client_visible(&self, agency_id: Uuid, scope: Option<Uuid>, id: Uuid) -> StoreResult<()> {
        let sql = format!(
            "select count(*) from client c where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(scope)
            .fetch_one(pool)
            .await?);
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Collaborators, labels and task counts of these clients (all of one agency).
    pub async fn client_extras(&self, agency_id: Uuid, ids: &[Uuid], today: NaiveDate) -> StoreResult<ClientExtras> {
        if ids.is_empty() {
            return Ok(ClientExtras::default());
        }
        let list = placeholders(2, ids.len());
        let collab_sql = format!(
            "select cc.client_id, u.id as user_id, u.first_name, u.last_name from client_collaborator cc \
             join app_user u on u.id = cc.user_id where cc.agency_id = $1 and cc.client_id in ({list}) order by u.first_name, u.last_name"
        );
        let label_sql = format!(
            "select cl.client_id, l.id, l.name, l.color from client_label cl join label l on l.id = cl.label_id \
             where cl.agency_id = $1 and cl.client_id in ({list}) order by l.name"
        );
        let n = ids.len() + 2;
        let task_sql = format!(
            "select t.client_id, count(*) as open_tasks, \
             sum(case when t.due_date is not null and t.due_date < ${n} then 1 else 0 end) as overdue_tasks \
             from task t where t.agency_id = $1 and t.done_at is null and t.client_id in ({list}) group by t.client_id"
        );
        Ok(on_db!(&self.db, |pool| {
            let mut q1 = sqlx::query_as(&collab_sql).bind(agency_id);
            let mut q2 = sqlx::query_as(&label_sql).bind(agency_id);
            let mut q3 = sqlx::query_as::<_, TaskCountsRaw>(&task_sql).bind(agency_id);
            for id in ids {
                q1 = q1.bind(*id);
                q2 = q2.bind(*id);
                q3 = q3.bind(*id);
            }
            q3 = q3.bind(today);
            ClientExtras {
                collaborators: q1.fetch_all(pool).await?,
                labels: q2.fetch_all(pool).await?,
                task_counts: q3
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(|r| TaskCounts {
                        client_id: r.client_id,
                        open_tasks: r.open_tasks,
                        overdue_tasks: r.overdue_tasks.unwrap_or(0),
                    })
                    .collect(),
            }
        }))
    }

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
                and a.alert_type <> 'stage_overdue' and a.alert_type <> 'overdue_tasks') as critical_alerts \
             from client c join pipeline_stage s on s.id = c.stage_id \
             where c.agency_id = $1 and c.archived_at is null and ($3 is null or c.id = $3)"
        )
        .bind(agency_id)
        .bind(today)
        .bind(only_client)
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

    /// Every agency id, for jobs that sweep all tenants.
    pub async fn agency_ids(&self) -> StoreResult<Vec<Uuid>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select id from agency order by id"
        )
        .fetch_all(pool)
        .await?))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct TaskCountsRaw {
    client_id: Uuid,
    open_tasks: i64,
    overdue_tasks: Option<i64>,
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
}

fn assess_row(t: HealthThresholds, r: &HealthRow, now: DateTime<Utc>) -> (Health, Vec<HealthReason>) {
    assess(
        t,
        &HealthInputs {
            stage_name: &r.stage_name,
            days_in_stage: days_between(r.stage_entered_at, now),
            overdue_tasks: r.overdue_tasks,
            unanswered_messages: 0,
            critical_alerts: r.critical_alerts,
        },
    )
}

/// Whole days from `from` to `now`, never negative.
pub fn days_between(from: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - from).num_days().max(0)
}
