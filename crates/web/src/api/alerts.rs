//! `/api/v1/alerts`: list, snooze, escalate, dismiss and resolve.

use audienceos_shared::alerts::{Alert, AlertListQuery, EscalateAlertRequest, SnoozeAlertRequest};
use audienceos_shared::Page;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{get, post, post_empty, query_string, ApiResult};

/// `GET /alerts?..` (open alerts unless `status` says otherwise).
pub async fn list_alerts(query: &AlertListQuery) -> ApiResult<Page<Alert>> {
    get(&format!("/alerts{}", query_string(query))).await
}

/// `GET /alerts/{id}`.
pub async fn get_alert(id: Uuid) -> ApiResult<Alert> {
    get(&format!("/alerts/{id}")).await
}

/// `POST /alerts/{id}/snooze`: hidden until `until`, then active again.
pub async fn snooze_alert(id: Uuid, until: DateTime<Utc>) -> ApiResult<Alert> {
    post(&format!("/alerts/{id}/snooze"), &SnoozeAlertRequest { until }).await
}

/// `POST /alerts/{id}/escalate`: severity up one step, handed to a member who is notified.
pub async fn escalate_alert(id: Uuid, body: &EscalateAlertRequest) -> ApiResult<Alert> {
    post(&format!("/alerts/{id}/escalate"), body).await
}

/// `POST /alerts/{id}/dismiss`.
pub async fn dismiss_alert(id: Uuid) -> ApiResult<Alert> {
    post_empty(&format!("/alerts/{id}/dismiss")).await
}

/// `POST /alerts/{id}/resolve`.
pub async fn resolve_alert(id: Uuid) -> ApiResult<Alert> {
    post_empty(&format!("/alerts/{id}/resolve")).await
}
