//! Live updates: events are appended to the `app_event` log (store/events.rs) and announced on a bus that
//! wakes the open `GET /api/v1/events` streams of the agency, which then read the log from where they are.
//! The log makes streams resumable (`Last-Event-ID`) and lets a stream filter what its user may see; the
//! bus only says "agency X has something new". On Postgres the insert also NOTIFYs every API process.

use std::sync::Arc;
use std::time::Duration;

use audienceos_shared::events::LiveEventBody;
use tokio::sync::{broadcast, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::state::AppState;

/// Events are kept this long; a stream resuming from before the oldest kept one gets `reset`.
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// At most this many thread keys in one `messages.created` event.
pub const MAX_THREAD_KEYS: usize = 100;

/// Wakes the event streams of one process. Lagging receivers lose wake-ups, never events: a stream that
/// lags reads the log anyway. Also bounds how many streams the process holds open.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Uuid>,
    streams: Arc<Semaphore>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(1000)
    }
}

impl EventBus {
    /// A bus allowing `max_streams` open streams at once.
    pub fn new(max_streams: usize) -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self {
            tx,
            streams: Arc::new(Semaphore::new(max_streams)),
        }
    }

    /// A slot for one more open stream, released when the permit is dropped (the stream ended or its
    /// client went away); None when the process holds as many as it may.
    pub fn open_stream(&self) -> Option<OwnedSemaphorePermit> {
        self.streams.clone().try_acquire_owned().ok()
    }

    /// How many more streams may be opened now.
    pub fn free_stream_slots(&self) -> usize {
        self.streams.available_permits()
    }

    /// Wake every stream of this process (after a lost notification channel: they re-read the log).
    pub fn wake_all(&self) {
        let _ = self.tx.send(Uuid::nil());
    }

    /// Receive the ids of agencies that have new events.
    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.tx.subscribe()
    }

    /// Tell this process's streams that `agency_id` has new events.
    pub fn wake(&self, agency_id: Uuid) {
        // No receiver (no open stream) is not an error.
        let _ = self.tx.send(agency_id);
    }
}

/// Record an event for the agency (about `client_id`, if any) and wake its streams. Events are a
/// notification channel beside the data, written after the data they describe committed: a failure to
/// record one is logged, never turned into a failed request. The agency's data version is bumped first,
/// so a view that reloads on the event never reads a body cached before the change.
pub async fn publish(state: &AppState, agency_id: Uuid, client_id: Option<Uuid>, body: LiveEventBody) {
    state.data_changed(agency_id).await;
    let payload = match serde_json::to_value(&body) {
        Ok(v) => v.get("data").cloned().unwrap_or(serde_json::Value::Null),
        Err(e) => {
            tracing::error!(error = %e, "could not encode an event");
            return;
        }
    };
    match state
        .store
        .insert_event(agency_id, client_id, body.kind(), &payload, state.clock.now())
        .await
    {
        Ok(_) => state.events.wake(agency_id),
        Err(e) => tracing::warn!(error.cause_chain = ?e, kind = body.kind(), "could not record an event"),
    }
}

pub use crate::store::communications::CreatedMessages;

/// One `messages.created` per client that got new messages (none when nothing is new), with at most
/// [`MAX_THREAD_KEYS`] thread keys each.
pub async fn publish_messages_created(state: &AppState, agency_id: Uuid, created: &CreatedMessages) {
    for (client_id, (count, keys)) in created {
        if *count == 0 {
            continue;
        }
        let thread_keys = keys.iter().take(MAX_THREAD_KEYS).cloned().collect();
        publish(
            state,
            agency_id,
            Some(*client_id),
            LiveEventBody::MessagesCreated {
                thread_keys,
                count: *count,
            },
        )
        .await;
    }
}

/// Delete events older than [`RETENTION`]; how many (errors are logged and count as none).
pub async fn prune(state: &AppState) -> u64 {
    match state.store.prune_events(state.clock.now() - RETENTION).await {
        Ok(n) => {
            if n > 0 {
                tracing::debug!(pruned = n, "pruned old events");
            }
            n
        }
        Err(e) => {
            tracing::warn!(error.cause_chain = ?e, "could not prune old events");
            0
        }
    }
}

/// On Postgres: LISTEN on the events channel and wake this process's streams of the agency each
/// notification names, so a write on any instance reaches the streams open on every instance. sqlx's
/// listener reconnects by itself (notifications sent while it was away are lost, so every stream is woken
/// to re-read the log after a reconnection); a failure to connect is retried with backoff. Returns when
/// the pool closes; on SQLite at once (one process, the in-process bus suffices).
pub async fn run_listener(state: actix_web::web::Data<AppState>) {
    use sqlx::postgres::PgListener;
    let crate::store::Db::Postgres(pool) = &state.store.db else {
        return;
    };
    let pool = pool.clone();
    let mut backoff = Duration::from_millis(500);
    let max_backoff = Duration::from_secs(30);
    loop {
        if pool.is_closed() {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error.cause_chain = ?e, retry_in_ms = backoff.as_millis() as u64, "could not connect the event listener");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(max_backoff);
                continue;
            }
        };
        if let Err(e) = listener.listen(crate::store::events::NOTIFY_CHANNEL).await {
            tracing::warn!(error.cause_chain = ?e, retry_in_ms = backoff.as_millis() as u64, "could not LISTEN for events");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(max_backoff);
            continue;
        }
        tracing::debug!("listening for events");
        // Anything announced before LISTEN took effect is found by re-reading the log.
        state.events.wake_all();
        backoff = Duration::from_millis(500);
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match n.payload().parse::<Uuid>() {
                    Ok(agency_id) => state.events.wake(agency_id),
                    Err(_) => tracing::warn!(payload = n.payload(), "ignoring an event notification"),
                },
                // The connection was lost and re-established (eagerly, by sqlx): re-read everything.
                Ok(None) => {
                    tracing::info!("event listener reconnected");
                    state.events.wake_all();
                }
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error.cause_chain = ?e, retry_in_ms = backoff.as_millis() as u64, "event listener failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(max_backoff);
                    break;
                }
            }
        }
    }
}
