//! The agency's task list across clients (`GET /api/v1/tasks`): what the dashboard's task cards count.
//! A task itself, and the per-client routes, are in `client_work`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::alerts::ClientRef;
use crate::client_work::Task;

/// Open tasks (the default), done ones, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    #[default]
    Open,
    Done,
    All,
}

/// When a task is due, relative to today in the agency's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskDue {
    /// Before today (what the "Overdue tasks" card counts, with `status=open`).
    Overdue,
    Today,
    /// Tomorrow to six days ahead.
    Week,
    /// A week ahead or later.
    Later,
    /// No due date.
    None,
}

impl TaskDue {
    pub const ALL: [TaskDue; 5] = [Self::Overdue, Self::Today, Self::Week, Self::Later, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Today => "today",
            Self::Week => "week",
            Self::Later => "later",
            Self::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The group a due date falls in, from today.
    pub fn of(due: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> Self {
        match due {
            None => Self::None,
            Some(d) if d < today => Self::Overdue,
            Some(d) if d == today => Self::Today,
            Some(d) if d < today + chrono::Duration::days(7) => Self::Week,
            Some(_) => Self::Later,
        }
    }

    /// What the SPA heads a group of these tasks with.
    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Overdue",
            Self::Today => "Due today",
            Self::Week => "This week",
            Self::Later => "Later",
            Self::None => "No due date",
        }
    }
}

/// `GET /api/v1/tasks`: tasks of active (not archived) clients the caller can see, soonest due first, those
/// without a due date last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TaskListQuery {
    /// `open` (default), `done` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// `me`, `none` (unassigned), or a member's id; empty means anyone.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^(|me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// `overdue`, `today`, `week` (tomorrow to six days ahead), `later` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<TaskDue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    /// Matches the title, case-insensitively.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Who a task list is filtered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Member(Uuid),
}

impl AssigneeFilter {
    /// `me`, `none` or a member id.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "me" => Some(Self::Me),
            "none" => Some(Self::Unassigned),
            other => Uuid::parse_str(other).ok().map(Self::Member),
        }
    }
}

/// A task with the client it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskListItem {
    #[serde(flatten)]
    pub task: Task,
    pub client: ClientRef,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn due_groups_follow_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let day = |n: i64| Some(today + chrono::Duration::days(n));
        assert_eq!(TaskDue::of(None, today), TaskDue::None);
        assert_eq!(TaskDue::of(day(-1), today), TaskDue::Overdue);
        assert_eq!(TaskDue::of(day(0), today), TaskDue::Today);
        assert_eq!(TaskDue::of(day(6), today), TaskDue::Week);
        assert_eq!(TaskDue::of(day(7), today), TaskDue::Later);
        for d in TaskDue::ALL {
            assert_eq!(TaskDue::parse(d.as_str()), Some(d));
        }
        assert_eq!(AssigneeFilter::parse("me"), Some(AssigneeFilter::Me));
        assert_eq!(AssigneeFilter::parse("nobody"), None);
    }
}
