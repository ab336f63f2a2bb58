//! Tasks on a client, ordered by `position` (0-based, dense). Every write first touches the client's
//! `last_activity_at` in its transaction: that row lock serialises concurrent task writes on one client
//! (Postgres), so positions stay dense; SQLite serialises writers anyway.

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::sql::{found, like_pattern, scope_condition, touch_client};
use super::{new_id, on_db, Store, StoreError, StoreResult};
use crate::domain::tenant::Tenant;
use audienceos_shared::tasks::{TaskDue, TaskStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub assignee_first_name: Option<String>,
    pub assignee_last_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    pub done_by_first_name: Option<String>,
    pub done_by_last_name: Option<String>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The task columns, with the assignee's and completer's names.
macro_rules! task_columns {
    () => {
        "t.id, t.client_id, t.title, t.description, t.assignee_id, \
         a.first_name as assignee_first_name, a.last_name as assignee_last_name, t.due_date, t.done_at, t.done_by, \
         d.first_name as done_by_first_name, d.last_name as done_by_last_name, t.position, t.created_at, t.updated_at"
    };
}
macro_rules! task_from {
    () => {
        "from task t left join app_user a on a.id = t.assignee_id left join app_user d on d.id = t.done_by"
    };
}
const SELECT: &str = concat!("select ", task_columns!(), " ", task_from!());

/// A new task (validated).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
}

/// The writable fields of a task after a PATCH was applied to it.
#[derive(Debug, Clone)]
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    /// Wanted position; clamped to the list.
    pub position: i32,
}

#[derive(Debug, sqlx::FromRow)]
struct Slot {
    id: Uuid,
    position: i32,
}

/// Where each task goes when `moved` is put at `to` (clamped): `(id, new position)` of every task whose
/// position changes. Positions are renumbered 0.. in order, so gaps left by old bugs heal too.
fn reorder(mut ids: Vec<Slot>, moved: Option<(Uuid, i32)>) -> Vec<(Uuid, i32)> {
    let mut order: Vec<Uuid> = ids.iter().map(|s| s.id).collect();
    if let Some((id, to)) = moved {
        order.retain(|x| *x != id);
        let to = usize::try_from(to.max(0)).unwrap_or(0).min(order.len());
        order.insert(to, id);
    }
    ids.sort_by_key(|s| s.id);
    order
        .into_iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let pos = i32::try_from(i).ok()?;
            let old = ids.binary_search_by_key(&id, |s| s.id).ok().map(|k| ids[k].position);
            (old != Some(pos)).then_some((id, pos))
        })
        .collect()
}

const SLOTS: &str =
    "select id, position from task where agency_id = $1 and client_id = $2 order by position, created_at, id";
const SET_POSITION: &str = "update task set position = $1 where agency_id = $2 and id = $3";

