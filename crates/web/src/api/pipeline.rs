//! `/api/v1/pipeline`: the agency's stages and health thresholds.

use audienceos_shared::clients::{CreateStageRequest, HealthThresholds, PipelineStage, UpdateStageRequest};
use uuid::Uuid;

use super::{delete, get, patch, post, put, ApiResult};

/// `GET /pipeline/stages`, in board order.
pub async fn list_stages() -> ApiResult<Vec<PipelineStage>> {
    get("/pipeline/stages").await
}

/// `POST /pipeline/stages` (Admins).
pub async fn create_stage(body: &CreateStageRequest) -> ApiResult<PipelineStage> {
    post("/pipeline/stages", body).await
}

/// `PATCH /pipeline/stages/{id}` (Admins).
pub async fn update_stage(id: Uuid, body: &UpdateStageRequest) -> ApiResult<PipelineStage> {
    patch(&format!("/pipeline/stages/{id}"), body).await
}

/// `DELETE /pipeline/stages/{id}`: 409 while clients are in it.
pub async fn delete_stage(id: Uuid) -> ApiResult<()> {
    delete(&format!("/pipeline/stages/{id}")).await
}

/// `GET /pipeline/thresholds`.
pub async fn get_thresholds() -> ApiResult<HealthThresholds> {
    get("/pipeline/thresholds").await
}

/// `PUT /pipeline/thresholds` (Admins).
pub async fn set_thresholds(body: &HealthThresholds) -> ApiResult<HealthThresholds> {
    put("/pipeline/thresholds", body).await
}
