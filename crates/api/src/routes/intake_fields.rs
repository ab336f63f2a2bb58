//! The intake form builder: fields of a journey's form or of the agency's default form; add, edit,
//! reorder, archive. Reading needs `onboarding:read`; changing needs `onboarding:manage`.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::onboarding::{
    CreateFieldRequest, FieldType, IntakeField, ListFieldsQuery, ReorderFieldsRequest, UpdateFieldRequest,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{OnboardingManage, OnboardingRead};
use crate::auth::Authorized;
use crate::domain::onboarding::intake::compile_pattern;
use crate::domain::text::clean;
use crate::error::{validate, validate_reporting_on, ApiError};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::intake_fields::{FieldPatch, FieldRow, NewField};
use crate::store::StoreError;

/// List a form's fields
///
/// `journey_id` names the journey's own form; without it, the agency's default form (which journeys
/// without fields of their own use). In order; archived fields only with `include_archived=true`.
#[utoipa::path(get, path = "/api/v1/onboarding/fields", tag = "onboarding", params(ListFieldsQuery),
    responses((status = 200, body = [IntakeField]), (status = 404, body = Problem)))]
pub async fn list_fields(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: web::Query<ListFieldsQuery>,
) -> Result<HttpResponse, ApiError> {
    if let Some(j) = q.journey_id {
        state.store.get_journey(me.agency_id, j).await?;
    }
    let rows = state
        .store
        .list_fields(me.agency_id, q.journey_id, q.include_archived)
        .await?;
    let items: Vec<IntakeField> = rows.into_iter().map(field_dto).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Add a field
///
/// At the end of its form. `pattern` is a regular expression the whole value must match; `options`
/// are the choices of a `select` field.
#[utoipa::path(post, path = "/api/v1/onboarding/fields", tag = "onboarding", request_body = CreateFieldRequest,
    responses((status = 201, body = IntakeField), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_field(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    body: web::Json<CreateFieldRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut b = body.into_inner();
    b.label = b.label.trim().to_string();
    b.placeholder = clean(b.placeholder.take());
    b.pattern = clean(b.pattern.take());
    b.options = b.options.iter().map(|o| o.trim().to_string()).collect();
    validate_reporting_on(&b, "options")?;
    check_pattern(b.pattern.as_deref())?;
    if let Some(j) = b.journey_id {
        known_journey(&state, me.agency_id, j).await?;
    }
    let new = NewField {
        journey_id: b.journey_id,
        label: b.label,
        field_type: b.field_type.as_str().to_string(),
        placeholder: b.placeholder,
        required: b.required,
        pattern: b.pattern,
        options: if b.field_type == FieldType::Select {
            b.options
        } else {
            Vec::new()
        },
    };
    let id = state
        .store
        .insert_field(me.agency_id, &new, crate::store::now())
        .await?;
    Audit::by(&me, "onboarding.field_created")
        .with("id", id)
        .record(&state)
        .await;
    let row = state.store.get_field(me.agency_id, id).await?;
    Ok(HttpResponse::Created().json(field_dto(row)))
}

/// Update a field
///
/// Absent fields are left alone; `null` clears `placeholder` or `pattern`.
#[utoipa::path(patch, path = "/api/v1/onboarding/fields/{id}", tag = "onboarding", request_body = UpdateFieldRequest,
    params(("id" = Uuid, Path, description = "Field id")),
    responses((status = 200, body = IntakeField), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_field(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: web::Json<UpdateFieldRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.label = b.label.map(|l| l.trim().to_string());
    b.placeholder = b.placeholder.map(clean);
    b.pattern = b.pattern.map(clean);
    b.options = b.options.map(|o| o.iter().map(|o| o.trim().to_string()).collect());
    validate(&b)?;
    check_pattern(b.pattern.clone().flatten().as_deref())?;
    let current = state.store.get_field(me.agency_id, id).await?;
    let kind = b
        .field_type
        .or_else(|| FieldType::parse(&current.field_type))
        .unwrap_or(FieldType::Text);
    let options = b.options.clone().unwrap_or_else(|| current.options.0.clone());
    if kind == FieldType::Select && options.is_empty() {
        return Err(ApiError::field(
            "options",
            "options",
            "a select field needs at least one option",
        ));
    }
    let patch = FieldPatch {
        label: b.label,
        field_type: b.field_type.map(|t| t.as_str().to_string()),
        placeholder: b.placeholder,
        required: b.required,
        pattern: b.pattern,
        options: b.options,
    };
    state
        .store
        .update_field(me.agency_id, id, &patch, crate::store::now())
        .await?;
    Audit::by(&me, "onboarding.field_updated")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(field_dto(state.store.get_field(me.agency_id, id).await?)))
}

/// Reorder a form
///
/// `field_ids` lists every active field of the form (the journey's, or the default form without
/// `journey_id`), each once, in the new order; otherwise `422`.
#[utoipa::path(put, path = "/api/v1/onboarding/fields/order", tag = "onboarding", request_body = ReorderFieldsRequest,
    responses((status = 200, body = [IntakeField]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reorder_fields(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    body: web::Json<ReorderFieldsRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    validate(&b)?;
    if let Some(j) = b.journey_id {
        known_journey(&state, me.agency_id, j).await?;
    }
    let ok = state
        .store
        .reorder_fields(me.agency_id, b.journey_id, &b.field_ids, crate::store::now())
        .await?;
    if !ok {
        return Err(ApiError::field(
            "field_ids",
            "mismatch",
            "must list every active field of the form exactly once",
        ));
    }
    Audit::by(&me, "onboarding.fields_reordered")
        .with("id", b.journey_id.unwrap_or_default())
        .record(&state)
        .await;
    let rows = state.store.list_fields(me.agency_id, b.journey_id, false).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(field_dto).collect::<Vec<_>>()))
}

/// Archive a field
///
/// It leaves its form; answers already given keep it.
#[utoipa::path(post, path = "/api/v1/onboarding/fields/{id}/archive", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Field id")),
    responses((status = 200, body = IntakeField), (status = 404, body = Problem)))]
pub async fn archive_field(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state.store.archive_field(me.agency_id, id, crate::store::now()).await?;
    Audit::by(&me, "onboarding.field_archived")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(field_dto(state.store.get_field(me.agency_id, id).await?)))
}

/// A field row to its response.
pub fn field_dto(r: FieldRow) -> IntakeField {
    IntakeField {
        id: r.id,
        journey_id: r.journey_id,
        label: r.label,
        field_type: FieldType::parse(&r.field_type).unwrap_or(FieldType::Text),
        placeholder: r.placeholder,
        required: r.required,
        pattern: r.pattern,
        options: r.options.0,
        position: r.position,
        archived_at: r.archived_at,
    }
}

fn check_pattern(pattern: Option<&str>) -> Result<(), ApiError> {
    match pattern {
        Some(p) if compile_pattern(p).is_none() => Err(ApiError::field(
            "pattern",
            "pattern",
            "is not a valid regular expression",
        )),
        _ => Ok(()),
    }
}

/// 422 on `journey_id` unless it is a journey of the agency.
async fn known_journey(state: &AppState, agency_id: Uuid, id: Uuid) -> Result<(), ApiError> {
    match state.store.get_journey(agency_id, id).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::field(
            "journey_id",
            "unknown",
            "is not a journey of this agency",
        )),
        Err(e) => Err(e.into()),
    }
}
