//! The communications hub's threads: messages grouped into conversations, filtered, searched and paged,
//! and the thread state a team works by (read, needs reply, assignee, internal notes).
//!
//! A thread is `(platform, coalesce(thread_id, provider_message_id))`: a message without a thread id is a
//! thread of its own. The state lives on the messages (unread = some inbound message has no `read_at`; the
//! assignee is written on every message of the thread; `needs_reply` is the latest message's, as the sync's
//! thread rule computes it). The inbox reads it from `communication_thread`, one row per thread that the
//! writers of messages recompute from the messages in their own transaction ([`refresh_threads!`]), so a
//! list, a search or the counts never group a million messages at read time. Each list is one indexed
//! walk over the newest threads that stops after a page.
//!
//! Search is the one backend-specific part, and it is per thread: a thread matches when all the words are
//! in its messages (not necessarily the same one). On Postgres, the words are walked newest first in
//! `communication_thread_word`, one row per (thread, word) keyed like the list's order, so a page costs
//! the same whether a word is in three threads or in most of them; a query with phrase, `or` or `-word`
//! syntax, and the counts, match the row's `search_tsv` by its GIN index instead. SQLite matches the
//! contentless FTS5 table `communication_thread_fts` with prefix terms built from the words of the query
//! (never the raw input, so FTS syntax in it cannot break the query).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;

mod counts;
mod filter;
mod list;
mod refresh;
mod search;
mod state;

pub(crate) use refresh::{refresh_batches, refresh_statements, refresh_threads};
pub use search::fts5_query;

/// A thread: platform and thread id (the provider message id for a message without a thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadKey {
    pub platform: String,
    pub thread: String,
}

impl ThreadKey {
    /// `gmail:<id>` or `slack:<id>`; anything else names no thread.
    pub fn parse(key: &str) -> Option<Self> {
        let (platform, thread) = key.split_once(':')?;
        (matches!(platform, "gmail" | "slack") && !thread.is_empty()).then(|| ThreadKey {
            platform: platform.to_owned(),
            thread: thread.to_owned(),
        })
    }

    pub fn to_key(&self) -> String {
        format!("{}:{}", self.platform, self.thread)
    }
}

/// What a list or the counts are narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ThreadFilter {
    pub client_id: Option<Uuid>,
    pub platform: Option<String>,
    pub needs_reply: Option<bool>,
    pub unread: Option<bool>,
    /// Threads assigned to this user.
    pub assigned_to: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub q: Option<String>,
    /// One thread only.
    pub key: Option<ThreadKey>,
}

/// A thread as the list reads it: its latest message plus aggregates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadRow {
    /// The latest message's id (the cursor's tie-breaker).
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub platform: String,
    pub tid: String,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub snippet: String,
    pub needs_reply: bool,
    pub received_at: DateTime<Utc>,
    pub message_count: i64,
    pub unread_count: i64,
    pub assignee: Option<Uuid>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadMessageRow {
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadNoteRow {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct ThreadCountsRow {
    pub all_count: i64,
    pub needs_reply_count: i64,
    pub unread_count: i64,
    pub assigned_count: i64,
    pub gmail_count: i64,
    pub slack_count: i64,
}

/// A thread's changes (`assigned_to: Some(None)` unassigns).
#[derive(Debug, Clone, Default)]
pub struct ThreadUpdate {
    pub read: Option<bool>,
    pub needs_reply: Option<bool>,
    pub assigned_to: Option<Option<Uuid>>,
}

/// Why an update was refused.
#[derive(Debug)]
pub enum ThreadUpdateError {
    /// The assignee is not an active user of the agency.
    UnknownAssignee,
    Store(StoreError),
}

impl From<StoreError> for ThreadUpdateError {
    fn from(e: StoreError) -> Self {
        ThreadUpdateError::Store(e)
    }
}

impl From<sqlx::Error> for ThreadUpdateError {
    fn from(e: sqlx::Error) -> Self {
        ThreadUpdateError::Store(e.into())
    }
}

const TKEY: &str = "coalesce(x.thread_id, x.provider_message_id)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_only_known_platforms() {
        let k = ThreadKey::parse("gmail:abc:def").unwrap();
        assert_eq!((k.platform.as_str(), k.thread.as_str()), ("gmail", "abc:def"));
        assert_eq!(k.to_key(), "gmail:abc:def");
        assert!(ThreadKey::parse("teams:x").is_none());
        assert!(ThreadKey::parse("slack:").is_none());
        assert!(ThreadKey::parse("nokey").is_none());
    }
}
