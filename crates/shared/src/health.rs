//! The deep health report of `GET /api/health`.

use serde::{Deserialize, Serialize};

/// Status of the whole service or one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Working.
    Ok,
    /// Working, with a warning (for example a provider that is not configured).
    Degraded,
    /// Not working; the service answers 503.
    Failing,
}

/// Result of `GET /api/health`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthReport {
    /// `ok` when every check passed, `failing` when any check failed.
    pub status: HealthStatus,
    /// Server version.
    pub version: String,
    /// Per-check results.
    pub checks: Vec<HealthCheck>,
    /// Which external providers have credentials configured.
    pub providers: Vec<ProviderConfigured>,
}

/// One check of the health report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthCheck {
    /// `database`, `migrations`, `job_queue`, `mail` or `redis`.
    pub name: String,
    /// Check result.
    pub status: HealthStatus,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
    /// What was found, without internals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Whether one provider is configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderConfigured {
    /// Provider name, for example `google`.
    pub name: String,
    /// True when its credentials are set.
    pub configured: bool,
}
