//! Clients, the agency's pipeline stages, labels, stage history and explainable health.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::money::Money;
use crate::team::UserRef;

/// The stages a new agency starts with, in order. Admins rename, reorder, add and delete them.
pub const DEFAULT_STAGES: [&str; 6] = [
    "Onboarding",
    "Installation",
    "Audit",
    "Live",
    "Needs Support",
    "Off-boarding",
];

/// Days in stage after which health turns yellow and red, unless the agency sets its own.
pub const DEFAULT_YELLOW_DAYS: i64 = 7;
pub const DEFAULT_RED_DAYS: i64 = 14;

/// Health of a client: computed by the server from its reasons, never typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Green,
    Yellow,
    Red,
}

impl Health {
    pub const ALL: [Health; 3] = [Health::Green, Health::Yellow, Health::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Yellow => "yellow",
            Health::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == s)
    }

    /// The word shown next to the colour, so colour is never the only signal.
    pub fn label(self) -> &'static str {
        match self {
            Health::Green => "Healthy",
            Health::Yellow => "Needs attention",
            Health::Red => "At risk",
        }
    }
}

/// One or more health values, as a list filter: `red`, or `red,yellow` for either. Kept in `Health::ALL`
/// order without repeats, so equal sets write the same query string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthSet(Vec<Health>);

impl HealthSet {
    pub fn of(values: impl IntoIterator<Item = Health>) -> Self {
        let values: Vec<Health> = values.into_iter().collect();
        Self(Health::ALL.into_iter().filter(|h| values.contains(h)).collect())
    }

    /// The values, green to red.
    pub fn values(&self) -> &[Health] {
        &self.0
    }

    pub fn contains(&self, h: Health) -> bool {
        self.0.contains(&h)
    }

    /// `red,yellow` style, or `None` when a part is not a health value.
    pub fn parse(s: &str) -> Option<Self> {
        let values = s
            .split(',')
            .map(|v| Health::parse(v.trim()))
            .collect::<Option<Vec<_>>>()?;
        (!values.is_empty()).then(|| Self::of(values))
    }

    /// The query-string form, worst first (`red,yellow`).
    pub fn as_query(&self) -> String {
        self.0.iter().rev().map(|h| h.as_str()).collect::<Vec<_>>().join(",")
    }
}

impl From<Health> for HealthSet {
    fn from(h: Health) -> Self {
        Self(vec![h])
    }
}

impl Serialize for HealthSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_query())
    }
}

impl<'de> Deserialize<'de> for HealthSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("must be one or more of green, yellow, red, separated by commas"))
    }
}

/// One reason behind a client's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthReason {
    /// `days_in_stage`, `overdue_tasks`, `unanswered_messages` or `critical_alerts`.
    pub code: String,
    /// The health this reason alone implies.
    pub severity: Health,
    /// A sentence for people, e.g. "16 days in Audit (red after 14)".
    pub message: String,
}

/// An agency's pipeline stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineStage {
    pub id: Uuid,
    pub name: String,
    /// 0-based order on the board.
    pub position: i32,
    /// Clients (not archived) currently in the stage.
    pub client_count: i64,
}

/// Create a stage (Admins); it goes last unless `position` says otherwise.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStageRequest {
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub name: String,
    pub position: Option<i32>,
}

/// Rename a stage or move it to another position.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStageRequest {
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[validate(range(min = 0, max = 100, message = "must be between 0 and 100"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
}

/// The agency's health thresholds, in days in stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[validate(schema(function = "thresholds_ordered"))]
#[serde(deny_unknown_fields)]
pub struct HealthThresholds {
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365 days"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub yellow_days: i64,
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365 days"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub red_days: i64,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        Self {
            yellow_days: DEFAULT_YELLOW_DAYS,
            red_days: DEFAULT_RED_DAYS,
        }
    }
}

fn thresholds_ordered(t: &HealthThresholds) -> Result<(), ValidationError> {
    if t.red_days > t.yellow_days {
        Ok(())
    } else {
        Err(ValidationError::new("red_days").with_message("red must be after yellow".into()))
    }
}

/// A label of the agency, with its colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Label {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

