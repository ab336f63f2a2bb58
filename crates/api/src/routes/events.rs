//! `GET /api/v1/events`: live updates as Server-Sent Events.
//!
//! A stream belongs to one caller: it carries only their agency's events, and a Member only those of the
//! clients granted to them (the store filters by the caller's client scope). It needs communications
//! read, since every event kind today is about messages, threads and replies; the same permission every
//! role has to see the inbox, so an API key without it gets `403` rather than a stream of keys it could
//! not open.
//!
//! The stream sends `retry: 3000` first, then one frame per event (`id`, `event` = kind, `data` = the
//! `LiveEvent` JSON), and a `: keep-alive` comment every 15 s (`AOS_EVENT_KEEPALIVE_SECS`). It waits on
//! the process's event bus (woken for its agency by a write in this process, or on Postgres by the
//! NOTIFY listener for a write in any process) and reads the event log from where it is, 100 at a time;
//! each keep-alive also re-reads the log, so a lost wake-up delays an event by one keep-alive at most.
//!
//! Resuming: `Last-Event-ID` (or `?last_event_id=`) replays what was missed, in order. Without an id the
//! stream starts at the newest event. An id before the oldest kept event, after the newest one, not a
//! number, or more than 1000 visible events behind gets one `reset` event (carrying the id to resume
//! from) and the stream continues from the newest event.
//!
//! Each open stream holds a slot of the process (`AOS_EVENT_STREAMS_MAX`, default 1000; beyond it `503
//! too_many_streams`). When the client goes away the server notices at the next write (a keep-alive at
//! the latest), drops the stream and frees its slot: a stream is a future driven by the response, not a
//! detached task.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::events::LiveEvent;
use audienceos_shared::Problem;
use serde::Deserialize;

use crate::auth::identity::CommunicationsRead;
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Query;
use crate::services::events;
use crate::state::AppState;

/// For clients that cannot set `Last-Event-ID` (the header wins when both are sent).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The id of the last event received: replay from after it.
    pub last_event_id: Option<i64>,
}

/// Live updates (Server-Sent Events)
///
/// A `text/event-stream` of the agency's events the caller may see: `messages.created`, `thread.updated`,
/// `reply.updated`, and `reset` when missed events cannot be replayed (reload what is shown). Each frame
/// is `id: <id>`, `event: <kind>`, `data: <LiveEvent JSON>`; idle streams get a `: keep-alive` comment
/// every 15 s. Reconnect with `Last-Event-ID` (or `?last_event_id=`) to receive what was missed, in order.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received (sent by browsers when they reconnect)"),
        EventsQuery,
    ),
    responses(
        (status = 200, content_type = "text/event-stream", body = LiveEvent,
            description = "An endless stream of SSE frames; each `data` is a LiveEvent"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 503, body = Problem, description = "`too_many_streams`: this server holds as many streams as it may; retry later"),
    ))]
pub async fn stream_events(
    state: web::Data<AppState>,
    me: Authorized<CommunicationsRead>,
    req: HttpRequest,
    q: Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let resume: Option<Option<i64>> = match req.headers().get("last-event-id") {
        Some(v) => Some(v.to_str().ok().and_then(|s| s.trim().parse().ok())),
        None => q.last_event_id.map(Some),
    };
    let stream = events::open(state, me.tenant(), resume).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream))
}
