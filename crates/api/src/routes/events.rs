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

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::events::{LiveEvent, LiveEventBody};
use audienceos_shared::Problem;
use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, OwnedSemaphorePermit};
use uuid::Uuid;

use crate::auth::identity::CommunicationsRead;
use crate::auth::Authorized;
use crate::domain::tenant::Tenant;
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::store::events::EventRow;

/// Events read from the log per query.
const BATCH: i64 = 100;
/// A resume further behind than this many visible events gets `reset` instead of a replay.
const MAX_REPLAY: usize = 1000;
/// What the client should wait before reconnecting, in milliseconds.
const RETRY_MS: u32 = 3000;

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
    q: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let permit = state.events.open_stream().ok_or_else(|| {
        ApiError::new(
            Code::TooManyStreams,
            "This server holds as many live-update streams as it may; retry in a few seconds.",
        )
    })?;
    // Subscribe before reading where to start, so nothing written meanwhile goes unnoticed.
    let wake = state.events.subscribe();
    let resume: Option<Option<i64>> = match req.headers().get("last-event-id") {
        Some(v) => Some(v.to_str().ok().and_then(|s| s.trim().parse().ok())),
        None => q.last_event_id.map(Some),
    };
    let (agency_id, scope) = (me.agency_id, me.client_scope());
    let latest = state.store.latest_event_id().await?;
    let mut pending = VecDeque::new();
    pending.push_back(Bytes::from(format!("retry: {RETRY_MS}\n\n")));
    let cursor = match resume {
        None => latest,
        Some(resume) => {
            let replay = match resume {
                Some(after) if after <= latest => {
                    let oldest = state.store.oldest_event_id().await?;
                    // Events between `after` and the oldest kept one may have been pruned.
                    if oldest.is_some_and(|oldest| after < oldest - 1) {
                        None
                    } else {
                        let rows = state
                            .store
                            .events_after(me.tenant(), after, MAX_REPLAY as i64 + 1)
                            .await?;
                        (rows.len() <= MAX_REPLAY).then_some((after, rows))
                    }
                }
                // Not a number, or from the future (another deployment, a restored database).
                _ => None,
            };
            match replay {
                Some((after, rows)) => {
                    let cursor = rows.last().map_or(after, |r| r.id);
                    pending.extend(rows.iter().filter_map(frame));
                    cursor
                }
                None => {
                    pending.push_back(reset_frame(latest, state.clock.now()));
                    latest
                }
            }
        }
    };
    let keepalive_every = Duration::from_secs(state.settings.event_keepalive_secs);
    let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + keepalive_every, keepalive_every);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let conn = Conn {
        state: state.clone(),
        agency_id,
        scope,
        cursor,
        pending,
        more: false,
        wake,
        keepalive,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(conn, next_chunk);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream))
}

/// One open stream.
struct Conn {
    state: web::Data<AppState>,
    agency_id: Uuid,
    scope: Option<Uuid>,
    /// The last event id read from the log.
    cursor: i64,
    /// Chunks ready to send.
    pending: VecDeque<Bytes>,
    /// The last read filled a batch: read again without waiting.
    more: bool,
    wake: broadcast::Receiver<Uuid>,
    keepalive: tokio::time::Interval,
    /// The process's slot, freed when the stream is dropped.
    _permit: OwnedSemaphorePermit,
}

/// The next chunk of the stream; None ends it (the client reconnects and resumes).
async fn next_chunk(mut c: Conn) -> Option<(Result<Bytes, Infallible>, Conn)> {
    loop {
        if let Some(chunk) = c.pending.pop_front() {
            return Some((Ok(chunk), c));
        }
        if !c.more {
            tokio::select! {
                woken = c.wake.recv() => match woken {
                    Ok(agency) if agency == c.agency_id || agency.is_nil() => {}
                    Ok(_) => continue,
                    // Missed wake-ups: read the log anyway.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = c.keepalive.tick() => {
                    c.pending.push_back(Bytes::from_static(b": keep-alive\n\n"));
                }
            }
        }
        let rows = match c
            .state
            .store
            .events_after(
                Tenant {
                    agency_id: c.agency_id,
                    client_scope: c.scope,
                },
                c.cursor,
                BATCH,
            )
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error.cause_chain = ?e, "could not read events; ending the stream");
                return None;
            }
        };
        c.more = rows.len() as i64 == BATCH;
        if let Some(last) = rows.last() {
            c.cursor = last.id;
        }
        c.pending.extend(rows.iter().filter_map(frame));
    }
}

/// The SSE frame of a logged event (None for a kind this version does not know: skipped).
fn frame(row: &EventRow) -> Option<Bytes> {
    let body: LiveEventBody =
        match serde_json::from_value(serde_json::json!({ "kind": row.kind, "data": row.payload.0 })) {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(error = %e, id = row.id, kind = %row.kind, "skipping an event that does not decode");
                return None;
            }
        };
    Some(encode(&LiveEvent {
        id: row.id,
        at: row.created_at,
        client_id: row.client_id,
        body,
    }))
}

/// The `reset` frame: its id is where the stream continues from.
fn reset_frame(id: i64, at: chrono::DateTime<chrono::Utc>) -> Bytes {
    encode(&LiveEvent {
        id,
        at,
        client_id: None,
        body: LiveEventBody::Reset {},
    })
}

fn encode(event: &LiveEvent) -> Bytes {
    // Compact JSON has no newline, so one `data:` line carries it.
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.id,
        event.body.kind()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_id_kind_and_json() {
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let text = String::from_utf8(reset_frame(42, at).to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("id: 42"));
        assert_eq!(lines.next(), Some("event: reset"));
        let data: LiveEvent = serde_json::from_str(lines.next().unwrap().strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(data.id, 42);
        assert_eq!(data.body, LiveEventBody::Reset {});
        assert!(text.ends_with("\n\n"));
    }
}
