//! The communications hub's threads: Gmail and Slack messages grouped into conversations, with the
//! state a team works them by (unread, needs reply, assignee) and internal notes.
//!
//! A thread is named by a URL-safe key `platform:thread id` (`gmail:18c2f...`, `slack:1700000000.000100`);
//! a message without a thread id is a thread of its own, keyed by its provider message id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One thread in the inbox list: its latest message and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadSummary {
    /// `platform:thread id`; use it (percent-encoded) in `/communications/threads/{key}`.
    pub key: String,
    /// `gmail` or `slack`.
    pub platform: String,
    pub client_id: Uuid,
    pub client_name: String,
    /// Subject of the latest message (Slack messages have none).
    pub subject: Option<String>,
    pub last_sender_name: Option<String>,
    pub last_sender_email: Option<String>,
    /// Snippet of the latest message.
    pub snippet: String,
    pub message_count: i64,
    /// Some inbound message is unread.
    pub unread: bool,
    pub needs_reply: bool,
    pub assigned_to: Option<Uuid>,
    pub last_message_at: DateTime<Utc>,
}

/// `GET /api/v1/communications/threads` and `/counts` filters. `assigned=me` keeps threads assigned to the
/// caller; `from`/`to` bound the latest message's time; `q` searches subject, sender and body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ThreadQuery {
    pub client_id: Option<Uuid>,
    /// `gmail` or `slack`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(gmail|slack)$"))]
    pub platform: Option<String>,
    pub needs_reply: Option<bool>,
    pub unread: Option<bool>,
    /// Only `me`.
    #[cfg_attr(feature = "openapi", param(pattern = "^me$"))]
    pub assigned: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Sidebar badges: how many threads each filter would list, each with the other active filters applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadCounts {
    pub all: i64,
    pub needs_reply: i64,
    pub unread: i64,
    pub assigned_to_me: i64,
    pub gmail: i64,
    pub slack: i64,
}

/// One message of a thread, in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadMessage {
    pub id: Uuid,
    pub client_id: Uuid,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub snippet: String,
    pub body: String,
    pub is_inbound: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
}

/// An internal note on a thread (never sent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadNote {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A thread with its messages oldest first, its notes oldest first, and the replies sent (or being sent)
/// from AudienceOS oldest first. A sent reply is also one of the messages (outbound, with the provider's
/// id); a queued or failed one is only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thread {
    pub summary: ThreadSummary,
    pub messages: Vec<ThreadMessage>,
    pub notes: Vec<ThreadNote>,
    #[serde(default)]
    pub replies: Vec<Reply>,
}

/// Where a reply is: saved before the provider is called (`queued`), accepted by the provider (`sent`), or
/// refused or unreachable (`failed`, with `error`; retry with `POST /communications/replies/{id}/retry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    Queued,
    Sent,
    Failed,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Queued => "queued",
            ReplyStatus::Sent => "sent",
            ReplyStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(ReplyStatus::Queued),
            "sent" => Some(ReplyStatus::Sent),
            "failed" => Some(ReplyStatus::Failed),
            _ => None,
        }
    }
}

/// A reply sent from AudienceOS through the thread's provider (Gmail `messages.send`, Slack
/// `chat.postMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reply {
    pub id: Uuid,
    /// The thread's key (`gmail:<thread id>`, `slack:<thread ts>`).
    pub thread_key: String,
    pub platform: String,
    pub client_id: Uuid,
    /// The message replied to.
    pub in_reply_to: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub body: String,
    pub status: ReplyStatus,
    /// Why the last attempt failed, in words for the UI (never a token or a provider body).
    pub error: Option<String>,
    /// The provider's id of the sent message (Gmail message id, Slack `channel:ts`).
    pub provider_message_id: Option<String>,
    /// Provider calls made for this reply.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/communications/{id}/reply`, with an `Idempotency-Key` header.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    #[validate(custom(function = "crate::validation::not_blank"))]
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
}

/// `PATCH /api/v1/communications/threads/{key}`: absent fields are left alone; `assigned_to: null` unassigns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateThread {
    /// Mark every message read (`true`) or unread (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_reply: Option<bool>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub assigned_to: Option<Option<Uuid>>,
}

/// `POST /api/v1/communications/threads/{key}/notes`.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewThreadNote {
    #[validate(length(min = 1, max = 10000, message = "must be 1 to 10000 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub body: String,
}
