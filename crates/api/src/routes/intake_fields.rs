//! The intake form builder: fields of a journey's form or of the agency's default form; add, edit,
//! reorder, archive. Reading needs `onboarding:read`; changing needs `onboarding:manage`. What each
//! does is in `services::onboarding::intake_fields`.

use actix_web::{web, HttpResponse};
use audienceos_shared::onboarding::{
    CreateFieldRequest, IntakeField, ListFieldsQuery, ReorderFieldsRequest, UpdateFieldRequest,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{OnboardingManage, OnboardingRead};
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::services::onboarding::intake_fields;
use crate::state::AppState;

/// List a form's fields
///
/// `journey_id` names the journey's own form; without it, the agency's default form (which journeys
/// without fields of their own use). In order; archived fields only with `include_archived=true`.
#[utoipa::path(get, path = "/api/v1/onboarding/fields", tag = "onboarding", params(ListFieldsQuery),
    responses((status = 200, body = [IntakeField]), (status = 404, body = Problem)))]
pub async fn list_fields(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: Query<ListFieldsQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(intake_fields::list(&state, &me, &q).await?))
}

/// Add a field
///
/// At the end of its form. `pattern` is a regular expression the whole value must match; `options`
/// are the choices of a `select` field.
#[utoipa::path(post, path = "/api/v1/onboarding/fields", tag = "onboarding", request_body = CreateFieldRequest,
    responses((status = 201, body = IntakeField), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_field(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    body: Json<CreateFieldRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(intake_fields::create(&state, &me, body.into_inner()).await?))
}

/// Update a field
///
/// Absent fields are left alone; `null` clears `placeholder` or `pattern`.
#[utoipa::path(patch, path = "/api/v1/onboarding/fields/{id}", tag = "onboarding", request_body = UpdateFieldRequest,
    params(("id" = Uuid, Path, description = "Field id")),
    responses((status = 200, body = IntakeField), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_field(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: Json<UpdateFieldRequest>,
) -> Result<HttpResponse, ApiError> {
    let field = intake_fields::update(&state, &me, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(field))
}

/// Reorder a form
///
/// `field_ids` lists every active field of the form (the journey's, or the default form without
/// `journey_id`), each once, in the new order; otherwise `422`.
#[utoipa::path(put, path = "/api/v1/onboarding/fields/order", tag = "onboarding", request_body = ReorderFieldsRequest,
    responses((status = 200, body = [IntakeField]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reorder_fields(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    body: Json<ReorderFieldsRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(intake_fields::reorder(&state, &me, body.into_inner()).await?))
}

/// Archive a field
///
/// It leaves its form; answers already given keep it.
#[utoipa::path(post, path = "/api/v1/onboarding/fields/{id}/archive", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Field id")),
    responses((status = 200, body = IntakeField), (status = 404, body = Problem)))]
pub async fn archive_field(
    state: web::Data<AppState>,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(intake_fields::archive(&state, &me, id.into_inner()).await?))
}
