//! `/api/v1/labels`: the agency's labels and their colours.

use audienceos_shared::clients::{CreateLabelRequest, Label, UpdateLabelRequest};
use uuid::Uuid;

use super::{delete, get, patch, post, ApiResult};

/// `GET /labels`.
pub async fn list_labels() -> ApiResult<Vec<Label>> {
    get("/labels").await
}

/// `POST /labels`: 409 `label_name_taken` for a duplicate name.
pub async fn create_label(body: &CreateLabelRequest) -> ApiResult<Label> {
    post("/labels", body).await
}

/// `PATCH /labels/{id}`: rename or recolour.
pub async fn update_label(id: Uuid, body: &UpdateLabelRequest) -> ApiResult<Label> {
    patch(&format!("/labels/{id}"), body).await
}

/// `DELETE /labels/{id}`.
pub async fn delete_label(id: Uuid) -> ApiResult<()> {
    delete(&format!("/labels/{id}")).await
}
