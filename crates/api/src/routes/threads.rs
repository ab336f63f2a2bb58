//! The communications hub's thread API: the inbox list with filters, search and counts for the sidebar,
//! one thread with its messages and notes, and the team's actions on it (read/unread, needs reply,
//! assignment, internal notes). Reading needs communications read and sees only threads of visible
//! clients (Members: granted clients); acting needs communications write. A thread the caller cannot see
//! (another agency's, or a client not granted) is 404 on every route. The list and the counts are read
//! through the read cache (per data version, scope and user), like the other polled lists.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::communications::{
    NewThreadNote, Thread, ThreadCounts, ThreadMessage, ThreadNote, ThreadQuery, ThreadSummary, UpdateThread,
};
use audienceos_shared::events::LiveEventBody;
use audienceos_shared::pagination::page_limit;
use audienceos_shared::{Page, Problem};

use crate::auth::identity::{CommunicationsRead, CommunicationsWrite};
use crate::auth::{Authorized, Identity};
use crate::error::{validate, ApiError};
use crate::extract::{Json, Query};
use crate::read_cache::{json_body, to_bytes, BodyKey};
use crate::state::AppState;
use crate::store::threads::{
    ThreadFilter, ThreadKey, ThreadMessageRow, ThreadNoteRow, ThreadRow, ThreadUpdate, ThreadUpdateError,
};

/// The store's filter for a query, after checking the values a query string cannot type.
fn filter(me: &Identity, q: &ThreadQuery) -> Result<ThreadFilter, ApiError> {
    validate(q)?;
    if let Some(p) = q.platform.as_deref() {
        if !matches!(p, "gmail" | "slack") {
            return Err(ApiError::field(
                "platform",
                "invalid_platform",
                "must be gmail or slack",
            ));
        }
    }
    let assigned_to = match q.assigned.as_deref() {
        None => None,
        Some("me") => Some(me.user_id),
        Some(_) => return Err(ApiError::field("assigned", "invalid_assigned", "must be me")),
    };
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(ApiError::field("from", "invalid_range", "must not be after to"));
        }
    }
    Ok(ThreadFilter {
        client_id: q.client_id,
        platform: q.platform.clone(),
        needs_reply: q.needs_reply,
        unread: q.unread,
        assigned_to,
        from: q.from,
        to: q.to,
        q: q.q.clone(),
        key: None,
    })
}

/// A path key (already percent-decoded); one that names no thread is 404.
fn key(raw: &str) -> Result<ThreadKey, ApiError> {
    ThreadKey::parse(raw).ok_or(ApiError::NotFound)
}

/// List threads
///
/// Gmail and Slack threads of the visible clients, newest first by their latest message, cursor-paginated.
#[utoipa::path(get, path = "/api/v1/communications/threads", tag = "communications",
    params(ThreadQuery),
    responses((status = 200, body = Page<ThreadSummary>), (status = 422, body = Problem)))]
pub async fn list_threads(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<CommunicationsRead>,
    q: Query<ThreadQuery>,
) -> Result<HttpResponse, ApiError> {
    let f = filter(&me, &q)?;
    let limit = page_limit(q.limit);
    let body = state
        .reads
        .body(cache_key("threads", &req, &me), async {
            let (rows, next_cursor) = state
                .store
                .list_threads(me.tenant(), &f, limit, q.cursor.as_deref())
                .await?;
            to_bytes(&Page {
                items: rows.into_iter().map(summary).collect::<Vec<_>>(),
                next_cursor,
            })
        })
        .await?;
    Ok(json_body(body))
}

/// The read cache's key of a thread list or counts: per data version, scope and also per user, since
/// "assigned to me" depends on who asks.
fn cache_key(endpoint: &'static str, req: &HttpRequest, me: &Identity) -> BodyKey {
    let mut key = BodyKey::of(endpoint, req, me);
    key.query = format!("{}#{}", key.query, me.user_id);
    key
}

/// Count threads per filter
///
/// For the sidebar badges: each count applies every other active filter but its own.
#[utoipa::path(get, path = "/api/v1/communications/counts", tag = "communications",
    params(ThreadQuery),
    responses((status = 200, body = ThreadCounts), (status = 422, body = Problem)))]
pub async fn thread_counts(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<CommunicationsRead>,
    q: Query<ThreadQuery>,
) -> Result<HttpResponse, ApiError> {
    let f = filter(&me, &q)?;
    let body = state
        .reads
        .body(cache_key("thread_counts", &req, &me), async {
            let c = state.store.count_threads(me.tenant(), me.user_id, &f).await?;
            to_bytes(&ThreadCounts {
                all: c.all_count,
                needs_reply: c.needs_reply_count,
                unread: c.unread_count,
                assigned_to_me: c.assigned_count,
                gmail: c.gmail_count,
                slack: c.slack_count,
            })
        })
        .await?;
    Ok(json_body(body))
}

