//! Onboarding: journeys (ordered stages with platforms to verify), the intake form builder, onboarding
//! instances with their stage statuses, history and responses, and the public intake form a client
//! opens from the emailed link. Server-side value checks (patterns) live in the API; the rules here are
//! the ones the SPA can run too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::team::UserRef;

/// Stages of the journey every agency starts with; the second verifies access to these platforms.
pub const DEFAULT_JOURNEY_STAGES: [(&str, &[&str]); 5] = [
    ("Intake Received", &[]),
    ("Access Verified", &["FB", "GA", "SH"]),
    ("Pixel Install", &[]),
    ("Audit Complete", &[]),
    ("Live Support", &[]),
];

/// Days a public intake link stays valid unless the agency sets its own.
pub const DEFAULT_LINK_EXPIRY_DAYS: i64 = 30;

/// The type of an intake field; the server checks submitted values by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Email,
    Url,
    Number,
    Textarea,
    Select,
    Date,
}

impl FieldType {
    pub const ALL: [FieldType; 7] = [
        FieldType::Text,
        FieldType::Email,
        FieldType::Url,
        FieldType::Number,
        FieldType::Textarea,
        FieldType::Select,
        FieldType::Date,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Email => "email",
            FieldType::Url => "url",
            FieldType::Number => "number",
            FieldType::Textarea => "textarea",
            FieldType::Select => "select",
            FieldType::Date => "date",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The longest value accepted.
    pub fn max_len(self) -> usize {
        match self {
            FieldType::Textarea => 5000,
            _ => 500,
        }
    }
}

/// The state of one stage of an onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    Pending,
    InProgress,
    Completed,
    Blocked,
}

impl StageState {
    pub const ALL: [StageState; 4] = [
        StageState::Pending,
        StageState::InProgress,
        StageState::Completed,
        StageState::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageState::Pending => "pending",
            StageState::InProgress => "in_progress",
            StageState::Completed => "completed",
            StageState::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The state of a whole onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    Pending,
    InProgress,
    Completed,
    Cancelled,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 4] = [
        InstanceStatus::Pending,
        InstanceStatus::InProgress,
        InstanceStatus::Completed,
        InstanceStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "pending",
            InstanceStatus::InProgress => "in_progress",
            InstanceStatus::Completed => "completed",
            InstanceStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Whether access to a platform (FB, GA, SH, ...) has been verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlatformState {
    Pending,
    Verified,
    Failed,
}

impl PlatformState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformState::Pending => "pending",
            PlatformState::Verified => "verified",
            PlatformState::Failed => "failed",
        }
    }
}

/// Where the public link of an onboarding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Active,
    Expired,
    Revoked,
}

// ---- journeys ----

/// One stage of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JourneyStage {
    pub id: Uuid,
    pub name: String,
    /// 0-based order.
    pub position: i32,
    /// Platforms whose access this stage verifies, e.g. `["FB", "GA", "SH"]`.
    pub platforms: Vec<String>,
}

/// An onboarding journey: a template of ordered stages with a welcome video and intro text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Journey {
    pub id: Uuid,
    pub name: String,
    /// Shown at the top of the public intake form.
    pub intro: Option<String>,
    pub welcome_video_url: Option<String>,
    /// The journey new onboardings use unless another is picked; one per agency.
    pub is_default: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub stages: Vec<JourneyStage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stage as written by the journey editor: an existing `id` keeps the stage (renamed, moved), no `id`
/// adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub name: String,
    /// Short platform codes, 1 to 20 characters each, at most 10.
    #[validate(custom(function = "crate::onboarding::platform_codes"))]
    #[serde(default)]
    pub platforms: Vec<String>,
}

/// Create a journey with its stages in order.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateJourneyRequest {
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    #[cfg_attr(feature = "openapi", schema(example = "Shopify brand onboarding"))]
    pub name: String,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    #[validate(custom(function = "crate::onboarding::http_url"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_video_url: Option<String>,
    /// Make it the agency's default (the previous default stops being one).
    #[serde(default)]
    pub is_default: bool,
    #[validate(length(min = 1, max = 20, message = "must have 1 to 20 stages"), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub stages: Vec<StageInput>,
}

/// Change a journey: absent fields are left alone, `null` clears `intro` or `welcome_video_url`.
/// `is_default: true` makes it the default; a default cannot be unset except by choosing another.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateJourneyRequest {
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub intro: Option<Option<String>>,
    #[validate(custom(function = "crate::onboarding::http_url"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub welcome_video_url: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
}

/// The whole ordered stage list of a journey: reorder, rename, add (no `id`) and remove (left out; only
/// stages no onboarding has reached can go).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetJourneyStagesRequest {
    #[validate(length(min = 1, max = 20, message = "must have 1 to 20 stages"), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub stages: Vec<StageInput>,
}

