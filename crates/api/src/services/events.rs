//! Live-update streams: where a stream starts (a replay after `Last-Event-ID`, or a `reset`), and the
//! stream itself, which waits on the process's event bus and reads the event log from where it is.
//! `routes/events.rs` documents the protocol.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use audienceos_shared::events::{LiveEvent, LiveEventBody};
use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, OwnedSemaphorePermit};
use uuid::Uuid;

use crate::domain::tenant::Tenant;
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::store::events::EventRow;

/// Events read from the log per query.
const BATCH: i64 = 100;
/// A resume further behind than this many visible events gets `reset` instead of a replay.
const MAX_REPLAY: usize = 1000;
/// What the client should wait before reconnecting, in milliseconds.
pub const RETRY_MS: u32 = 3000;

/// Open a stream for `tenant`. `resume` is `None` without a `Last-Event-ID`, `Some(None)` for one that
/// is not a number. `503 too_many_streams` when the process holds as many as it may.
pub async fn open(
    state: actix_web::web::Data<AppState>,
    tenant: Tenant,
    resume: Option<Option<i64>>,
) -> Result<impl Stream<Item = Result<Bytes, Infallible>>, ApiError> {
    let permit = state.events.open_stream().ok_or_else(|| {
        ApiError::new(
            Code::TooManyStreams,
            "This server holds as many live-update streams as it may; retry in a few seconds.",
        )
    })?;
    // Subscribe before reading where to start, so nothing written meanwhile goes unnoticed.
    let wake = state.events.subscribe();
    let latest = state.store.latest_event_id().await?;
    let mut pending = VecDeque::new();
    pending.push_back(Bytes::from(format!("retry: {RETRY_MS}\n\n")));
    let cursor = match resume {
        None => latest,
        Some(resume) => match replay(&state, tenant, resume, latest).await? {
            Some((after, rows)) => {
                pending.extend(rows.iter().filter_map(frame));
                rows.last().map_or(after, |r| r.id)
            }
            None => {
                pending.push_back(reset_frame(latest, state.now()));
                latest
            }
        },
    };
    let keepalive_every = Duration::from_secs(state.settings.event_keepalive_secs);
    let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + keepalive_every, keepalive_every);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let conn = Conn {
        state,
        tenant,
        cursor,
        pending,
        more: false,
        wake,
        keepalive,
        closing: false,
        _permit: permit,
    };
    Ok(futures_util::stream::unfold(conn, next_chunk))
}

/// The events after `resume` when they can all be replayed; `None` when the stream must `reset`: the id
/// is not a number, is from the future (another deployment, a restored database), is older than what is
/// kept, or is more than `MAX_REPLAY` visible events behind.
async fn replay(
    state: &AppState,
    tenant: Tenant,
    resume: Option<i64>,
    latest: i64,
) -> Result<Option<(i64, Vec<EventRow>)>, ApiError> {
    let Some(after) = resume.filter(|after| *after <= latest) else {
        return Ok(None);
    };
    let oldest = state.store.oldest_event_id().await?;
    // Events between `after` and the oldest kept one may have been pruned.
    if oldest.is_some_and(|oldest| after < oldest - 1) {
        return Ok(None);
    }
    let rows = state.store.events_after(tenant, after, MAX_REPLAY as i64 + 1).await?;
    Ok((rows.len() <= MAX_REPLAY).then_some((after, rows)))
}

/// One open stream.
struct Conn {
    state: actix_web::web::Data<AppState>,
    tenant: Tenant,
    /// The last event id read from the log.
    cursor: i64,
    /// Chunks ready to send.
    pending: VecDeque<Bytes>,
    /// The last read filled a batch: read again without waiting.
    more: bool,
    wake: broadcast::Receiver<Uuid>,
    keepalive: tokio::time::Interval,
    /// The process is stopping: send what is pending, then end.
    closing: bool,
    /// The process's slot, freed when the stream is dropped.
    _permit: OwnedSemaphorePermit,
}

/// The next chunk of the stream; None ends it (the client reconnects and resumes).
async fn next_chunk(mut c: Conn) -> Option<(Result<Bytes, Infallible>, Conn)> {
    loop {
        if let Some(chunk) = c.pending.pop_front() {
            return Some((Ok(chunk), c));
        }
        if c.closing {
            return None;
        }
        if !c.more {
            tokio::select! {
                woken = c.wake.recv() => match woken {
                    Ok(agency) if agency == c.tenant.agency_id || agency.is_nil() => {}
                    Ok(_) => continue,
                    // Missed wake-ups: read the log anyway.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = c.keepalive.tick() => {
                    c.pending.push_back(Bytes::from_static(b": keep-alive\n\n"));
                }
                _ = c.state.shutdown.closed(), if !c.closing => {
                    // The process is stopping: a last retry hint, then the end of the stream; the
                    // browser reconnects (elsewhere, behind a load balancer) and resumes by its id.
                    c.closing = true;
                    c.pending.push_back(Bytes::from(format!("retry: {RETRY_MS}\n\n")));
                    continue;
                }
            }
        }
        let rows = match c.state.store.events_after(c.tenant, c.cursor, BATCH).await {
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
