//! Onboardings as the API shows them: instance rows with their stages (fetched in one batch), answers and
//! history entries.

use audienceos_shared::onboarding::{
    FieldType, InstanceStatus, IntakeLink, IntakeResponse, OnboardingClient, OnboardingInstance, PlatformVerification,
    StageAction, StageState, StageStatus, StageTransition,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::onboarding::{link_state, platform_state, stage_state};
use crate::domain::team::user_ref;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::onboarding_instances::{InstanceRow, ResponseRow, StageStatusRow, TransitionRow};

/// One onboarding's response.
pub async fn one_dto(state: &AppState, row: InstanceRow) -> Result<OnboardingInstance, ApiError> {
    let agency_id = row.agency_id;
    let mut v = instance_dtos(state, agency_id, vec![row]).await?;
    v.pop().ok_or(ApiError::NotFound)
}

/// Onboarding rows (of one agency) to responses, with their stages fetched in one batch.
pub async fn instance_dtos(
    state: &AppState,
    agency_id: Uuid,
    rows: Vec<InstanceRow>,
) -> Result<Vec<OnboardingInstance>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let statuses = state.store.instance_stage_statuses(agency_id, &ids).await?;
    let now = state.now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let stages = statuses
                .iter()
                .filter(|s| s.instance_id == r.id)
                .map(stage_dto)
                .collect();
            instance_dto(r, stages, now)
        })
        .collect())
}

fn instance_dto(r: InstanceRow, stages: Vec<StageStatus>, now: DateTime<Utc>) -> OnboardingInstance {
    OnboardingInstance {
        id: r.id,
        client: OnboardingClient {
            id: r.client_id,
            name: r.client_name,
            contact_email: r.client_email,
            stage_id: r.client_stage_id,
            stage: r.client_stage,
        },
        journey_id: r.journey_id,
        journey_name: r.journey_name,
        status: InstanceStatus::parse(&r.status).unwrap_or(InstanceStatus::Pending),
        current_stage_id: r.current_stage_id,
        current_stage: r.current_stage,
        stages,
        link: IntakeLink {
            state: link_state(r.link_revoked_at, r.link_expires_at, now),
            created_at: r.link_created_at,
            expires_at: r.link_expires_at,
            revoked_at: r.link_revoked_at,
        },
        created_by: user_ref(r.created_by, r.creator_first_name, r.creator_last_name),
        submitted_at: r.submitted_at,
        completed_at: r.completed_at,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn stage_dto(s: &StageStatusRow) -> StageStatus {
    let verified = s.platform_statuses.as_ref().map(|j| &j.0);
    StageStatus {
        stage_id: s.stage_id,
        name: s.name.clone(),
        position: s.position,
        status: stage_state(s.status.as_deref()),
        blocked_reason: s.blocked_reason.clone(),
        platforms: s
            .platforms
            .0
            .iter()
            .map(|p| PlatformVerification {
                platform: p.clone(),
                state: platform_state(verified.and_then(|m| m.get(p)).map(String::as_str)),
            })
            .collect(),
        completed_at: s.completed_at,
        completed_by: user_ref(
            s.completed_by,
            s.completer_first_name.clone(),
            s.completer_last_name.clone(),
        ),
    }
}

/// An answer of the intake form.
pub fn response_dto(r: ResponseRow) -> IntakeResponse {
    IntakeResponse {
        field_id: r.field_id,
        label: r.label,
        field_type: FieldType::parse(&r.field_type).unwrap_or(FieldType::Text),
        value: r.value,
        submitted: r.submitted_at.is_some(),
        updated_at: r.updated_at,
    }
}

/// An entry of the history.
pub fn transition_dto(t: TransitionRow) -> StageTransition {
    StageTransition {
        id: t.id,
        stage_id: t.stage_id,
        stage_name: t.stage_name,
        action: StageAction::parse(&t.action).unwrap_or(StageAction::SetCurrent),
        from_status: t.from_status.as_deref().and_then(StageState::parse),
        to_status: t.to_status.as_deref().and_then(StageState::parse),
        reason: t.reason,
        actor: user_ref(t.actor_user_id, t.actor_first_name, t.actor_last_name),
        at: t.created_at,
    }
}
