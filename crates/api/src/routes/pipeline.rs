//! The agency's pipeline: stages (list, add, rename/reorder, delete when empty) and health thresholds.

use actix_web::{web, HttpResponse};
use audienceos_shared::clients::{CreateStageRequest, HealthThresholds, PipelineStage, UpdateStageRequest};
use audienceos_shared::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, SettingsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError, Code};
use crate::extract::Json;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::pipeline::{DeleteStage, StageRow};

fn to_dto(r: StageRow) -> PipelineStage {
    PipelineStage {
        id: r.id,
        name: r.name,
        position: r.position,
        client_count: r.client_count,
    }
}

/// List pipeline stages
///
/// In board order, each with its count of active clients.
#[utoipa::path(get, path = "/api/v1/pipeline/stages", tag = "pipeline",
    responses((status = 200, body = Vec<PipelineStage>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_stages(state: web::Data<AppState>, me: Authorized<ClientsRead>) -> Result<HttpResponse, ApiError> {
    let rows = state.store.list_stages(me.agency_id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(to_dto).collect::<Vec<_>>()))
}

/// Add a pipeline stage
///
/// Goes last, or at `position` (0-based) with the stages from there on moving one place down.
#[utoipa::path(post, path = "/api/v1/pipeline/stages", tag = "pipeline", request_body = CreateStageRequest,
    responses((status = 201, body = PipelineStage), (status = 409, body = Problem, description = "`stage_name_taken`"),
        (status = 422, body = Problem)))]
pub async fn create_stage(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    body: Json<CreateStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.name = body.name.trim().to_string();
    validate(&body)?;
    if body.position.is_some_and(|p| !(0..=100).contains(&p)) {
        return Err(ApiError::field("position", "range", "must be between 0 and 100"));
    }
    let id = state
        .store
        .create_stage(me.agency_id, &body.name, body.position, state.now())
        .await?;
    Audit::by(&me, "stage.created")
        .meta(json!({ "stage_id": id, "name": body.name }))
        .record(&state)
        .await;
    let row = state.store.get_stage(me.agency_id, id).await?;
    Ok(HttpResponse::Created().json(to_dto(row)))
}

/// Rename or move a pipeline stage
///
/// `position` is the new 0-based place on the board (clamped to the last); the other stages close up
/// around it, in one transaction.
#[utoipa::path(patch, path = "/api/v1/pipeline/stages/{id}", tag = "pipeline", request_body = UpdateStageRequest,
    params(("id" = Uuid, Path, description = "Stage id")),
    responses((status = 200, body = PipelineStage), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_name_taken`"), (status = 422, body = Problem)))]
pub async fn update_stage(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    id: web::Path<Uuid>,
    body: Json<UpdateStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut body = body.into_inner();
    body.name = body.name.map(|n| n.trim().to_string());
    validate(&body)?;
    state
        .store
        .update_stage(me.agency_id, id, body.name.as_deref(), body.position, state.now())
        .await?;
    Audit::by(&me, "stage.updated")
        .meta(json!({ "stage_id": id, "name": body.name, "position": body.position }))
        .record(&state)
        .await;
    let row = state.store.get_stage(me.agency_id, id).await?;
    Ok(HttpResponse::Ok().json(to_dto(row)))
}

/// Delete a pipeline stage
///
/// Only an empty stage (no clients, archived ones included) that is not the agency's last.
#[utoipa::path(delete, path = "/api/v1/pipeline/stages/{id}", tag = "pipeline", params(("id" = Uuid, Path, description = "Stage id")),
    responses((status = 204), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_not_empty` or `last_stage`")))]
pub async fn delete_stage(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    match state.store.delete_stage(me.agency_id, id).await? {
        DeleteStage::Deleted => {
            Audit::by(&me, "stage.deleted")
                .meta(json!({ "stage_id": id }))
                .record(&state)
                .await;
            Ok(HttpResponse::NoContent().finish())
        }
        DeleteStage::NotEmpty(n) => Err(ApiError::new(
            Code::StageNotEmpty,
            format!("{n} client(s), archived ones included, are still in this stage; move or delete them first."),
        )),
        DeleteStage::Last => Err(ApiError::new(Code::LastStage, "The pipeline needs at least one stage.")),
    }
}

/// Get the health thresholds
#[utoipa::path(get, path = "/api/v1/pipeline/thresholds", tag = "pipeline",
    responses((status = 200, body = HealthThresholds), (status = 401, body = Problem)))]
pub async fn get_thresholds(state: web::Data<AppState>, me: Authorized<ClientsRead>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.health_thresholds(me.agency_id).await?))
}

/// Set the health thresholds
///
/// Days in stage after which a client turns yellow and red; every client's health is recomputed.
#[utoipa::path(put, path = "/api/v1/pipeline/thresholds", tag = "pipeline", request_body = HealthThresholds,
    responses((status = 200, body = HealthThresholds), (status = 422, body = Problem)))]
pub async fn set_thresholds(
    state: web::Data<AppState>,
    me: Authorized<SettingsWrite>,
    body: Json<HealthThresholds>,
) -> Result<HttpResponse, ApiError> {
    let t = body.into_inner();
    validate(&t).map_err(|e| match e {
        // the "red after yellow" rule is about the pair; report it on red_days
        ApiError::Validation(mut errs) => {
            for f in errs.iter_mut().filter(|f| f.field == "__all__") {
                f.field = "red_days".into();
            }
            ApiError::Validation(errs)
        }
        other => other,
    })?;
    state.store.set_health_thresholds(me.agency_id, t).await?;
    state.store.refresh_health(me.agency_id, None, state.now()).await?;
    Audit::by(&me, "pipeline.thresholds_updated")
        .meta(json!({ "yellow_days": t.yellow_days, "red_days": t.red_days }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(state.store.health_thresholds(me.agency_id).await?))
}