/// Create a label.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateLabelRequest {
    #[validate(length(min = 1, max = 40, message = "must be 1 to 40 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub name: String,
    #[validate(custom(function = "crate::clients::hex_color"))]
    #[cfg_attr(feature = "openapi", schema(example = "#5e6ad2", pattern = "^#[0-9A-Fa-f]{6}$"))]
    pub color: String,
}

/// Rename or recolour a label.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateLabelRequest {
    #[validate(length(min = 1, max = 40, message = "must be 1 to 40 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[validate(custom(function = "crate::clients::hex_color"))]
    #[cfg_attr(feature = "openapi", schema(example = "#5e6ad2", pattern = "^#[0-9A-Fa-f]{6}$"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// `#rrggbb`, as the colour pickers produce.
pub fn hex_color(value: &str) -> Result<(), ValidationError> {
    let ok = value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("color").with_message("must be a colour like #5e6ad2".into()))
    }
}

/// The colours the label picker offers.
pub const LABEL_COLORS: [&str; 10] = [
    "#5e6ad2", "#26b5ce", "#0f9d58", "#f2c94c", "#f2994a", "#eb5757", "#bb87fc", "#4ea7fc", "#95a2b3", "#d9730d",
];

/// A client of the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage_id: Uuid,
    /// The stage's name.
    pub stage: String,
    pub stage_entered_at: DateTime<Utc>,
    /// Whole days since the client entered its stage.
    pub days_in_stage: i64,
    pub health: Health,
    pub health_reasons: Vec<HealthReason>,
    pub install_date: Option<NaiveDate>,
    pub total_spend: Money,
    pub lifetime_value: Money,
    /// A calendar date in the agency's time zone.
    pub due_date: Option<NaiveDate>,
    pub archived_at: Option<DateTime<Utc>>,
    pub owner: Option<UserRef>,
    pub collaborators: Vec<UserRef>,
    pub labels: Vec<Label>,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create a client. Without `stage_id` it starts in the agency's first stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateClientRequest {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    #[cfg_attr(feature = "openapi", schema(example = "Acme Outdoor Co."))]
    pub name: String,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[validate(custom(function = "crate::validation::email_address"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    #[validate(custom(function = "crate::clients::website"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_spend: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_value: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_ids: Vec<Uuid>,
}

/// Change some fields of a client: an absent field is left alone, `null` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateClientRequest {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_name: Option<Option<String>>,
    #[validate(custom(function = "crate::validation::email_address"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_email: Option<Option<String>>,
    #[validate(custom(function = "crate::clients::website"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub website: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub install_date: Option<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_spend: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_value: Option<Money>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<Option<NaiveDate>>,
}

/// `http(s)://host...` or a bare domain such as `acme.com` (stored with `https://`).
pub fn website(value: &str) -> Result<(), ValidationError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let ok = value.len() <= 255
        && !value.chars().any(char::is_whitespace)
        && host.contains('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("url").with_message("must be a website such as https://acme.com".into()))
    }
}

/// Move a client to another stage. `from_stage` is the stage the caller last saw; if the client has moved
/// since, the server answers `409 stage_conflict` and changes nothing.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveStageRequest {
    pub from_stage: Uuid,
    pub to_stage: Uuid,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One move of a client between stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageEvent {
    pub id: Uuid,
    pub client_id: Uuid,
    /// `null` for the client's creation.
    pub from_stage_id: Option<Uuid>,
    pub from_stage: Option<String>,
    pub to_stage_id: Uuid,
    pub to_stage: String,
    pub moved_by: Option<UserRef>,
    pub moved_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Set or clear the client's owner (a team member).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetOwnerRequest {
    /// `null` unassigns.
    pub user_id: Option<Uuid>,
}

/// Replace the client's collaborators.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCollaboratorsRequest {
    #[validate(length(max = 50, message = "at most 50 collaborators"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub user_ids: Vec<Uuid>,
}

/// How the client list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClientSort {
    Name,
    Stage,
    DaysInStage,
    Health,
    DueDate,
    #[default]
    Updated,
}

