//! Alerts: list, read, and the four things people do to one (snooze, escalate, dismiss, resolve), each
//! persisted, audit-logged and followed by a health refresh of the alert's client; and the alert as the API
//! shows it. Time comes from the app clock (`state.now()`), so a snooze's return can be tested.

use audienceos_shared::alerts::{Alert, AlertListQuery, AlertSeverity, AlertStatus, AlertType, ClientRef};
use audienceos_shared::pagination::page_limit;
use audienceos_shared::team::UserRef;
use audienceos_shared::Page;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Identity;
use crate::domain::stored::Stored as _;
use crate::domain::tenant::Tenant;
use crate::error::{validate, ApiError, Code};
use crate::services::audit::Audit;
use crate::state::AppState;
use crate::store::alerts::{AlertAction, AlertFilter, AlertRow, NewNotification, StatusFilter};
use crate::store::outbox::NewEmail;

/// The longest snooze.
pub const MAX_SNOOZE_DAYS: i64 = 90;

/// A page of alerts, newest first.
pub async fn list(state: &AppState, me: &Identity, q: AlertListQuery) -> Result<Page<Alert>, ApiError> {
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
    let now = state.now();
    let (rows, next_cursor) = state
        .store
        .list_alerts(me.tenant(), &filter, now, page_limit(q.limit), q.cursor.as_deref())
        .await?;
    let items = rows.into_iter().map(|r| alert_dto(r, now)).collect();
    Ok(Page { items, next_cursor })
}

/// One alert the caller may see.
pub async fn get(state: &AppState, me: &Identity, id: Uuid) -> Result<Alert, ApiError> {
    let row = state.store.get_alert(me.tenant(), id).await?;
    Ok(alert_dto(row, state.now()))
}

/// Hide an open alert until `until` (in the future, at most 90 days ahead).
pub async fn snooze(state: &AppState, me: &Identity, id: Uuid, until: DateTime<Utc>) -> Result<Alert, ApiError> {
    let now = state.now();
    if until <= now {
        return Err(ApiError::field("until", "past", "must be in the future"));
    }
    if until > now + chrono::Duration::days(MAX_SNOOZE_DAYS) {
        return Err(ApiError::field("until", "too_far", "must be at most 90 days ahead"));
    }
    act(
        state,
        me,
        id,
        AlertAction::Snooze { until },
        "alert.snoozed",
        json!({ "until": until }),
    )
    .await
}

/// Raise the severity one step, assign the alert to an active team member and notify them (a
/// notification, and an email through the outbox).
pub async fn escalate(
    state: &AppState,
    me: &Identity,
    id: Uuid,
    to_user_id: Uuid,
    note: Option<&str>,
) -> Result<Alert, ApiError> {
    let current = visible_open(state, me, id).await?;
    crate::services::team::check_member(state, me.agency_id, to_user_id, "to_user_id").await?;
    let to = state.store.get_user(me.agency_id, to_user_id).await?;
    let severity = AlertSeverity::from_stored(&current.severity).raised();
    let link = crate::domain::dashboard::alert_link(id);
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let mut text = format!(
        "{} escalated an alert to you: {}",
        me_name(state, me).await,
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
    let meta = json!({ "to_user_id": to.id, "severity": severity.as_str() });
    let alert = act(state, me, id, action, "alert.escalated", meta).await?;
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
    Ok(alert)
}

/// Dismiss an open alert.
pub async fn dismiss(state: &AppState, me: &Identity, id: Uuid) -> Result<Alert, ApiError> {
    act(state, me, id, AlertAction::Dismiss, "alert.dismissed", json!({})).await
}

/// Resolve an open alert.
pub async fn resolve(state: &AppState, me: &Identity, id: Uuid) -> Result<Alert, ApiError> {
    act(state, me, id, AlertAction::Resolve, "alert.resolved", json!({})).await
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
    me: &Identity,
    id: Uuid,
    action: AlertAction,
    audit_action: &'static str,
    extra: serde_json::Value,
) -> Result<Alert, ApiError> {
    let row = visible_open(state, me, id).await?;
    let now = state.now();
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
    Ok(alert_dto(row, now))
}

/// An alert row as the API shows it (a snooze whose time has passed is `active`).
pub fn alert_dto(r: AlertRow, now: DateTime<Utc>) -> Alert {
    let status = r.effective_status(now);
    Alert {
        id: r.id,
        client: r.client_id.map(|id| ClientRef {
            id,
            name: r.client_name.clone().unwrap_or_default(),
        }),
        alert_type: AlertType::from_stored(&r.alert_type),
        severity: AlertSeverity::from_stored(&r.severity),
        snoozed_until: if status == AlertStatus::Snoozed {
            r.snoozed_until
        } else {
            None
        },
        status,
        title: r.title,
        description: r.description,
        reasons: r.reasons.0,
        escalated_to: r.escalated_to.map(|id| UserRef {
            id,
            name: format!(
                "{} {}",
                r.escalated_first_name.unwrap_or_default(),
                r.escalated_last_name.unwrap_or_default()
            ),
        }),
        created_at: r.created_at,
        updated_at: r.updated_at,
        closed_at: r.closed_at,
    }
}
