//! `/api/v1/clients`: the list with its filters, CRUD, archive, stage moves and history, owner,
//! collaborators, labels, and the CSV export and import (run as a job with progress).

use audienceos_shared::clients::{
    Client, ClientImport, ClientListQuery, CreateClientRequest, MoveStageRequest, SetCollaboratorsRequest,
    SetOwnerRequest, StageEvent, UpdateClientRequest,
};
use audienceos_shared::Page;
use uuid::Uuid;

use super::{delete, get, patch, post, post_empty, post_raw, put, put_empty, query_string, url, ApiResult};

/// `GET /clients?..`: one page of the filtered, sorted list.
pub async fn list_clients(query: &ClientListQuery) -> ApiResult<Page<Client>> {
    get(&format!("/clients{}", query_string(query))).await
}

/// `POST /clients`.
pub async fn create_client(body: &CreateClientRequest) -> ApiResult<Client> {
    post("/clients", body).await
}

/// `GET /clients/{id}`.
pub async fn get_client(id: Uuid) -> ApiResult<Client> {
    get(&format!("/clients/{id}")).await
}

/// `PATCH /clients/{id}`: absent fields stay, `null` clears (due date included).
pub async fn update_client(id: Uuid, body: &UpdateClientRequest) -> ApiResult<Client> {
    patch(&format!("/clients/{id}"), body).await
}

/// `DELETE /clients/{id}` (Owner/Admin).
pub async fn delete_client(id: Uuid) -> ApiResult<()> {
    delete(&format!("/clients/{id}")).await
}

/// `POST /clients/{id}/archive`.
pub async fn archive_client(id: Uuid) -> ApiResult<Client> {
    post_empty(&format!("/clients/{id}/archive")).await
}

/// `POST /clients/{id}/restore`.
pub async fn restore_client(id: Uuid) -> ApiResult<Client> {
    post_empty(&format!("/clients/{id}/restore")).await
}

/// `POST /clients/{id}/stage`: 409 `stage_conflict` when the client left `from_stage` meanwhile.
pub async fn move_stage(id: Uuid, body: &MoveStageRequest) -> ApiResult<Client> {
    post(&format!("/clients/{id}/stage"), body).await
}

/// `GET /clients/{id}/stage-events`, newest first.
pub async fn list_stage_events(id: Uuid) -> ApiResult<Vec<StageEvent>> {
    get(&format!("/clients/{id}/stage-events")).await
}

/// `PUT /clients/{id}/owner`; `None` unassigns.
pub async fn set_owner(id: Uuid, user_id: Option<Uuid>) -> ApiResult<Client> {
    put(&format!("/clients/{id}/owner"), &SetOwnerRequest { user_id }).await
}

/// `PUT /clients/{id}/collaborators`.
pub async fn set_collaborators(id: Uuid, user_ids: Vec<Uuid>) -> ApiResult<Client> {
    put(
        &format!("/clients/{id}/collaborators"),
        &SetCollaboratorsRequest { user_ids },
    )
    .await
}

/// `PUT /clients/{id}/labels/{label_id}`: attach (idempotent).
pub async fn attach_label(id: Uuid, label_id: Uuid) -> ApiResult<Client> {
    put_empty(&format!("/clients/{id}/labels/{label_id}")).await
}

/// `DELETE /clients/{id}/labels/{label_id}`: detach.
pub async fn detach_label(id: Uuid, label_id: Uuid) -> ApiResult<Client> {
    delete(&format!("/clients/{id}/labels/{label_id}")).await
}

/// The URL of `GET /clients/export.csv` for the same filters (the browser downloads it).
pub fn export_csv_url(query: &ClientListQuery) -> String {
    let filters = ClientListQuery {
        limit: None,
        cursor: None,
        ..query.clone()
    };
    url(&format!("/clients/export.csv{}", query_string(&filters)))
}

/// `POST /clients/imports` with the CSV text: the file is checked and its import job started.
pub async fn start_import(csv: String) -> ApiResult<ClientImport> {
    post_raw("/clients/imports", "text/csv", csv).await
}

/// `GET /clients/imports/{id}`: the job's progress and, once done, its report.
pub async fn get_import(id: Uuid) -> ApiResult<ClientImport> {
    get(&format!("/clients/imports/{id}")).await
}
