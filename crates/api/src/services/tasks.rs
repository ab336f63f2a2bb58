//! Tasks on a client: list in order, create (last), change (fields and position), delete, complete and
//! reopen. Overdue tasks count against the client's health, so every change refreshes it.

use audienceos_shared::alerts::ClientRef;
use audienceos_shared::client_work::{CreateTaskRequest, Task, UpdateTaskRequest};
use audienceos_shared::pagination::page_limit;
use audienceos_shared::tasks::{AssigneeFilter, TaskListItem, TaskListQuery, TaskStatus};
use audienceos_shared::Page;
use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::team::user_ref;
use crate::domain::text::clean;
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::services::team::check_member;
use crate::state::AppState;
use crate::store::cursor;
use crate::store::tasks::{NewTask, TaskCursor, TaskFields, TaskFilter, TaskRow};

/// A client's tasks in their order, open and done alike.
pub async fn list(state: &AppState, me: &Identity, client_id: Uuid) -> Result<Vec<Task>, ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let today = today(state);
    let rows = state.store.list_tasks(me.agency_id, client_id).await?;
    Ok(rows.into_iter().map(|r| to_dto(r, today)).collect())
}

/// A page of the agency's task list (tasks of active clients the caller can see).
pub async fn list_agency(state: &AppState, me: &Identity, q: TaskListQuery) -> Result<Page<TaskListItem>, ApiError> {
    validate(&q)?;
    let assignee = match q.assignee.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match AssigneeFilter::parse(s) {
            Some(AssigneeFilter::Me) => Some(Some(me.user_id)),
            Some(AssigneeFilter::Unassigned) => Some(None),
            Some(AssigneeFilter::Member(id)) => Some(Some(id)),
            None => {
                return Err(ApiError::field(
                    "assignee",
                    "unknown",
                    "must be me, none or a member id",
                ))
            }
        },
    };
    let status = q.status.unwrap_or_default();
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match (cursor::unpack::<TaskCursor>(c), status) {
            (Some(TaskCursor::Done(..)), TaskStatus::Done) => cursor::unpack(c),
            (Some(TaskCursor::Due(..)), TaskStatus::Open | TaskStatus::All) => cursor::unpack(c),
            _ => {
                return Err(ApiError::new(
                    Code::InvalidQuery,
                    "The cursor is malformed or belongs to another status.",
                ))
            }
        },
    };
    let filter = TaskFilter {
        status,
        assignee,
        due: q.due,
        client_id: q.client_id,
        q: clean(q.q),
    };
    let today = today(state);
    let (rows, next) = state
        .store
        .list_agency_tasks(me.tenant(), &filter, today, page_limit(q.limit), after)
        .await?;
    let items = rows
        .into_iter()
        .map(|r| TaskListItem {
            client: ClientRef {
                id: r.task.client_id,
                name: r.client_name,
            },
            task: to_dto(r.task, today),
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: next.as_ref().map(cursor::pack),
    })
}

/// Create a task, last; the assignee must be an active member of the agency.
pub async fn create(
    state: &AppState,
    me: &Identity,
    client_id: Uuid,
    mut body: CreateTaskRequest,
) -> Result<Task, ApiError> {
    body.title = body.title.trim().to_string();
    body.description = clean(body.description.take());
    validate(&body)?;
    state.store.check_client_visible(me.tenant(), client_id).await?;
    if let Some(assignee) = body.assignee_id {
        check_member(state, me.agency_id, assignee, "assignee_id").await?;
    }
    let now = state.now();
    let row = state
        .store
        .insert_task(
            me.agency_id,
            client_id,
            &NewTask {
                title: body.title,
                description: body.description,
                assignee_id: body.assignee_id,
                due_date: body.due_date,
            },
            now,
        )
        .await?;
    state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    Audit::by(me, "task.created")
        .client(client_id)
        .meta(json!({ "task_id": row.id }))
        .record(state)
        .await;
    Ok(to_dto(row, now.date_naive()))
}