/// Get a thread
///
/// Its summary, messages oldest first and internal notes.
#[utoipa::path(get, path = "/api/v1/communications/threads/{key}", tag = "communications",
    params(("key" = String, Path, description = "Thread key `platform:thread id`, percent-encoded")),
    responses((status = 200, body = Thread), (status = 404, body = Problem)))]
pub async fn get_thread(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsRead>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&path)?;
    let row = state.store.get_thread_summary(me.tenant(), &key).await?;
    let messages = state.store.list_thread_messages(me.tenant(), &key).await?;
    let notes = state.store.list_thread_notes(me.agency_id, &key).await?;
    let replies = state.store.list_thread_replies(me.agency_id, &key).await?;
    Ok(HttpResponse::Ok().json(Thread {
        summary: summary(row),
        messages: messages.into_iter().map(message).collect(),
        notes: notes.into_iter().map(note).collect(),
        replies: replies.into_iter().map(crate::services::replies::to_reply).collect(),
    }))
}

/// Update a thread
///
/// Mark it read or unread, set or clear needs-reply, assign it to a user of the agency or unassign it.
#[utoipa::path(patch, path = "/api/v1/communications/threads/{key}", tag = "communications",
    request_body = UpdateThread,
    params(("key" = String, Path, description = "Thread key `platform:thread id`, percent-encoded")),
    responses((status = 200, body = ThreadSummary), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_thread(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsWrite>,
    path: web::Path<String>,
    body: Json<UpdateThread>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&path)?;
    state.store.get_thread_summary(me.tenant(), &key).await?;
    let body = body.into_inner();
    let update = ThreadUpdate {
        read: body.read,
        needs_reply: body.needs_reply,
        assigned_to: body.assigned_to,
    };
    state
        .store
        .update_thread(me.agency_id, &key, &update, state.now())
        .await
        .map_err(|e| match e {
            ThreadUpdateError::UnknownAssignee => {
                ApiError::field("assigned_to", "unknown_user", "must be an active user of the agency")
            }
            ThreadUpdateError::Store(e) => e.into(),
        })?;
    let row = state.store.get_thread_summary(me.tenant(), &key).await?;
    thread_updated(&state, me.agency_id, row.client_id, &key).await;
    Ok(HttpResponse::Ok().json(summary(row)))
}

/// Add an internal note to a thread
///
/// Notes are for the team and never sent.
#[utoipa::path(post, path = "/api/v1/communications/threads/{key}/notes", tag = "communications",
    request_body = NewThreadNote,
    params(("key" = String, Path, description = "Thread key `platform:thread id`, percent-encoded")),
    responses((status = 201, body = ThreadNote), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_thread_note(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsWrite>,
    path: web::Path<String>,
    body: Json<NewThreadNote>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&path)?;
    let mut body = body.into_inner();
    body.body = body.body.trim().to_owned();
    validate(&body)?;
    let thread = state.store.get_thread_summary(me.tenant(), &key).await?;
    let row = state
        .store
        .add_thread_note(me.agency_id, &key, me.user_id, &body.body, state.now())
        .await?;
    thread_updated(&state, me.agency_id, thread.client_id, &key).await;
    Ok(HttpResponse::Created().json(note(row)))
}

/// Tell the live-update streams of the agency that the thread changed.
async fn thread_updated(state: &AppState, agency_id: uuid::Uuid, client_id: uuid::Uuid, key: &ThreadKey) {
    crate::events::publish(
        state,
        agency_id,
        Some(client_id),
        LiveEventBody::ThreadUpdated {
            thread_key: key.to_key(),
        },
    )
    .await;
}

fn summary(r: ThreadRow) -> ThreadSummary {
    ThreadSummary {
        key: ThreadKey {
            platform: r.platform.clone(),
            thread: r.tid,
        }
        .to_key(),
        platform: r.platform,
        client_id: r.client_id,
        client_name: r.client_name,
        subject: r.subject,
        last_sender_name: r.sender_name,
        last_sender_email: r.sender_email,
        snippet: r.snippet,
        message_count: r.message_count,
        unread: r.unread_count > 0,
        needs_reply: r.needs_reply,
        assigned_to: r.assignee,
        last_message_at: r.received_at,
    }
}

fn message(r: ThreadMessageRow) -> ThreadMessage {
    ThreadMessage {
        id: r.id,
        client_id: r.client_id,
        sender_email: r.sender_email,
        sender_name: r.sender_name,
        subject: r.subject,
        snippet: r.snippet,
        body: r.body,
        is_inbound: r.is_inbound,
        read_at: r.read_at,
        received_at: r.received_at,
    }
}

fn note(r: ThreadNoteRow) -> ThreadNote {
    ThreadNote {
        id: r.id,
        author_id: r.author_id,
        body: r.body,
        created_at: r.created_at,
    }
}
