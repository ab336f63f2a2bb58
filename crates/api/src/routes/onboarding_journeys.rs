//! Onboarding journeys: list, read, create, edit, replace the ordered stage list, archive. Reading needs
//! `onboarding:read`; changing needs `onboarding:manage` (Owners and Admins).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::onboarding::{
    CreateJourneyRequest, Journey, JourneyStage, ListJourneysQuery, SetJourneyStagesRequest, StageInput,
    UpdateJourneyRequest,
};
use audienceos_shared::Problem;
use uuid::Uuid;

use crate::auth::identity::{OnboardingManage, OnboardingRead};
use crate::auth::Authorized;
use crate::domain::text::clean;
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::onboarding_journeys::{
    ArchiveJourney, JourneyPatch, JourneyRow, JourneyStageRow, NewJourney, SetStages, StageSpec,
};

/// List journeys
///
/// The default first, then by name. Archived journeys only with `include_archived=true`.
#[utoipa::path(get, path = "/api/v1/onboarding/journeys", tag = "onboarding", params(ListJourneysQuery),
    responses((status = 200, body = [Journey])))]
pub async fn list_journeys(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    q: web::Query<ListJourneysQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = state.store.list_journeys(me.agency_id, q.include_archived).await?;
    let stages = state.store.journey_stages(me.agency_id, None).await?;
    let items: Vec<Journey> = rows.into_iter().map(|r| journey_dto(r, &stages)).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Get a journey
#[utoipa::path(get, path = "/api/v1/onboarding/journeys/{id}", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem)))]
pub async fn get_journey(
    state: web::Data<AppState>,
    me: Authorized<OnboardingRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(load(&state, me.agency_id, id.into_inner()).await?))
}

/// Create a journey
///
/// With its stages in order. `is_default: true` makes it the agency's default.
#[utoipa::path(post, path = "/api/v1/onboarding/journeys", tag = "onboarding", request_body = CreateJourneyRequest,
    responses((status = 201, body = Journey), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_journey(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    body: web::Json<CreateJourneyRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut b = body.into_inner();
    b.name = b.name.trim().to_string();
    b.intro = clean(b.intro.take());
    b.welcome_video_url = clean(b.welcome_video_url.take());
    b.stages = normalise_stages(b.stages);
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
    let id = state
        .store
        .insert_journey(me.agency_id, &new, crate::store::now())
        .await?;
    Audit::by(&me, "onboarding.journey_created")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Created().json(load(&state, me.agency_id, id).await?))
}

/// Update a journey
///
/// Name, intro, welcome video, or `is_default: true`. An archived journey cannot become the default.
#[utoipa::path(patch, path = "/api/v1/onboarding/journeys/{id}", tag = "onboarding", request_body = UpdateJourneyRequest,
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`journey_archived`"), (status = 422, body = Problem)))]
pub async fn update_journey(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: web::Json<UpdateJourneyRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.name = b.name.map(|n| n.trim().to_string());
    b.intro = b.intro.map(clean);
    b.welcome_video_url = b.welcome_video_url.map(clean);
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
        .update_journey(me.agency_id, id, &patch, crate::store::now())
        .await?;
    Audit::by(&me, "onboarding.journey_updated")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(load(&state, me.agency_id, id).await?))
}

/// Replace a journey's stages
///
/// The whole ordered list: stages with an `id` are kept (renamed, moved, platforms changed), stages
/// without one are added, stages left out are removed. A stage an onboarding has reached cannot be
/// removed (`409 stage_in_use`).
#[utoipa::path(put, path = "/api/v1/onboarding/journeys/{id}/stages", tag = "onboarding",
    request_body = SetJourneyStagesRequest, params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`stage_in_use`"), (status = 422, body = Problem)))]
pub async fn set_journey_stages(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
    body: web::Json<SetJourneyStagesRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut b = body.into_inner();
    b.stages = normalise_stages(b.stages);
    validate(&b)?;
    let outcome = state
        .store
        .set_journey_stages(me.agency_id, id, &specs(&b.stages), crate::store::now())
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
    Audit::by(&me, "onboarding.journey_stages_set")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(load(&state, me.agency_id, id).await?))
}

/// Archive a journey
///
/// New onboardings can no longer pick it; running ones keep it. The default cannot be archived
/// (`409 journey_is_default`): make another journey the default first.
#[utoipa::path(post, path = "/api/v1/onboarding/journeys/{id}/archive", tag = "onboarding",
    params(("id" = Uuid, Path, description = "Journey id")),
    responses((status = 200, body = Journey), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`journey_is_default`")))]
pub async fn archive_journey(
    state: web::Data<AppState>,
    _req: HttpRequest,
    me: Authorized<OnboardingManage>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    match state
        .store
        .archive_journey(me.agency_id, id, crate::store::now())
        .await?
    {
        ArchiveJourney::Archived => {}
        ArchiveJourney::IsDefault => {
            return Err(ApiError::new(
                Code::JourneyIsDefault,
                "The default journey cannot be archived; make another one the default first.",
            ))
        }
    }
    Audit::by(&me, "onboarding.journey_archived")
        .with("id", id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(load(&state, me.agency_id, id).await?))
}

/// A journey with its stages.
pub async fn load(state: &AppState, agency_id: Uuid, id: Uuid) -> Result<Journey, ApiError> {
    let row = state.store.get_journey(agency_id, id).await?;
    let stages = state.store.journey_stages(agency_id, Some(id)).await?;
    Ok(journey_dto(row, &stages))
}

/// A journey row and (some of the agency's) stage rows to the response.
pub fn journey_dto(r: JourneyRow, stages: &[JourneyStageRow]) -> Journey {
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

/// Trimmed names and upper-cased, trimmed, de-duplicated platform codes.
fn normalise_stages(stages: Vec<StageInput>) -> Vec<StageInput> {
    stages
        .into_iter()
        .map(|s| {
            let mut platforms: Vec<String> = Vec::new();
            for p in s.platforms.iter().map(|p| p.trim().to_uppercase()) {
                if !platforms.contains(&p) {
                    platforms.push(p);
                }
            }
            StageInput {
                id: s.id,
                name: s.name.trim().to_string(),
                platforms,
            }
        })
        .collect()
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
