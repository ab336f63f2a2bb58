//! The agency's audit log of security events.

use actix_web::{web, HttpResponse};
use audienceos_shared::audit::AuditEvent;
use audienceos_shared::{Page, PageQuery, Problem};

use crate::auth::identity::SettingsRead;
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::Query;
use crate::state::AppState;

/// List audit events
///
/// Sign-ins (and failures), sign-outs, password changes and resets, API key changes and permission
/// denials, newest first.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(PageQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_audit_log(
    state: web::Data<AppState>,
    me: Authorized<SettingsRead>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let (rows, next_cursor) = state
        .store
        .list_audit(me.agency_id, q.limit(), q.cursor.as_deref())
        .await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            action: r.action,
            outcome: r.outcome,
            actor_user_id: r.actor_user_id,
            actor_name: match (r.actor_first_name, r.actor_last_name) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                _ => None,
            },
            ip: r.ip,
            metadata: r.metadata.0,
            created_at: r.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
