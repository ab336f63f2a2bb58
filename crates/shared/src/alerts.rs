//! Alerts: raised by rules (or providers), then snoozed, escalated, dismissed or resolved by people.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::team::UserRef;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertType {
    /// No activity on the client (notes, tasks, moves) for N days.
    Inactivity,
    /// Longer in its stage than the agency's red threshold.
    StageOverdue,
    /// Tasks past their due date.
    OverdueTasks,
    RiskDetected,
    KpiDrop,
    Disconnect,
}

impl AlertType {
    pub const ALL: [AlertType; 6] = [
        AlertType::Inactivity,
        AlertType::StageOverdue,
        AlertType::OverdueTasks,
        AlertType::RiskDetected,
        AlertType::KpiDrop,
        AlertType::Disconnect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertType::Inactivity => "inactivity",
            AlertType::StageOverdue => "stage_overdue",
            AlertType::OverdueTasks => "overdue_tasks",
            AlertType::RiskDetected => "risk_detected",
            AlertType::KpiDrop => "kpi_drop",
            AlertType::Disconnect => "disconnect",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How bad it is; escalation raises it one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl AlertSeverity {
    pub const ALL: [AlertSeverity; 4] = [
        AlertSeverity::Low,
        AlertSeverity::Medium,
        AlertSeverity::High,
        AlertSeverity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Low => "low",
            AlertSeverity::Medium => "medium",
            AlertSeverity::High => "high",
            AlertSeverity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// One step up, Critical stays Critical.
    pub fn raised(self) -> Self {
        match self {
            AlertSeverity::Low => AlertSeverity::Medium,
            AlertSeverity::Medium => AlertSeverity::High,
            AlertSeverity::High | AlertSeverity::Critical => AlertSeverity::Critical,
        }
    }
}

/// Where an alert is in its life. A snoozed alert whose time has passed is reported as `active` again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Active,
    Snoozed,
    Escalated,
    Dismissed,
    Resolved,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 5] = [
        AlertStatus::Active,
        AlertStatus::Snoozed,
        AlertStatus::Escalated,
        AlertStatus::Dismissed,
        AlertStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Active => "active",
            AlertStatus::Snoozed => "snoozed",
            AlertStatus::Escalated => "escalated",
            AlertStatus::Dismissed => "dismissed",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Active, snoozed or escalated: the condition still needs someone.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AlertStatus::Active | AlertStatus::Snoozed | AlertStatus::Escalated
        )
    }
}

/// A reference to a client, as other resources show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientRef {
    pub id: Uuid,
    pub name: String,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: Uuid,
    pub client: Option<ClientRef>,
    #[serde(rename = "type")]
    pub alert_type: AlertType,
    pub severity: AlertSeverity,
    pub status: AlertStatus,
    pub title: String,
    pub description: String,
    /// Why the rule fired, one sentence each.
    pub reasons: Vec<String>,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub escalated_to: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/alerts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AlertListQuery {
    /// `open` (default: active, escalated and snoozed-but-due), `all`, or one status.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^(|open|all|active|snoozed|escalated|dismissed|resolved)$")
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<AlertSeverity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub alert_type: Option<AlertType>,
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Hide an alert until a time; it comes back as active then.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnoozeAlertRequest {
    /// In the future, at most 90 days ahead.
    pub until: DateTime<Utc>,
}

/// Raise an alert's severity and hand it to a team member, who is notified.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalateAlertRequest {
    pub to_user_id: Uuid,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
