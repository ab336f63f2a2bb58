//! The agency's labels: list, create, rename/recolour, delete. Attaching them to clients is in `clients`.

use actix_web::{web, HttpResponse};
use audienceos_shared::clients::{CreateLabelRequest, Label, UpdateLabelRequest};
use audienceos_shared::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsManage, ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::Json;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::labels::LabelRow;

fn to_dto(r: LabelRow) -> Label {
    Label {
        id: r.id,
        name: r.name,
        color: r.color,
    }
}

/// List labels
#[utoipa::path(get, path = "/api/v1/labels", tag = "labels",
    responses((status = 200, body = Vec<Label>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_labels(state: web::Data<AppState>, me: Authorized<ClientsRead>) -> Result<HttpResponse, ApiError> {
    let rows = state.store.list_labels(me.agency_id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(to_dto).collect::<Vec<_>>()))
}

/// Create a label
#[utoipa::path(post, path = "/api/v1/labels", tag = "labels", request_body = CreateLabelRequest,
    responses((status = 201, body = Label), (status = 409, body = Problem, description = "`label_name_taken`"),
        (status = 422, body = Problem)))]
pub async fn create_label(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    body: Json<CreateLabelRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.name = body.name.trim().to_string();
    body.color = body.color.trim().to_lowercase();
    validate(&body)?;
    let row = state
        .store
        .insert_label(me.agency_id, &body.name, &body.color, state.now())
        .await?;
    Audit::by(&me, "label.created")
        .meta(json!({ "label_id": row.id, "name": row.name }))
        .record(&state)
        .await;
    Ok(HttpResponse::Created().json(to_dto(row)))
}

/// Rename or recolour a label
#[utoipa::path(patch, path = "/api/v1/labels/{id}", tag = "labels", request_body = UpdateLabelRequest,
    params(("id" = Uuid, Path, description = "Label id")),
    responses((status = 200, body = Label), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`label_name_taken`"), (status = 422, body = Problem)))]
pub async fn update_label(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<UpdateLabelRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    body.name = body.name.map(|n| n.trim().to_string());
    body.color = body.color.map(|c| c.trim().to_lowercase());
    validate(&body)?;
    let row = state
        .store
        .update_label(
            me.agency_id,
            id.into_inner(),
            body.name.as_deref(),
            body.color.as_deref(),
            state.now(),
        )
        .await?;
    Audit::by(&me, "label.updated")
        .meta(json!({ "label_id": row.id, "name": row.name }))
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(to_dto(row)))
}

/// Delete a label
///
/// Also takes it off every client (needs `clients:manage`).
#[utoipa::path(delete, path = "/api/v1/labels/{id}", tag = "labels", params(("id" = Uuid, Path, description = "Label id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_label(
    state: web::Data<AppState>,
    me: Authorized<ClientsManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state.store.delete_label(me.agency_id, id).await?;
    Audit::by(&me, "label.deleted")
        .meta(json!({ "label_id": id }))
        .record(&state)
        .await;
    Ok(HttpResponse::NoContent().finish())
}
