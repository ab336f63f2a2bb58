//! The intake form builder: fields of a journey's form or of the agency's default form; add, edit,
//! reorder, archive; each change audited.

use audienceos_shared::onboarding::{
    CreateFieldRequest, FieldType, IntakeField, ListFieldsQuery, ReorderFieldsRequest, UpdateFieldRequest,
};
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::onboarding::intake::{
    compile_pattern, normalise_create_field, normalise_update_field, options_for, select_without_options,
};
use crate::error::{validate, validate_reporting_on, ApiError};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::intake_fields::{FieldPatch, FieldRow, NewField};
use crate::store::StoreError;

/// A form's fields in order (a journey's, else the default form; `404` for another agency's journey).
pub async fn list(state: &AppState, me: &Identity, q: &ListFieldsQuery) -> Result<Vec<IntakeField>, ApiError> {
    if let Some(j) = q.journey_id {
        state.store.get_journey(me.agency_id, j).await?;
    }
    let rows = state
        .store
        .list_fields(me.agency_id, q.journey_id, q.include_archived)
        .await?;
    Ok(rows.into_iter().map(field_dto).collect())
}

/// Add a field at the end of its form.
pub async fn create(state: &AppState, me: &Identity, mut b: CreateFieldRequest) -> Result<IntakeField, ApiError> {
    normalise_create_field(&mut b);
    validate_reporting_on(&b, "options")?;
    check_pattern(b.pattern.as_deref())?;
    if let Some(j) = b.journey_id {
        known_journey(state, me.agency_id, j).await?;
    }
    let new = NewField {
        journey_id: b.journey_id,
        label: b.label,
        field_type: b.field_type.as_str().to_string(),
        placeholder: b.placeholder,
        required: b.required,
        pattern: b.pattern,
        options: options_for(b.field_type, b.options),
    };
    let id = state.store.insert_field(me.agency_id, &new, state.now()).await?;
    Audit::by(me, "onboarding.field_created")
        .with("id", id)
        .record(state)
        .await;
    let row = state.store.get_field(me.agency_id, id).await?;
    Ok(field_dto(row))
}

/// Change a field (absent parts are left alone); a `select` field keeps at least one option.
pub async fn update(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut b: UpdateFieldRequest,
) -> Result<IntakeField, ApiError> {
    normalise_update_field(&mut b);
    validate(&b)?;
    check_pattern(b.pattern.clone().flatten().as_deref())?;
    let current = state.store.get_field(me.agency_id, id).await?;
    let kind = b
        .field_type
        .or_else(|| FieldType::parse(&current.field_type))
        .unwrap_or(FieldType::Text);
    let options = b.options.clone().unwrap_or_else(|| current.options.0.clone());
    if select_without_options(kind, &options) {
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
    state.store.update_field(me.agency_id, id, &patch, state.now()).await?;
    Audit::by(me, "onboarding.field_updated")
        .with("id", id)
        .record(state)
        .await;
    Ok(field_dto(state.store.get_field(me.agency_id, id).await?))
}

/// Put a form's active fields in a new order (every one of them, each once).
pub async fn reorder(state: &AppState, me: &Identity, b: ReorderFieldsRequest) -> Result<Vec<IntakeField>, ApiError> {
    validate(&b)?;
    if let Some(j) = b.journey_id {
        known_journey(state, me.agency_id, j).await?;
    }
    let ok = state
        .store
        .reorder_fields(me.agency_id, b.journey_id, &b.field_ids, state.now())
        .await?;
    if !ok {
        return Err(ApiError::field(
            "field_ids",
            "mismatch",
            "must list every active field of the form exactly once",
        ));
    }
    Audit::by(me, "onboarding.fields_reordered")
        .with("id", b.journey_id.unwrap_or_default())
        .record(state)
        .await;
    let rows = state.store.list_fields(me.agency_id, b.journey_id, false).await?;
    Ok(rows.into_iter().map(field_dto).collect())
}

/// Archive a field: it leaves its form; answers already given keep it.
pub async fn archive(state: &AppState, me: &Identity, id: Uuid) -> Result<IntakeField, ApiError> {
    state.store.archive_field(me.agency_id, id, state.now()).await?;
    Audit::by(me, "onboarding.field_archived")
        .with("id", id)
        .record(state)
        .await;
    Ok(field_dto(state.store.get_field(me.agency_id, id).await?))
}

/// A field row to its response.
fn field_dto(r: FieldRow) -> IntakeField {
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

/// 422 on `pattern` unless it compiles.
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