/// `?include_archived=true` lists archived journeys (or fields) too.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListJourneysQuery {
    #[serde(default)]
    pub include_archived: bool,
}

// ---- the intake form builder ----

/// A field of an intake form: of a journey, or of the agency's default form (`journey_id` null), which
/// journeys without fields of their own use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeField {
    pub id: Uuid,
    pub journey_id: Option<Uuid>,
    pub label: String,
    pub field_type: FieldType,
    pub placeholder: Option<String>,
    pub required: bool,
    /// A regular expression the whole value must match (checked by the server).
    pub pattern: Option<String>,
    /// The choices of a `select` field; empty otherwise.
    pub options: Vec<String>,
    /// 0-based order within its form.
    pub position: i32,
    pub archived_at: Option<DateTime<Utc>>,
}

/// Add a field at the end of a form.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[validate(schema(function = "crate::onboarding::create_field_options", skip_on_field_errors = false))]
#[serde(deny_unknown_fields)]
pub struct CreateFieldRequest {
    /// The journey whose form it joins; absent for the agency's default form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<Uuid>,
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    #[cfg_attr(feature = "openapi", schema(example = "Shopify store URL"))]
    pub label: String,
    pub field_type: FieldType,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    /// Blank means none.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[validate(custom(function = "crate::onboarding::select_options"))]
    #[serde(default)]
    pub options: Vec<String>,
}

/// Change a field: absent fields are left alone, `null` clears `placeholder` or `pattern`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateFieldRequest {
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<FieldType>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub placeholder: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub pattern: Option<Option<String>>,
    #[validate(custom(function = "crate::onboarding::select_options"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

/// The new order of a form's active fields: every one of them, each once.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReorderFieldsRequest {
    /// The journey whose form it is; absent for the agency's default form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<Uuid>,
    #[validate(length(min = 1, max = 100, message = "must list 1 to 100 fields"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub field_ids: Vec<Uuid>,
}

/// `?journey_id=` (absent: the default form) `&include_archived=`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListFieldsQuery {
    pub journey_id: Option<Uuid>,
    #[serde(default)]
    pub include_archived: bool,
}

/// The agency's onboarding settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnboardingSettings {
    /// Days a new public intake link stays valid (default 30).
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365 days"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub link_expiry_days: i64,
}

// ---- instances ----

/// A client to create while starting its onboarding.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOnboardingClient {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// Where the welcome email goes.
    #[validate(custom(function = "crate::validation::email_address"))]
    pub contact_email: String,
    #[validate(custom(function = "crate::clients::website"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// Start onboarding an existing client (`client_id`) or a new one (`client`): exactly one of the two.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartOnboardingRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    #[validate(nested)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<NewOnboardingClient>,
    /// The journey; absent for the agency's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<Uuid>,
    /// Email the welcome message with the link to the client's contact (default true).
    #[serde(default = "yes")]
    pub send_email: bool,
}

fn yes() -> bool {
    true
}

/// The client an onboarding is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingClient {
    pub id: Uuid,
    pub name: String,
    pub contact_email: Option<String>,
    /// The client's pipeline stage.
    pub stage_id: Uuid,
    pub stage: String,
}

/// The public link's state. The link itself is shown only when it is made (start, regenerate, resend):
/// the server keeps only its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeLink {
    pub state: LinkState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One platform's verification within a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformVerification {
    pub platform: String,
    pub state: PlatformState,
}

/// One stage of an onboarding, in journey order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageStatus {
    pub stage_id: Uuid,
    pub name: String,
    pub position: i32,
    pub status: StageState,
    pub blocked_reason: Option<String>,
    pub platforms: Vec<PlatformVerification>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<UserRef>,
}

/// An onboarding of a client through a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingInstance {
    pub id: Uuid,
    pub client: OnboardingClient,
    pub journey_id: Uuid,
    pub journey_name: String,
    pub status: InstanceStatus,
    /// The stage the board shows it in; send it back as `from_stage_id` when moving it.
    pub current_stage_id: Uuid,
    pub current_stage: String,
    pub stages: Vec<StageStatus>,
    pub link: IntakeLink,
    pub created_by: Option<UserRef>,
    /// When the client last submitted the intake form.
    pub submitted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Bumped by every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An answer of the intake form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeResponse {
    pub field_id: Uuid,
    pub label: String,
    pub field_type: FieldType,
    pub value: String,
    /// False while it is only a saved draft.
    pub submitted: bool,
    pub updated_at: DateTime<Utc>,
}

