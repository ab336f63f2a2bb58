//! Live updates: what `GET /api/v1/events` (Server-Sent Events) carries.
//!
//! Each SSE frame is `id: <LiveEvent.id>`, `event: <kind>` and `data: <LiveEvent as JSON>`. A client that
//! reconnects sends the last id it saw as `Last-Event-ID` (or `?last_event_id=`) and receives what it
//! missed, in order. When what it missed is no longer kept, or too much to replay, it receives one `reset`
//! event and should reload what it shows. Events of a client are delivered only to users who may see that
//! client; another agency's events never.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::communications::ReplyStatus;

/// One event as the stream sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveEvent {
    /// Increasing per deployment; resume from it with `Last-Event-ID`.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The client the event is about (events without a client are for every user of the agency).
    pub client_id: Option<Uuid>,
    #[serde(flatten)]
    pub body: LiveEventBody,
}

/// What happened: `kind` names it (also the SSE `event:` field), `data` has the details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data")]
pub enum LiveEventBody {
    /// Messages arrived (a sync stored them); `thread_keys` are the threads they joined (at most 100).
    #[serde(rename = "messages.created")]
    MessagesCreated { thread_keys: Vec<String>, count: i64 },
    /// A thread's state changed (read, needs reply, assignee, a note).
    #[serde(rename = "thread.updated")]
    ThreadUpdated { thread_key: String },
    /// A reply was queued, sent or failed.
    #[serde(rename = "reply.updated")]
    ReplyUpdated {
        thread_key: String,
        reply_id: Uuid,
        status: ReplyStatus,
    },
    /// Events were missed that cannot be replayed: reload.
    #[serde(rename = "reset")]
    Reset {},
}

impl LiveEventBody {
    /// The SSE `event:` name.
    pub fn kind(&self) -> &'static str {
        match self {
            LiveEventBody::MessagesCreated { .. } => "messages.created",
            LiveEventBody::ThreadUpdated { .. } => "thread.updated",
            LiveEventBody::ReplyUpdated { .. } => "reply.updated",
            LiveEventBody::Reset {} => "reset",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_kind_and_data() {
        let e = LiveEvent {
            id: 7,
            at: DateTime::from_timestamp(0, 0).unwrap(),
            client_id: None,
            body: LiveEventBody::ThreadUpdated {
                thread_key: "gmail:t1".into(),
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "thread.updated");
        assert_eq!(v["data"]["thread_key"], "gmail:t1");
        assert_eq!(serde_json::from_value::<LiveEvent>(v).unwrap(), e);
        assert_eq!(e.body.kind(), "thread.updated");
    }
}