impl Store {
    /// A client's tasks in their order.
    pub async fn list_tasks(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<Vec<TaskRow>> {
        let sql =
            format!("{SELECT} where t.agency_id = $1 and t.client_id = $2 order by t.position, t.created_at, t.id");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .fetch_all(pool)
            .await?))
    }

    pub async fn get_task(&self, agency_id: Uuid, client_id: Uuid, id: Uuid) -> StoreResult<TaskRow> {
        let sql = format!("{SELECT} where t.agency_id = $1 and t.client_id = $2 and t.id = $3");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Add a task at the end of the client's list.
    pub async fn insert_task(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        t: &NewTask,
        now: DateTime<Utc>,
    ) -> StoreResult<TaskRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = touch_client!(tx, now, agency_id, client_id).await?.rows_affected();
            found(n)?;
            let count: i64 = sqlx::query_scalar("select count(*) from task where agency_id = $1 and client_id = $2")
                .bind(agency_id)
                .bind(client_id)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "insert into task (id, agency_id, client_id, title, description, assignee_id, due_date, done_at, done_by, position, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, null, null, $8, $9, $9)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(client_id)
            .bind(&t.title)
            .bind(&t.description)
            .bind(t.assignee_id)
            .bind(t.due_date)
            .bind(i32::try_from(count).unwrap_or(i32::MAX))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.get_task(agency_id, client_id, id).await
    }

    /// Write a task's fields; a new position moves it and renumbers the others, in one transaction.
    pub async fn update_task(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        id: Uuid,
        f: &TaskFields,
        now: DateTime<Utc>,
    ) -> StoreResult<TaskRow> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let n = sqlx::query(
                "update task set title = $1, description = $2, assignee_id = $3, due_date = $4, updated_at = $5 \
                 where agency_id = $6 and client_id = $7 and id = $8",
            )
            .bind(&f.title)
            .bind(&f.description)
            .bind(f.assignee_id)
            .bind(f.due_date)
            .bind(now)
            .bind(agency_id)
            .bind(client_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            found(n)?;
            let slots: Vec<Slot> = sqlx::query_as(SLOTS)
                .bind(agency_id)
                .bind(client_id)
                .fetch_all(&mut *tx)
                .await?;
            for (task_id, pos) in reorder(slots, Some((id, f.position))) {
                sqlx::query(SET_POSITION)
                    .bind(pos)
                    .bind(agency_id)
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.get_task(agency_id, client_id, id).await
    }

    /// Delete a task and close the gap it leaves.
    pub async fn delete_task(&self, agency_id: Uuid, client_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let n = sqlx::query("delete from task where agency_id = $1 and client_id = $2 and id = $3")
                .bind(agency_id)
                .bind(client_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            found(n)?;
            let slots: Vec<Slot> = sqlx::query_as(SLOTS)
                .bind(agency_id)
                .bind(client_id)
                .fetch_all(&mut *tx)
                .await?;
            for (task_id, pos) in reorder(slots, None) {
                sqlx::query(SET_POSITION)
                    .bind(pos)
                    .bind(agency_id)
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Mark a task done (`done_by` = `actor`) or open again. Idempotent: completing a done task keeps
    /// who completed it and when.
    pub async fn set_task_done(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        id: Uuid,
        done: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<TaskRow> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let exists: i64 =
                sqlx::query_scalar("select count(*) from task where agency_id = $1 and client_id = $2 and id = $3")
                    .bind(agency_id)
                    .bind(client_id)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if exists == 0 {
                return Err(StoreError::NotFound);
            }
            match done {
                Some(actor) => {
                    sqlx::query(
                        "update task set done_at = $1, done_by = $2, updated_at = $1 \
                         where agency_id = $3 and client_id = $4 and id = $5 and done_at is null",
                    )
                    .bind(now)
                    .bind(actor)
                    .bind(agency_id)
                    .bind(client_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "update task set done_at = null, done_by = null, updated_at = $1 \
                         where agency_id = $2 and client_id = $3 and id = $4 and done_at is not null",
                    )
                    .bind(now)
                    .bind(agency_id)
                    .bind(client_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        });
        self.get_task(agency_id, client_id, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(n: usize) -> (Vec<Uuid>, Vec<Slot>) {
        let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
        let slots = ids
            .iter()
            .enumerate()
            .map(|(i, id)| Slot {
                id: *id,
                position: i as i32,
            })
            .collect();
        (ids, slots)
    }

    #[test]
    fn moving_up_and_down_renumbers_only_what_changes() {
        let (ids, s) = slots(4);
        assert_eq!(
            reorder(s, Some((ids[3], 1))),
            vec![(ids[3], 1), (ids[1], 2), (ids[2], 3)]
        );
        let (ids, s) = slots(4);
        assert_eq!(
            reorder(s, Some((ids[0], 99))),
            vec![(ids[1], 0), (ids[2], 1), (ids[3], 2), (ids[0], 3)]
        );
        let (ids, s) = slots(3);
        assert!(reorder(s, Some((ids[1], 1))).is_empty());
    }

    #[test]
    fn gaps_close() {
        let (ids, mut s) = slots(3);
        s.remove(1);
        assert_eq!(reorder(s, None), vec![(ids[2], 1)]);
    }
}

/// A task with its client's name, for the agency's task list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyTaskRow {
    #[sqlx(flatten)]
    pub task: TaskRow,
    pub client_name: String,
}

/// Which tasks of the agency's task list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub status: TaskStatus,
    /// `Some(None)` for unassigned tasks.
    pub assignee: Option<Option<Uuid>>,
    pub due: Option<TaskDue>,
    pub client_id: Option<Uuid>,
    pub q: Option<String>,
}

/// Where a page of the task list ends: open tasks by due date (none last), done ones by completion, newest
/// first; the id breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum TaskCursor {
    Due(NaiveDate, Uuid),
    Done(DateTime<Utc>, Uuid),
}

/// Later than any due date, so tasks without one sort last.
fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

impl Store {
    /// A page of the tasks of active clients in the tenant's scope, with the cursor of the next page.
    /// `today` is the agency's day, for the due filter. The service checks that a cursor matches the
    /// ordering of `f.status` before it gets here.
    pub async fn list_agency_tasks(
        &self,
        tenant: Tenant,
        f: &TaskFilter,
        today: NaiveDate,
        limit: u32,
        after: Option<TaskCursor>,
    ) -> StoreResult<(Vec<AgencyTaskRow>, Option<TaskCursor>)> {
        let (agency_id, scope) = tenant.parts();
        let by_done = f.status == TaskStatus::Done;
        let mut wh = vec![
            "t.agency_id = $1".to_string(),
            "c.archived_at is null".to_string(),
            scope_condition(2),
            "($6 is null or t.client_id = $6)".to_string(),
            "($7 is null or lower(t.title) like $7 escape '\\')".to_string(),
        ];
        match f.status {
            TaskStatus::Open => wh.push("t.done_at is null".into()),
            TaskStatus::Done => wh.push("t.done_at is not null".into()),
            TaskStatus::All => {}
        }
        match f.assignee {
            Some(Some(_)) => wh.push("t.assignee_id = $5".into()),
            Some(None) => wh.push("t.assignee_id is null".into()),
            None => {}
        }
        if let Some(due) = f.due {
            wh.push(
                match due {
                    TaskDue::Overdue => "t.due_date < $3",
                    TaskDue::Today => "t.due_date = $3",
                    TaskDue::Week => "t.due_date > $3 and t.due_date < $4",
                    TaskDue::Later => "t.due_date >= $4",
                    TaskDue::None => "t.due_date is null",
                }
                .into(),
            );
        }
        let (key, order) = if by_done {
            ("t.done_at", "t.done_at desc, t.id desc")
        } else {
            ("coalesce(t.due_date, $8)", "coalesce(t.due_date, $8), t.id")
        };
        if after.is_some() {
            let cmp = if by_done { "<" } else { ">" };
            wh.push(format!("({key} {cmp} $9 or ({key} = $9 and t.id {cmp} $10))"));
        }
        let sql = format!(
            "select c.name as client_name, {} {} join client c on c.id = t.client_id where {} order by {order} limit $11",
            task_columns!(),
            task_from!(),
            wh.join(" and ")
        );
        let (after_due, after_done, after_id) = match after {
            Some(TaskCursor::Due(d, id)) => (Some(d), None, Some(id)),
            Some(TaskCursor::Done(at, id)) => (None, Some(at), Some(id)),
            None => (None, None, None),
        };
        let rows: Vec<AgencyTaskRow> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql)
                .bind(agency_id)
                .bind(scope)
                .bind(today)
                .bind(today + chrono::Duration::days(7))
                .bind(f.assignee.flatten())
                .bind(f.client_id)
                .bind(f.q.as_deref().map(like_pattern))
                .bind(no_due_date());
            let q = if by_done { q.bind(after_done) } else { q.bind(after_due) };
            q.bind(after_id).bind(i64::from(limit) + 1).fetch_all(pool).await?
        });
        let mut rows = rows;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| match by_done {
                true => TaskCursor::Done(r.task.done_at.unwrap_or_default(), r.task.id),
                false => TaskCursor::Due(r.task.due_date.unwrap_or_else(no_due_date), r.task.id),
            })
        } else {
            None
        };
        Ok((rows, next))
    }
}