/// What a stage transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StageAction {
    /// Make the stage the current one (the board's drag and drop).
    SetCurrent,
    Complete,
    /// Needs `reason`.
    Block,
    /// Back to in progress (from completed or blocked); a completed onboarding reopens too.
    Reopen,
    /// A platform verification changed (history only).
    Verify,
    /// The client submitted the intake form (history only).
    IntakeSubmitted,
    /// The onboarding started (history only).
    Started,
}

impl StageAction {
    pub const ALL: [StageAction; 7] = [
        StageAction::SetCurrent,
        StageAction::Complete,
        StageAction::Block,
        StageAction::Reopen,
        StageAction::Verify,
        StageAction::IntakeSubmitted,
        StageAction::Started,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageAction::SetCurrent => "set_current",
            StageAction::Complete => "complete",
            StageAction::Block => "block",
            StageAction::Reopen => "reopen",
            StageAction::Verify => "verify",
            StageAction::IntakeSubmitted => "intake_submitted",
            StageAction::Started => "started",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One entry of an onboarding's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTransition {
    pub id: Uuid,
    pub stage_id: Uuid,
    pub stage_name: String,
    pub action: StageAction,
    pub from_status: Option<StageState>,
    pub to_status: Option<StageState>,
    pub reason: Option<String>,
    /// Null when the client did it through the public form.
    pub actor: Option<UserRef>,
    pub at: DateTime<Utc>,
}

/// An onboarding with its answers and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingInstanceDetail {
    pub instance: OnboardingInstance,
    pub responses: Vec<IntakeResponse>,
    /// Newest first.
    pub history: Vec<StageTransition>,
}

/// A freshly made public link: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeLinkIssued {
    /// `{public_url}/intake/{token}`.
    pub intake_url: String,
    pub expires_at: DateTime<Utc>,
    /// Whether a welcome email with the link was queued.
    pub email_queued: bool,
}

/// The result of starting an onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingStarted {
    pub instance: OnboardingInstance,
    pub link: IntakeLinkIssued,
}

/// `?status=&stage_id=&client_id=&journey_id=&limit=&cursor=`; newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListInstancesQuery {
    pub status: Option<InstanceStatus>,
    /// Onboardings whose current stage is this one.
    pub stage_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub journey_id: Option<Uuid>,
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Move or change a stage of an onboarding. `from_stage_id` is the current stage the caller last saw:
/// when the onboarding has moved since, nothing changes and the answer is `409 stage_conflict`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[validate(schema(function = "crate::onboarding::transition_reason", skip_on_field_errors = false))]
#[serde(deny_unknown_fields)]
pub struct StageTransitionRequest {
    pub from_stage_id: Uuid,
    /// `set_current`, `complete`, `block` or `reopen`.
    pub action: StageAction,
    /// The stage acted on; absent for the current stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<Uuid>,
    /// Why it is blocked (required with `block`, 1 to 200 characters).
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Record a platform's verification state within a stage.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlatformVerificationRequest {
    pub stage_id: Uuid,
    #[validate(length(min = 1, max = 20, message = "must be 1 to 20 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20))]
    pub platform: String,
    pub state: PlatformState,
}

/// Make a new public link (the old one stops working).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegenerateLinkRequest {
    /// Email the new link to the client's contact (default false).
    #[serde(default)]
    pub send_email: bool,
}

// ---- the public intake form ----

/// The agency as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicAgency {
    pub name: String,
    pub logo_url: Option<String>,
}

/// The journey as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicJourney {
    pub name: String,
    pub intro: Option<String>,
    pub welcome_video_url: Option<String>,
}

/// A field as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicField {
    pub id: Uuid,
    pub label: String,
    pub field_type: FieldType,
    pub placeholder: Option<String>,
    pub required: bool,
    pub options: Vec<String>,
    pub pattern: Option<String>,
}

/// One value of the intake form, as saved or sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeValue {
    pub field_id: Uuid,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub value: String,
}

/// What `GET /api/public/onboarding/{token}` shows: nothing but what the client must see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicIntake {
    pub agency: PublicAgency,
    pub journey: PublicJourney,
    pub fields: Vec<PublicField>,
    /// Values saved earlier (draft or submitted), to resume.
    pub values: Vec<IntakeValue>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Values of the intake form: a partial save (`draft`) or the whole form (`submit`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeValuesRequest {
    #[validate(length(max = 100, message = "must have at most 100 values"), nested)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub values: Vec<IntakeValue>,
}

/// The answer to a draft save or a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeSaved {
    pub saved_at: DateTime<Utc>,
    /// Set once the form is submitted.
    pub submitted_at: Option<DateTime<Utc>>,
}

// ---- rules ----

