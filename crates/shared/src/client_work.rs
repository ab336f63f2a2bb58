//! What hangs off a client: notes, tasks and files.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::team::UserRef;

/// The largest file a client upload may be (25 MiB), unless the server is configured otherwise.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// A note on a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: Uuid,
    pub client_id: Uuid,
    pub body: String,
    pub author: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// True once the note has been changed after it was written.
    pub edited: bool,
}

/// Write or rewrite a note.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    #[validate(length(min = 1, max = 5000, message = "must be 1 to 5000 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub body: String,
}

/// A task on a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: Uuid,
    pub client_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub assignee: Option<UserRef>,
    pub due_date: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<UserRef>,
    /// Order within the client's task list, 0-based.
    pub position: i32,
    /// Open and due before today (in the agency's time zone).
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create a task; it goes last.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
}

/// Change a task: an absent field is left alone, `null` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskRequest {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<Option<NaiveDate>>,
    #[validate(range(min = 0, max = 10000, message = "must be between 0 and 10000"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
}

/// A file attached to a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientFile {
    pub id: Uuid,
    pub client_id: Uuid,
    /// The name it was uploaded with (sanitised).
    pub name: String,
    /// The type the server detected from the content, not the one the browser claimed.
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
}
