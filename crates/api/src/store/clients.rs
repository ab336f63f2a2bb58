//! Clients: what a client row is, read one, and what a client's response carries (owner, collaborators,
//! labels, task counts). Every read takes the caller's agency and, for Members, their user id (`scope`): a
//! client they may not see is `NotFound`, like another agency's. The submodules write clients and read
//! the list: `list` (search, filters, sort, keyset pages, export), `edit` (create, patch, archive,
//! delete), `stage_moves` (moves and stage history), `people` (owner, collaborators), `import` (the CSV
//! import's upsert) and `health`.

use audienceos_shared::clients::HealthReason;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::tenant::Tenant;

use super::sql::{placeholders, scope_condition};
use super::{on_db, Db, Store, StoreError, StoreResult};

pub mod edit;
pub mod health;
pub mod import;
pub mod list;
pub mod people;
pub mod stage_moves;

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

/// A stage event of a move or an import: `$1` id, `$2` agency, `$3` client, `$4`/`$5` from stage id and
/// name, `$6`/`$7` to stage id and name, `$8` mover, `$9` time (also `created_at`), `$10` note.
const INSERT_EVENT: &str =
    "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, \
    to_stage_name, moved_by, moved_at, note, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)";

impl Store {
    /// One client the caller may see.
    pub async fn get_client(&self, tenant: Tenant, id: Uuid) -> StoreResult<ClientRow> {
        let (agency_id, scope) = tenant.parts();
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
    pub async fn check_client_visible(&self, tenant: Tenant, id: Uuid) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
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

    /// Collaborators, labels and task counts of these clients (all of one agency), on one connection.
    ///
    /// Postgres gets the ids as one `uuid[]` (`= any($2)`), so the three statements keep one text and one
    /// generic plan whatever the page size; SQLite, which has no arrays, gets an `in (...)` list (its
    /// statements are cheap to prepare and cached per length).
    pub async fn client_extras(&self, agency_id: Uuid, ids: &[Uuid], today: NaiveDate) -> StoreResult<ClientExtras> {
        if ids.is_empty() {
            return Ok(ClientExtras::default());
        }
        let (ids_sql, today_at) = match self.db {
            Db::Postgres(_) => ("= any($2)".to_string(), 3),
            Db::Sqlite(_) => (format!("in ({})", placeholders(2, ids.len())), ids.len() + 2),
        };
        let collab_sql = format!(
            "select cc.client_id, u.id as user_id, u.first_name, u.last_name from client_collaborator cc \
             join app_user u on u.id = cc.user_id where cc.agency_id = $1 and cc.client_id {ids_sql} order by u.first_name, u.last_name"
        );
        let label_sql = format!(
            "select cl.client_id, l.id, l.name, l.color from client_label cl join label l on l.id = cl.label_id \
             where cl.agency_id = $1 and cl.client_id {ids_sql} order by l.name"
        );
        let task_sql = format!(
            "select t.client_id, count(*) as open_tasks, \
             sum(case when t.due_date is not null and t.due_date < ${today_at} then 1 else 0 end) as overdue_tasks \
             from task t where t.agency_id = $1 and t.done_at is null and t.client_id {ids_sql} group by t.client_id"
        );
        // The three statements share one connection: one pool checkout instead of three.
        macro_rules! fetch {
            ($pool:expr, |$q:ident| $bind_ids:expr) => {{
                let mut conn = $pool.acquire().await.map_err(StoreError::from)?;
                let collaborators = {
                    let $q = sqlx::query_as(&collab_sql).bind(agency_id);
                    $bind_ids.fetch_all(&mut *conn).await?
                };
                let labels = {
                    let $q = sqlx::query_as(&label_sql).bind(agency_id);
                    $bind_ids.fetch_all(&mut *conn).await?
                };
                let counts: Vec<TaskCountsRaw> = {
                    let $q = sqlx::query_as(&task_sql).bind(agency_id);
                    $bind_ids.bind(today).fetch_all(&mut *conn).await?
                };
                (collaborators, labels, counts)
            }};
        }
        let (collaborators, labels, counts) = match &self.db {
            Db::Postgres(pool) => fetch!(pool, |q| q.bind(ids)),
            Db::Sqlite(pool) => fetch!(pool, |q| ids.iter().fold(q, |q, id| q.bind(*id))),
        };
        Ok(ClientExtras {
            collaborators,
            labels,
            task_counts: counts
                .into_iter()
                .map(|r| TaskCounts {
                    client_id: r.client_id,
                    open_tasks: r.open_tasks,
                    overdue_tasks: r.overdue_tasks.unwrap_or(0),
                })
                .collect(),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
struct TaskCountsRaw {
    client_id: Uuid,
    open_tasks: i64,
    overdue_tasks: Option<i64>,
}

/// Whole days from `from` to `now`, never negative.
pub fn days_between(from: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - from).num_days().max(0)
}
