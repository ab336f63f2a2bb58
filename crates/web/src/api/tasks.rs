//! `/api/v1/clients/{id}/tasks`: a client's tasks in their order; `/api/v1/tasks`: the agency's task list.

use audienceos_shared::client_work::{CreateTaskRequest, Task, UpdateTaskRequest};
use audienceos_shared::tasks::{TaskListItem, TaskListQuery};
use audienceos_shared::Page;
use uuid::Uuid;

use super::{delete, get, patch, post, post_empty, query_string, ApiResult};

/// `GET /tasks?..`: open tasks of the agency, soonest due first, unless the query says otherwise.
pub async fn list_agency_tasks(query: &TaskListQuery) -> ApiResult<Page<TaskListItem>> {
    get(&format!("/tasks{}", query_string(query))).await
}

/// `GET /clients/{id}/tasks`, by position.
pub async fn list_tasks(client: Uuid) -> ApiResult<Vec<Task>> {
    get(&format!("/clients/{client}/tasks")).await
}

/// `POST /clients/{id}/tasks`.
pub async fn create_task(client: Uuid, body: &CreateTaskRequest) -> ApiResult<Task> {
    post(&format!("/clients/{client}/tasks"), body).await
}

/// `PATCH /clients/{id}/tasks/{task_id}`.
pub async fn update_task(client: Uuid, task: Uuid, body: &UpdateTaskRequest) -> ApiResult<Task> {
    patch(&format!("/clients/{client}/tasks/{task}"), body).await
}

/// `DELETE /clients/{id}/tasks/{task_id}`.
pub async fn delete_task(client: Uuid, task: Uuid) -> ApiResult<()> {
    delete(&format!("/clients/{client}/tasks/{task}")).await
}

/// `POST /clients/{id}/tasks/{task_id}/complete`.
pub async fn complete_task(client: Uuid, task: Uuid) -> ApiResult<Task> {
    post_empty(&format!("/clients/{client}/tasks/{task}/complete")).await
}

/// `POST /clients/{id}/tasks/{task_id}/reopen`.
pub async fn reopen_task(client: Uuid, task: Uuid) -> ApiResult<Task> {
    post_empty(&format!("/clients/{client}/tasks/{task}/reopen")).await
}
