//! Onboarding journeys: list, read, create, edit, replace the ordered stage list, archive; each change
//! audited.

use audienceos_shared::onboarding::{
    CreateJourneyRequest, Journey, JourneyStage, SetJourneyStagesRequest, StageInput, UpdateJourneyRequest,
};
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::onboarding::{normalise_create_journey, normalise_stages, normalise_update_journey};
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::onboarding_journeys::{
    ArchiveJourney, JourneyPatch, JourneyRow, JourneyStageRow, NewJourney, SetStages, StageSpec,
};

/// The agency's journeys (the default first, then by name), archived ones only when asked.
pub async fn list(state: &AppState, me: &Identity, include_archived: bool) -> Result<Vec<Journey>, ApiError> {
    let rows = state.store.list_journeys(me.agency_id, include_archived).await?;
    let stages = state.store.journey_stages(me.agency_id, None).await?;
    Ok(rows.into_iter().map(|r| journey_dto(r, &stages)).collect())
}

/// A journey with its stages.
pub async fn get(state: &AppState, me: &Identity, id: Uuid) -> Result<Journey, ApiError> {
    load(state, me.agency_id, id).await
}

/// Create a journey with its stages in order (all new: no ids).
pub async fn create(state: &AppState, me: &Identity, mut b: CreateJourneyRequest) -> Result<Journey, ApiError> {
    normalise_create_journey(&mut b);
    validate(&b)?;
    if b.stages.iter().any(|s| s.id.is_some()) {
        return Err(ApiError::field(
            "stages",
            "unknown",
            "new journeys have new stages (no ids)",
        ));
    }
    let new = NewJourney {
        name: b.name,
        intro: b.intro,
        welcome_video_url: b.welcome_video_url,
        is_default: b.is_default,
        stages: specs(&b.stages),
    };
    let id = state.store.insert_journey(me.agency_id, &new, state.now()).await?;
    Audit::by(me, "onboarding.journey_created")
        .with("id", id)
        .record(state)
        .await;
    load(state, me.agency_id, id).await
}

/// Change name, intro, welcome video, or make the journey the default (not when archived).
pub async fn update(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut b: UpdateJourneyRequest,
) -> Result<Journey, ApiError> {
    normalise_update_journey(&mut b);
    validate(&b)?;
    if b.is_default == Some(false) {
        return Err(ApiError::field(
            "is_default",
            "invalid",
            "make another journey the default instead",
        ));
    }
    let current = state.store.get_journey(me.agency_id, id).await?;
    if b.is_default == Some(true) && current.archived_at.is_some() {
        return Err(ApiError::new(
            Code::JourneyArchived,
            "An archived journey cannot be the default.",
        ));
    }
    let patch = JourneyPatch {
        name: b.name,
        intro: b.intro,
        welcome_video_url: b.welcome_video_url,
        make_default: b.is_default == Some(true),
    };
    state
        .store
        .update_journey(me.agency_id, id, &patch, state.now())
        .await?;
    Audit::by(me, "onboarding.journey_updated")
        .with("id", id)
        .record(state)
        .await;
    load(state, me.agency_id, id).await
}

/// Replace the ordered stage list (kept, added, removed); a stage onboardings have reached stays
/// (`409 stage_in_use`).
pub async fn set_stages(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    mut b: SetJourneyStagesRequest,
) -> Result<Journey, ApiError> {
    b.stages = normalise_stages(b.stages);
    validate(&b)?;
    let outcome = state
        .store
        .set_journey_stages(me.agency_id, id, &specs(&b.stages), state.now())
        .await?;
    match outcome {
        SetStages::Done => {}
        SetStages::UnknownStage(stage) => {
            return Err(ApiError::field(
                "stages",
                "unknown",
                &format!("{stage} is not a stage of this journey"),
            ))
        }
        SetStages::InUse(name) => {
            return Err(ApiError::new(
                Code::StageInUse,
                format!("Onboardings have reached \"{name}\"; keep it in the list."),
            ))
        }
    }
    Audit::by(me, "onboarding.journey_stages_set")
        .with("id", id)
        .record(state)
        .await;
    load(state, me.agency_id, id).await
}

/// Archive a journey (not the default: `409 journey_is_default`).
pub async fn archive(state: &AppState, me: &Identity, id: Uuid) -> Result<Journey, ApiError> {
    match state.store.archive_journey(me.agency_id, id, state.now()).await? {
        ArchiveJourney::Archived => {}
        ArchiveJourney::IsDefault => {
            return Err(ApiError::new(
                Code::JourneyIsDefault,
                "The default journey cannot be archived; make another one the default first.",
            ))
        }
    }
    Audit::by(me, "onboarding.journey_archived")
        .with("id", id)
        .record(state)
        .await;
    load(state, me.agency_id, id).await
}

/// A journey with its stages.
async fn load(state: &AppState, agency_id: Uuid, id: Uuid) -> Result<Journey, ApiError> {
    let row = state.store.get_journey(agency_id, id).await?;
    let stages = state.store.journey_stages(agency_id, Some(id)).await?;
    Ok(journey_dto(row, &stages))
}

/// A journey row and (some of the agency's) stage rows to the response.
fn journey_dto(r: JourneyRow, stages: &[JourneyStageRow]) -> Journey {
    Journey {
        stages: stages
            .iter()
            .filter(|s| s.journey_id == r.id)
            .map(|s| JourneyStage {
                id: s.id,
                name: s.name.clone(),
                position: s.position,
                platforms: s.platforms.0.clone(),
            })
            .collect(),
        id: r.id,
        name: r.name,
        intro: r.intro,
        welcome_video_url: r.welcome_video_url,
        is_default: r.is_default,
        archived_at: r.archived_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn specs(stages: &[StageInput]) -> Vec<StageSpec> {
    stages
        .iter()
        .map(|s| StageSpec {
            id: s.id,
            name: s.name.clone(),
            platforms: s.platforms.clone(),
        })
        .collect()
}
