//! API keys for third-party callers (`Authorization: Bearer aos_...`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::permissions::SystemRole;

/// Create an API key. The secret is returned once, in the response.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, 1 to 80 characters.
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    #[cfg_attr(feature = "openapi", schema(example = "Reporting export"))]
    pub name: String,
    /// The role whose permissions the key carries; at most the creator's own role.
    pub role: SystemRole,
    /// Days until the key expires, 1 to 365.
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365 days"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    #[cfg_attr(feature = "openapi", schema(example = 90))]
    pub expires_in_days: u32,
}

/// An API key as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub role: SystemRole,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly created key with its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    /// The full key (`aos_...`); store it now, it cannot be shown again.
    pub secret: String,
}
