//! Tasks on a client: list in order, create (last), change (fields and position), delete, complete and
//! reopen. Overdue tasks count against the client's health, so every change refreshes it.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::client_work::{CreateTaskRequest, Task, UpdateTaskRequest};
use audienceos_shared::Problem;
use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::{Authorized, Identity};
use crate::domain::team::user_ref;
use crate::domain::text::clean;
use crate::error::{validate, ApiError};
use crate::services::audit::Audit;
use crate::services::team::check_member;
use crate::state::AppState;
use crate::store::tasks::{NewTask, TaskFields, TaskRow};

/// List a client's tasks
///
/// In their order (`position`), open and done alike.
#[utoipa::path(get, path = "/api/v1/clients/{id}/tasks", tag = "tasks",
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Vec<Task>), (status = 404, body = Problem)))]
pub async fn list_tasks(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let today = today(&state);
    let rows = state.store.list_tasks(me.agency_id, client_id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(|r| to_dto(r, today)).collect::<Vec<_>>()))
}

/// Create a task
///
/// It goes last. The assignee must be an active member of the agency (`422` on `assignee_id`).
#[utoipa::path(post, path = "/api/v1/clients/{id}/tasks", tag = "tasks", request_body = CreateTaskRequest,
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 201, body = Task), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_task(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<CreateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.title = body.title.trim().to_string();
    body.description = clean(body.description.take());
    validate(&body)?;
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    if let Some(assignee) = body.assignee_id {
        check_member(&state, me.agency_id, assignee, "assignee_id").await?;
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
    Audit::by(&me, "task.created")
        .client(client_id)
        .meta(json!({ "task_id": row.id }))
        .record(&state)
        .await;
    Ok(HttpResponse::Created().json(to_dto(row, now.date_naive())))
}

/// Change a task
///
/// An absent field is left alone, `null` clears it. A new `position` moves the task there (clamped to
/// the list) and renumbers the others.
#[utoipa::path(patch, path = "/api/v1/clients/{id}/tasks/{task_id}", tag = "tasks", request_body = UpdateTaskRequest,
    params(("id" = Uuid, Path, description = "Client id"), ("task_id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = Task), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_task(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.title = body.title.map(|t| t.trim().to_string());
    body.description = body.description.map(clean);
    validate(&body)?;
    let (client_id, task_id) = path.into_inner();
    let current = visible_task(&state, &me, client_id, task_id).await?;
    if let Some(Some(assignee)) = body.assignee_id {
        if current.assignee_id != Some(assignee) {
            check_member(&state, me.agency_id, assignee, "assignee_id").await?;
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
    Audit::by(&me, "task.updated")
        .client(client_id)
        .meta(json!({ "task_id": task_id, "fields": changed }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(to_dto(row, now.date_naive())))
}

/// Delete a task
#[utoipa::path(delete, path = "/api/v1/clients/{id}/tasks/{task_id}", tag = "tasks",
    params(("id" = Uuid, Path, description = "Client id"), ("task_id" = Uuid, Path, description = "Task id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem)))]
pub async fn delete_task(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, task_id) = path.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let now = state.now();
    state.store.delete_task(me.agency_id, client_id, task_id, now).await?;
    state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    Audit::by(&me, "task.deleted")
        .client(client_id)
        .meta(json!({ "task_id": task_id }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// Complete a task
///
/// Records who completed it and when. Completing a done task changes nothing.
#[utoipa::path(post, path = "/api/v1/clients/{id}/tasks/{task_id}/complete", tag = "tasks",
    params(("id" = Uuid, Path, description = "Client id"), ("task_id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = Task), (status = 404, body = Problem)))]
pub async fn complete_task(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    set_done(&state, &req, &me, path.into_inner(), true).await
}

/// Reopen a task
///
/// Clears who completed it and when. Reopening an open task changes nothing.
#[utoipa::path(post, path = "/api/v1/clients/{id}/tasks/{task_id}/reopen", tag = "tasks",
    params(("id" = Uuid, Path, description = "Client id"), ("task_id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = Task), (status = 404, body = Problem)))]
pub async fn reopen_task(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    set_done(&state, &req, &me, path.into_inner(), false).await
}

async fn set_done(
    state: &AppState,
    _req: &HttpRequest,
    me: &Identity,
    (client_id, task_id): (Uuid, Uuid),
    done: bool,
) -> Result<HttpResponse, ApiError> {
    let current = visible_task(state, me, client_id, task_id).await?;
    let now = state.now();
    if current.done_at.is_some() == done {
        return Ok(HttpResponse::Ok().json(to_dto(current, now.date_naive())));
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
    Ok(HttpResponse::Ok().json(to_dto(row, now.date_naive())))
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