/// Change a task: an absent field is left alone, `null` clears it; a new position renumbers the others.
pub async fn update(
    state: &AppState,
    me: &Identity,
    client_id: Uuid,
    task_id: Uuid,
    mut body: UpdateTaskRequest,
) -> Result<Task, ApiError> {
    body.title = body.title.map(|t| t.trim().to_string());
    body.description = body.description.map(clean);
    validate(&body)?;
    let current = visible_task(state, me, client_id, task_id).await?;
    if let Some(Some(assignee)) = body.assignee_id {
        if current.assignee_id != Some(assignee) {
            check_member(state, me.agency_id, assignee, "assignee_id").await?;
        }
    }
    let fields = TaskFields {
        title: body.title.clone().unwrap_or(current.title),
        description: body.description.clone().unwrap_or(current.description),
        assignee_id: body.assignee_id.unwrap_or(current.assignee_id),
        due_date: body.due_date.unwrap_or(current.due_date),
        position: body.position.unwrap_or(current.position),
    };
    let now = state.now();
    let row = state
        .store
        .update_task(me.agency_id, client_id, task_id, &fields, now)
        .await?;
    state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    let changed: Vec<&str> = [
        ("title", body.title.is_some()),
        ("description", body.description.is_some()),
        ("assignee_id", body.assignee_id.is_some()),
        ("due_date", body.due_date.is_some()),
        ("position", body.position.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    Audit::by(me, "task.updated")
        .client(client_id)
        .meta(json!({ "task_id": task_id, "fields": changed }))
        .record(state)
        .await;
    Ok(to_dto(row, now.date_naive()))
}

/// Delete a task.
pub async fn delete(state: &AppState, me: &Identity, client_id: Uuid, task_id: Uuid) -> Result<(), ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let now = state.now();
    state.store.delete_task(me.agency_id, client_id, task_id, now).await?;
    state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    Audit::by(me, "task.deleted")
        .client(client_id)
        .meta(json!({ "task_id": task_id }))
        .record(state)
        .await;
    Ok(())
}

/// Complete (`done`) or reopen a task; a task already so changes nothing.
pub async fn set_done(
    state: &AppState,
    me: &Identity,
    client_id: Uuid,
    task_id: Uuid,
    done: bool,
) -> Result<Task, ApiError> {
    let current = visible_task(state, me, client_id, task_id).await?;
    let now = state.now();
    if current.done_at.is_some() == done {
        return Ok(to_dto(current, now.date_naive()));
    }
    let row = state
        .store
        .set_task_done(me.agency_id, client_id, task_id, done.then_some(me.user_id), now)
        .await?;
    state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    let action = if done { "task.completed" } else { "task.reopened" };
    Audit::by(me, action)
        .client(client_id)
        .meta(json!({ "task_id": task_id }))
        .record(state)
        .await;
    Ok(to_dto(row, now.date_naive()))
}

async fn visible_task(state: &AppState, me: &Identity, client_id: Uuid, task_id: Uuid) -> Result<TaskRow, ApiError> {
    state.store.check_client_visible(me.tenant(), client_id).await?;
    Ok(state.store.get_task(me.agency_id, client_id, task_id).await?)
}

/// Today for the overdue flag: the UTC date of the app clock (agency time zones come later).
fn today(state: &AppState) -> NaiveDate {
    state.now().date_naive()
}

/// Open and due before `today`.
pub fn is_overdue(done: bool, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    !done && due.is_some_and(|d| d < today)
}

fn to_dto(r: TaskRow, today: NaiveDate) -> Task {
    Task {
        id: r.id,
        client_id: r.client_id,
        overdue: is_overdue(r.done_at.is_some(), r.due_date, today),
        title: r.title,
        description: r.description,
        assignee: user_ref(r.assignee_id, r.assignee_first_name, r.assignee_last_name),
        due_date: r.due_date,
        done_at: r.done_at,
        done_by: user_ref(r.done_by, r.done_by_first_name, r.done_by_last_name),
        position: r.position,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}
