//! Alerts: list, read, snooze, escalate, dismiss, resolve (`services::alerts`).

use actix_web::{web, HttpResponse};
use audienceos_shared::alerts::{Alert, AlertListQuery, EscalateAlertRequest, SnoozeAlertRequest};
use audienceos_shared::{Page, Problem};
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::{Json, Query};
use crate::services::alerts;
use crate::state::AppState;

/// List alerts
///
/// Newest first. `status=open` (the default) is active, escalated, and snoozed alerts whose time has
/// passed (reported as `active`); `all`; or one status. Members see the alerts of their clients only;
/// alerts without a client are for Managers and above.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertListQuery),
    responses((status = 200, body = Page<Alert>), (status = 422, body = Problem)))]
pub async fn list_alerts(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<AlertListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(alerts::list(&state, &me, q.into_inner()).await?))
}

/// Get an alert
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem)))]
pub async fn get_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(alerts::get(&state, &me, id.into_inner()).await?))
}

/// Snooze an alert
///
/// Hidden from the open list until `until` (in the future, at most 90 days ahead), then active again.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/snooze", tag = "alerts", request_body = SnoozeAlertRequest,
    params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`alert_closed`"), (status = 422, body = Problem)))]
pub async fn snooze_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<SnoozeAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(alerts::snooze(&state, &me, id.into_inner(), body.until).await?))
}

/// Escalate an alert
///
/// Raises the severity one step, assigns the alert to an active team member and notifies them (a
/// notification, and an email through the outbox).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/escalate", tag = "alerts", request_body = EscalateAlertRequest,
    params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`alert_closed`"), (status = 422, body = Problem)))]
pub async fn escalate_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: Json<EscalateAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let alert = alerts::escalate(&state, &me, id.into_inner(), body.to_user_id, body.note.as_deref()).await?;
    Ok(HttpResponse::Ok().json(alert))
}

/// Dismiss an alert
#[utoipa::path(post, path = "/api/v1/alerts/{id}/dismiss", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem), (status = 409, body = Problem, description = "`alert_closed`")))]
pub async fn dismiss_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(alerts::dismiss(&state, &me, id.into_inner()).await?))
}

/// Resolve an alert
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem), (status = 409, body = Problem, description = "`alert_closed`")))]
pub async fn resolve_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(alerts::resolve(&state, &me, id.into_inner()).await?))
}