impl ClientSort {
    pub const ALL: [ClientSort; 6] = [
        ClientSort::Name,
        ClientSort::Stage,
        ClientSort::DaysInStage,
        ClientSort::Health,
        ClientSort::DueDate,
        ClientSort::Updated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientSort::Name => "name",
            ClientSort::Stage => "stage",
            ClientSort::DaysInStage => "days_in_stage",
            ClientSort::Health => "health",
            ClientSort::DueDate => "due_date",
            ClientSort::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientSort::Name => "Name",
            ClientSort::Stage => "Stage",
            ClientSort::DaysInStage => "Days in stage",
            ClientSort::Health => "Health",
            ClientSort::DueDate => "Due date",
            ClientSort::Updated => "Last updated",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    Asc,
    #[default]
    Desc,
}

/// `GET /api/v1/clients` (and the CSV export): search, filters, sort and cursor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ClientListQuery {
    /// Matches name, contact name, contact email and website, case-insensitively.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<Uuid>,
    /// One health value, or several separated by commas (`red,yellow`: either).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>,
        pattern = "^(green|yellow|red)(,(green|yellow|red))*$", example = "red,yellow"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_id: Option<Uuid>,
    /// Due on or before this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_after: Option<NaiveDate>,
    /// `true` lists only archived clients; absent or `false` only active ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<ClientSort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<SortDir>,
    /// Page size, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// What a CSV import did: good rows written (created or updated by contact email), bad rows reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub created: u32,
    pub updated: u32,
    pub errors: Vec<ImportRowError>,
}

/// Where a CSV import run as a job (`POST /clients/imports`) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Waiting for a worker.
    Queued,
    /// Writing batches; `processed_rows` grows.
    Running,
    /// Every row was written or reported; `report` is final.
    Done,
    /// The job gave up (`failure` says why); rows of the batches written before stay written.
    Failed,
}

impl ImportStatus {
    /// Done or failed: nothing will change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

/// A CSV import run as a durable job, with its progress and, once done, the per-row report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientImport {
    pub id: Uuid,
    pub status: ImportStatus,
    /// Data rows in the file (the header not counted).
    pub total_rows: u32,
    /// Data rows written or reported so far.
    pub processed_rows: u32,
    /// Clients created and updated so far; with `errors`, the report once `status` is `done`.
    pub created: u32,
    pub updated: u32,
    /// Rows not imported, by line (complete once `status` is `done`).
    pub errors: Vec<ImportRowError>,
    /// Why a failed import stopped.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ClientImport {
    /// Progress from 0 to 100, for a progress bar.
    pub fn percent(&self) -> u32 {
        if self.status.is_finished() || self.total_rows == 0 {
            return 100;
        }
        (u64::from(self.processed_rows) * 100 / u64::from(self.total_rows)).min(100) as u32
    }

    /// The report as the synchronous import gives it.
    pub fn report(&self) -> ImportReport {
        ImportReport {
            created: self.created,
            updated: self.updated,
            errors: self.errors.clone(),
        }
    }
}

/// A row the import refused, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u32,
    /// The column at fault, if one.
    pub field: Option<String>,
    pub message: String,
}

/// The columns of the CSV export, also the ones the import reads (`name` is required; the others optional).
pub const CSV_COLUMNS: [&str; 11] = [
    "name",
    "contact_name",
    "contact_email",
    "website",
    "stage",
    "owner_email",
    "labels",
    "due_date",
    "install_date",
    "total_spend",
    "lifetime_value",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites() {
        for ok in [
            "acme.com",
            "https://acme.com",
            "http://shop.acme.co.uk/path?x=1",
            "https://acme.com:8443",
        ] {
            assert!(website(ok).is_ok(), "{ok}");
        }
        for bad in ["acme", "https://", "acme .com", "http://-", "https://a..b"] {
            assert!(website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colours() {
        assert!(hex_color("#5e6ad2").is_ok());
        assert!(hex_color("5e6ad2").is_err());
        assert!(hex_color("#5e6ad").is_err());
        assert!(hex_color("#zzzzzz").is_err());
    }

    #[test]
    fn thresholds_must_be_ordered() {
        assert!(HealthThresholds {
            yellow_days: 7,
            red_days: 14
        }
        .validate()
        .is_ok());
        assert!(HealthThresholds {
            yellow_days: 14,
            red_days: 7
        }
        .validate()
        .is_err());
    }
}