/// An `http(s)://` URL of at most 500 characters.
pub fn http_url(value: &str) -> Result<(), ValidationError> {
    let ok = value.len() <= 500
        && (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > "https://".len()
        && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("url").with_message("must be an http(s) URL of at most 500 characters".into()))
    }
}

/// At most 10 platform codes of 1 to 20 characters.
pub fn platform_codes(codes: &[String]) -> Result<(), ValidationError> {
    let ok = codes.len() <= 10
        && codes
            .iter()
            .all(|c| !c.trim().is_empty() && c.len() <= 20 && !c.contains(char::is_whitespace));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("platforms")
            .with_message("must be at most 10 codes of 1 to 20 characters without spaces".into()))
    }
}

/// At most 50 distinct options of 1 to 100 characters.
pub fn select_options(options: &[String]) -> Result<(), ValidationError> {
    let distinct = options.iter().enumerate().all(|(i, o)| !options[..i].contains(o));
    let ok = options.len() <= 50 && distinct && options.iter().all(|o| !o.trim().is_empty() && o.len() <= 100);
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("options")
            .with_message("must be at most 50 distinct options of 1 to 100 characters".into()))
    }
}

fn create_field_options(r: &CreateFieldRequest) -> Result<(), ValidationError> {
    if r.field_type == FieldType::Select && r.options.is_empty() {
        return Err(ValidationError::new("options").with_message("a select field needs at least one option".into()));
    }
    Ok(())
}

fn transition_reason(r: &StageTransitionRequest) -> Result<(), ValidationError> {
    let blank = r.reason.as_deref().is_none_or(|s| s.trim().is_empty());
    if r.action == StageAction::Block && blank {
        return Err(ValidationError::new("reason").with_message("say why the stage is blocked".into()));
    }
    Ok(())
}

impl StageAction {
    /// True for the actions a caller may request (the others are recorded by the server).
    pub fn is_requestable(self) -> bool {
        matches!(
            self,
            StageAction::SetCurrent | StageAction::Complete | StageAction::Block | StageAction::Reopen
        )
    }
}

/// Check one non-empty value against its field's type and options (the API also checks the pattern).
/// Returns the error code and message.
pub fn check_value(field_type: FieldType, options: &[String], value: &str) -> Result<(), (&'static str, String)> {
    if value.chars().count() > field_type.max_len() {
        return Err(("length", format!("must be at most {} characters", field_type.max_len())));
    }
    match field_type {
        FieldType::Text | FieldType::Textarea => Ok(()),
        FieldType::Email => {
            crate::validation::email_address(value).map_err(|_| ("email", "must be an email address".into()))
        }
        FieldType::Url => {
            http_url(value).map_err(|_| ("url", "must be a web address starting with http:// or https://".into()))
        }
        FieldType::Number => match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(()),
            _ => Err(("number", "must be a number".into())),
        },
        FieldType::Date => crate::validation::iso_date(value)
            .map(|_| ())
            .ok_or(("date", "must be a date (YYYY-MM-DD)".into())),
        FieldType::Select if options.iter().any(|o| o == value) => Ok(()),
        FieldType::Select => Err(("option", "must be one of the offered options".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_by_type() {
        let opts = vec!["Shopify".to_string()];
        assert!(check_value(FieldType::Email, &[], "a@b.co").is_ok());
        assert_eq!(check_value(FieldType::Email, &[], "nope").unwrap_err().0, "email");
        assert!(check_value(FieldType::Url, &[], "https://x.io").is_ok());
        assert_eq!(check_value(FieldType::Url, &[], "x.io").unwrap_err().0, "url");
        assert!(check_value(FieldType::Number, &[], "12.5").is_ok());
        assert_eq!(check_value(FieldType::Number, &[], "NaN").unwrap_err().0, "number");
        assert!(check_value(FieldType::Date, &[], "2026-11-27").is_ok());
        assert_eq!(check_value(FieldType::Date, &[], "27/11/2026").unwrap_err().0, "date");
        assert!(check_value(FieldType::Select, &opts, "Shopify").is_ok());
        assert_eq!(check_value(FieldType::Select, &opts, "Wix").unwrap_err().0, "option");
        assert_eq!(
            check_value(FieldType::Text, &[], &"x".repeat(501)).unwrap_err().0,
            "length"
        );
    }

    #[test]
    fn a_block_needs_a_reason() {
        let mut r = StageTransitionRequest {
            from_stage_id: Uuid::nil(),
            action: StageAction::Block,
            stage_id: None,
            reason: None,
        };
        assert!(r.validate().is_err());
        r.reason = Some("waiting for Meta access".into());
        assert!(r.validate().is_ok());
        assert!(!StageAction::Started.is_requestable());
    }
}
