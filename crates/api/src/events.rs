//! Live updates: events are appended to the `app_event` log (store/events.rs) and announced on a bus that
//! wakes the open `GET /api/v1/events` streams of the agency, which then read the log from where they are.
//! The log makes streams resumable (`Last-Event-ID`) and lets a stream filter what its user may see; the
//! bus only says "agency X has something new". On Postgres the insert also NOTIFYs every API process.

use audienceos_shared::events::LiveEventBody;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::startup::AppState;

/// Wakes the event streams of one process. Lagging receivers lose wake-ups, never events: a stream that
/// lags reads the log anyway.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Uuid>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }
}

impl EventBus {
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
/// record one is logged, never turned into a failed request.
pub async fn publish(state: &AppState, agency_id: Uuid, client_id: Option<Uuid>, body: LiveEventBody) {
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
