//! Alerts: list, read, and the four things people do to one (snooze, escalate, dismiss, resolve), each
//! persisted, audit-logged and followed by a health refresh of the alert's client. Time comes from the
//! app clock (`state.clock`), so a snooze's return can be tested.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::alerts::{Alert, AlertListQuery, AlertSeverity, EscalateAlertRequest, SnoozeAlertRequest};
use audienceos_shared::pagination::page_limit;
use audienceos_shared::{Page, Problem};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{ClientsRead, ClientsWrite};
use crate::auth::{Authorized, Identity};
use crate::domain::tenant::Tenant;
use crate::error::{validate, ApiError, Code};
use crate::services::alerts::alert_dto;
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::alerts::{AlertAction, AlertFilter, AlertRow, NewNotification, StatusFilter};
use crate::store::outbox::NewEmail;

/// The longest snooze.
pub const MAX_SNOOZE_DAYS: i64 = 90;

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
    q: web::Query<AlertListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    validate(&q)?;
    let status = StatusFilter::parse(q.status.as_deref()).ok_or_else(|| {
        ApiError::field(
            "status",
            "unknown",
            "must be open, all, active, snoozed, escalated, dismissed or resolved",
        )
    })?;
    let filter = AlertFilter {
        status,
        severity: q.severity,
        client_id: q.client_id,
        alert_type: q.alert_type,
    };
    let now = state.clock.now();
    let limit = page_limit(q.limit);
    let (rows, next_cursor) = state
        .store
        .list_alerts(me.tenant(), &filter, now, limit, q.cursor.as_deref())
        .await?;
    let items = rows.into_iter().map(|r| alert_dto(r, now)).collect();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Get an alert
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem)))]
pub async fn get_alert(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state.store.get_alert(me.tenant(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(alert_dto(row, state.clock.now())))
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
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<SnoozeAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let until = body.until;
    if until <= now {
        return Err(ApiError::field("until", "past", "must be in the future"));
    }
    if until > now + chrono::Duration::days(MAX_SNOOZE_DAYS) {
        return Err(ApiError::field("until", "too_far", "must be at most 90 days ahead"));
    }
    let action = AlertAction::Snooze { until };
    act(
        &state,
        &req,
        &me,
        id.into_inner(),
        action,
        "alert.snoozed",
        json!({ "until": until }),
    )
    .await
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
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
    body: web::Json<EscalateAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let id = id.into_inner();
    let current = visible_open(&state, &me, id).await?;
    crate::services::team::check_member(&state, me.agency_id, body.to_user_id, "to_user_id").await?;
    let to = state.store.get_user(me.agency_id, body.to_user_id).await?;
    let severity = AlertSeverity::parse(&current.severity)
        .unwrap_or(AlertSeverity::Low)
        .raised();
    let link = format!("/dashboard?alert={id}");
    let note = body.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let mut text = format!(
        "{} escalated an alert to you: {}",
        me_name(&state, &me).await,
        current.title
    );
    if let Some(n) = note {
        text.push_str(&format!("\n\n{n}"));
    }
    let action = AlertAction::Escalate {
        severity,
        to: to.id,
        notification: NewNotification {
            user_id: to.id,
            kind: "alert_escalated",
            title: format!("Escalated to you: {}", current.title),
            body: text.clone(),
            link: Some(link.clone()),
        },
    };
    let res = act(
        &state,
        &req,
        &me,
        id,
        action,
        "alert.escalated",
        json!({ "to_user_id": to.id, "severity": severity.as_str() }),
    )
    .await?;
    let url = format!("{}{}", state.settings.public_url.as_str().trim_end_matches('/'), link);
    let email = NewEmail {
        agency_id: Some(me.agency_id),
        to: to.email.clone(),
        subject: format!("Escalated to you: {}", current.title),
        body_text: format!("{text}\n\nOpen it: {url}\n"),
        body_html: None,
    };
    match state.store.queue_email(&email, state.now()).await {
        Ok(_) => state.jobs.notify(),
        // The escalation and its notification stand; a lost email is logged, not a failed request.
        Err(e) => tracing::error!(error.cause_chain = ?e, "could not queue the escalation email"),
    }
    Ok(res)
}

/// Dismiss an alert
#[utoipa::path(post, path = "/api/v1/alerts/{id}/dismiss", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem), (status = 409, body = Problem, description = "`alert_closed`")))]
pub async fn dismiss_alert(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &req,
        &me,
        id.into_inner(),
        AlertAction::Dismiss,
        "alert.dismissed",
        json!({}),
    )
    .await
}

/// Resolve an alert
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts", params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = Problem), (status = 409, body = Problem, description = "`alert_closed`")))]
pub async fn resolve_alert(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &req,
        &me,
        id.into_inner(),
        AlertAction::Resolve,
        "alert.resolved",
        json!({}),
    )
    .await
}

fn closed() -> ApiError {
    ApiError::new(Code::AlertClosed, "This alert is already dismissed or resolved.")
}

/// The alert, if the caller may see it and it is still open.
async fn visible_open(state: &AppState, me: &Identity, id: Uuid) -> Result<AlertRow, ApiError> {
    let row = state.store.get_alert(me.tenant(), id).await?;
    if !row.is_open() {
        return Err(closed());
    }
    Ok(row)
}

async fn me_name(state: &AppState, me: &Identity) -> String {
    match state.store.get_user(me.agency_id, me.user_id).await {
        Ok(u) => format!("{} {}", u.first_name, u.last_name),
        Err(_) => "A teammate".into(),
    }
}

/// Check, apply, audit, refresh the client's health, answer with the alert.
async fn act(
    state: &AppState,
    _req: &HttpRequest,
    me: &Identity,
    id: Uuid,
    action: AlertAction,
    audit_action: &'static str,
    extra: serde_json::Value,
) -> Result<HttpResponse, ApiError> {
    let row = visible_open(state, me, id).await?;
    let now = state.clock.now();
    if !state
        .store
        .act_on_alert(me.agency_id, id, me.user_id, &action, now)
        .await?
    {
        return Err(closed());
    }
    Audit::by(me, audit_action)
        .meta(json!({ "alert_id": id, "client_id": row.client_id, "type": row.alert_type }))
        .meta(extra)
        .record(state)
        .await;
    if let Some(client_id) = row.client_id {
        state.store.refresh_health(me.agency_id, Some(client_id), now).await?;
    }
    let row = state.store.get_alert(Tenant::agency(me.agency_id), id).await?;
    Ok(HttpResponse::Ok().json(alert_dto(row, now)))
}
