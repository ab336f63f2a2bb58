//! Tasks on a client: the HTTP surface of `services::tasks`.

use actix_web::{web, HttpResponse};
use audienceos_shared::client_work::{CreateTaskRequest, Task, UpdateTaskRequest};
use audienceos_shared::tasks::{TaskListItem, TaskListQuery};
use audienceos_shared::{Page, Problem};
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::services::tasks;
use crate::state::AppState;

/// List the agency's tasks
///
/// Tasks of active clients the caller can see. Open tasks (the default `status`) come soonest due first,
/// those without a due date last; done tasks come most recently completed first. `status=open&due=overdue`
/// is what the dashboard's "Overdue tasks" card counts, and `status=open` its "Open tasks".
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskListQuery),
    responses((status = 200, body = Page<TaskListItem>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_agency_tasks(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<TaskListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(tasks::list_agency(&state, &me, q.into_inner()).await?))
}

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
    Ok(HttpResponse::Ok().json(tasks::list(&state, &me, id.into_inner()).await?))
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
    body: Json<CreateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let task = tasks::create(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(task))
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
    body: Json<UpdateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, task_id) = path.into_inner();
    let task = tasks::update(&state, &me, client_id, task_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(task))
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
    tasks::delete(&state, &me, client_id, task_id).await?;
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
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, task_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(tasks::set_done(&state, &me, client_id, task_id, true).await?))
}

/// Reopen a task
///
/// Clears who completed it and when. Reopening an open task changes nothing.
#[utoipa::path(post, path = "/api/v1/clients/{id}/tasks/{task_id}/reopen", tag = "tasks",
    params(("id" = Uuid, Path, description = "Client id"), ("task_id" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = Task), (status = 404, body = Problem)))]
pub async fn reopen_task(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, task_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(tasks::set_done(&state, &me, client_id, task_id, false).await?))
}
