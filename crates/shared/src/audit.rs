//! Security events as the audit log lists them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One security-relevant event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    /// What happened, for example `auth.login` or `api_key.created`.
    pub action: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// The acting user, when known.
    pub actor_user_id: Option<Uuid>,
    /// The acting user's name, when known.
    pub actor_name: Option<String>,
    /// The client IP the request came from.
    pub ip: Option<String>,
    /// Extra, non-secret details.
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
