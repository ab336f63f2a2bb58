//! `/api/v1/onboarding/*` (journeys, the intake form builder, settings, onboardings) and the public
//! intake form under `/api/public/onboarding/{token}`.

use audienceos_shared::onboarding::{
    CreateFieldRequest, CreateJourneyRequest, IntakeField, IntakeLinkIssued, IntakeSaved, IntakeValuesRequest, Journey,
    ListFieldsQuery, ListInstancesQuery, OnboardingInstance, OnboardingInstanceDetail, OnboardingSettings,
    OnboardingStarted, PlatformVerificationRequest, PublicIntake, RegenerateLinkRequest, ReorderFieldsRequest,
    SetJourneyStagesRequest, StageTransitionRequest, StartOnboardingRequest, UpdateFieldRequest, UpdateJourneyRequest,
};
use audienceos_shared::Page;
use uuid::Uuid;

use super::{get, patch, post, post_empty, public_get, public_post, put, query_string, routes_segment, ApiResult};

// ---- journeys ----

/// `GET /onboarding/journeys` (active ones, the default first).
pub async fn list_journeys() -> ApiResult<Vec<Journey>> {
    get("/onboarding/journeys").await
}

/// `POST /onboarding/journeys`.
pub async fn create_journey(body: &CreateJourneyRequest) -> ApiResult<Journey> {
    post("/onboarding/journeys", body).await
}

/// `PATCH /onboarding/journeys/{id}`.
pub async fn update_journey(id: Uuid, body: &UpdateJourneyRequest) -> ApiResult<Journey> {
    patch(&format!("/onboarding/journeys/{id}"), body).await
}

/// `PUT /onboarding/journeys/{id}/stages`: the whole ordered stage list.
pub async fn set_journey_stages(id: Uuid, body: &SetJourneyStagesRequest) -> ApiResult<Journey> {
    put(&format!("/onboarding/journeys/{id}/stages"), body).await
}

/// `POST /onboarding/journeys/{id}/archive`.
pub async fn archive_journey(id: Uuid) -> ApiResult<Journey> {
    post_empty(&format!("/onboarding/journeys/{id}/archive")).await
}

// ---- the form builder ----

/// `GET /onboarding/fields?journey_id=` (absent: the agency's default form), in order.
pub async fn list_fields(journey: Option<Uuid>) -> ApiResult<Vec<IntakeField>> {
    let q = ListFieldsQuery {
        journey_id: journey,
        include_archived: false,
    };
    get(&format!("/onboarding/fields{}", query_string(&q))).await
}

/// `POST /onboarding/fields`: a field at the end of its form.
pub async fn create_field(body: &CreateFieldRequest) -> ApiResult<IntakeField> {
    post("/onboarding/fields", body).await
}

/// `PATCH /onboarding/fields/{id}`.
pub async fn update_field(id: Uuid, body: &UpdateFieldRequest) -> ApiResult<IntakeField> {
    patch(&format!("/onboarding/fields/{id}"), body).await
}

/// `PUT /onboarding/fields/order`: the new order of a whole form.
pub async fn reorder_fields(body: &ReorderFieldsRequest) -> ApiResult<Vec<IntakeField>> {
    put("/onboarding/fields/order", body).await
}

/// `POST /onboarding/fields/{id}/archive`.
pub async fn archive_field(id: Uuid) -> ApiResult<IntakeField> {
    post_empty(&format!("/onboarding/fields/{id}/archive")).await
}

// ---- settings ----

/// `GET /onboarding/settings`.
pub async fn get_settings() -> ApiResult<OnboardingSettings> {
    get("/onboarding/settings").await
}

/// `PUT /onboarding/settings`.
pub async fn set_settings(body: &OnboardingSettings) -> ApiResult<OnboardingSettings> {
    put("/onboarding/settings", body).await
}

// ---- onboardings ----

/// `POST /onboarding/instances`: start one, with its link (shown once).
pub async fn start_onboarding(body: &StartOnboardingRequest) -> ApiResult<OnboardingStarted> {
    post("/onboarding/instances", body).await
}

/// `GET /onboarding/instances?..`, newest first.
pub async fn list_instances(q: &ListInstancesQuery) -> ApiResult<Page<OnboardingInstance>> {
    get(&format!("/onboarding/instances{}", query_string(q))).await
}

/// `GET /onboarding/instances/{id}` with responses and history.
pub async fn get_instance(id: Uuid) -> ApiResult<OnboardingInstanceDetail> {
    get(&format!("/onboarding/instances/{id}")).await
}

/// `PATCH /onboarding/instances/{id}/stage`.
pub async fn transition(id: Uuid, body: &StageTransitionRequest) -> ApiResult<OnboardingInstance> {
    patch(&format!("/onboarding/instances/{id}/stage"), body).await
}

/// `PUT /onboarding/instances/{id}/platforms`.
pub async fn verify_platform(id: Uuid, body: &PlatformVerificationRequest) -> ApiResult<OnboardingInstance> {
    put(&format!("/onboarding/instances/{id}/platforms"), body).await
}

/// `POST /onboarding/instances/{id}/link/revoke`.
pub async fn revoke_link(id: Uuid) -> ApiResult<OnboardingInstance> {
    post_empty(&format!("/onboarding/instances/{id}/link/revoke")).await
}

/// `GET /onboarding/instances/{id}/link`: the live link, as sent (it keeps working).
pub async fn get_link(id: Uuid) -> ApiResult<IntakeLinkIssued> {
    get(&format!("/onboarding/instances/{id}/link")).await
}

/// `POST /onboarding/instances/{id}/link/regenerate`: a new link (the old one stops working).
pub async fn regenerate_link(id: Uuid, send_email: bool) -> ApiResult<IntakeLinkIssued> {
    post(
        &format!("/onboarding/instances/{id}/link/regenerate"),
        &RegenerateLinkRequest { send_email },
    )
    .await
}

/// `POST /onboarding/instances/{id}/resend-email`: a new link, emailed to the client's contact.
pub async fn resend_email(id: Uuid) -> ApiResult<IntakeLinkIssued> {
    post_empty(&format!("/onboarding/instances/{id}/resend-email")).await
}

// ---- the public intake form ----

/// `GET /api/public/onboarding/{token}`.
pub async fn public_intake(token: &str) -> ApiResult<PublicIntake> {
    public_get(&format!("/onboarding/{}", routes_segment(token))).await
}

/// `POST /api/public/onboarding/{token}/draft`: save without submitting.
pub async fn save_draft(token: &str, body: &IntakeValuesRequest) -> ApiResult<IntakeSaved> {
    public_post(&format!("/onboarding/{}/draft", routes_segment(token)), body).await
}

/// `POST /api/public/onboarding/{token}/submit`.
pub async fn submit_intake(token: &str, body: &IntakeValuesRequest) -> ApiResult<IntakeSaved> {
    public_post(&format!("/onboarding/{}/submit", routes_segment(token)), body).await
}
