//! The dashboard: KPIs with their previous period, daily trends, and the firehose of real events.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::alerts::{Alert, AlertSeverity, ClientRef};

/// Which way a number moved against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Flat,
    /// No value for the previous period yet.
    Unknown,
}

/// One KPI card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpi {
    /// `active_clients`, `at_risk`, `avg_days_in_stage`, `onboarding`, `open_tasks`, `overdue_tasks`, `open_alerts`.
    pub key: String,
    pub label: String,
    pub value: f64,
    /// The value at the start of the period, when known.
    pub previous: Option<f64>,
    pub trend: Trend,
    /// True when a rise is good news (active clients), false when it is bad news (at risk).
    pub higher_is_better: bool,
    /// `count` or `days`.
    pub unit: String,
    /// Where the card leads in the SPA, e.g. `/clients?health=red`.
    pub link: String,
}

/// `GET /api/v1/dashboard/kpis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardKpis {
    pub period_days: u32,
    pub kpis: Vec<Kpi>,
    pub generated_at: DateTime<Utc>,
}

/// `?period_days=` of the KPIs: 7, 30 or 90.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct KpiQuery {
    #[validate(custom(function = "crate::dashboard::period"))]
    /// 7, 30 (the default) or 90.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = "^(7|30|90)$"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_days: Option<u32>,
}

pub fn period(days: u32) -> Result<(), validator::ValidationError> {
    if [7, 30, 90].contains(&days) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("period").with_message("must be 7, 30 or 90".into()))
    }
}

/// `GET /api/v1/dashboard/trends?from=&to=`: at most 366 days, `to` not before `from`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TrendQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One day of the trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    pub date: NaiveDate,
    pub new_clients: i64,
    pub stage_moves: i64,
    pub tasks_completed: i64,
    pub alerts_raised: i64,
}

/// The daily series for a range, every day present (zeros included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendSeries {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub points: Vec<TrendPoint>,
}

/// What a firehose item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FirehoseKind {
    Alert,
    StageMove,
    TaskDue,
    Note,
}

impl FirehoseKind {
    pub const ALL: [FirehoseKind; 4] = [Self::Alert, Self::StageMove, Self::TaskDue, Self::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "alert",
            Self::StageMove => "stage_move",
            Self::TaskDue => "task_due",
            Self::Note => "note",
        }
    }
}

/// `GET /api/v1/dashboard/firehose?kind=&limit=&cursor=`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FirehoseQuery {
    /// Only entries of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FirehoseKind>,
    /// Page size, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One event of the firehose, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FirehoseItem {
    /// `kind:uuid`, stable across pages.
    pub id: String,
    pub kind: FirehoseKind,
    pub at: DateTime<Utc>,
    pub client: Option<ClientRef>,
    pub title: String,
    pub detail: Option<String>,
    pub severity: Option<AlertSeverity>,
    /// The alert itself, for `alert` items, so the SPA can act on it.
    pub alert: Option<Alert>,
}
