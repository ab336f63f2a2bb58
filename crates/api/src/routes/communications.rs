//! A client's communications: the Gmail and Slack messages syncs filed on the client, newest first.
//! Bodies are not listed (the snippet is); the caller needs communications read and must see the client.

use actix_web::{web, HttpResponse};
use audienceos_shared::integrations::Communication;
use audienceos_shared::{Page, PageQuery, Problem};
use uuid::Uuid;

use crate::auth::identity::CommunicationsRead;
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::extract::Query;
use crate::state::AppState;
use crate::store::communications::CommunicationRow;

/// List a client's communications
///
/// Messages synced from Gmail and Slack, newest first, cursor-paginated.
#[utoipa::path(get, path = "/api/v1/clients/{id}/communications", tag = "communications",
    params(("id" = Uuid, Path, description = "Client id"), PageQuery),
    responses((status = 200, body = Page<Communication>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_client_communications(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsRead>,
    id: web::Path<Uuid>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let (rows, next_cursor) = state
        .store
        .list_client_communications(me.agency_id, client_id, q.limit(), q.cursor.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(to_dto).collect::<Vec<_>>(),
        next_cursor,
    }))
}

fn to_dto(r: CommunicationRow) -> Communication {
    Communication {
        id: r.id,
        client_id: r.client_id,
        platform: r.platform,
        thread_id: r.thread_id,
        sender_email: r.sender_email,
        sender_name: r.sender_name,
        subject: r.subject,
        snippet: r.snippet,
        is_inbound: r.is_inbound,
        needs_reply: r.needs_reply,
        received_at: r.received_at,
    }
}
