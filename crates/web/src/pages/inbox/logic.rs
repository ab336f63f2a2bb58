//! The inbox's pure logic: filters to queries, keyboard shortcuts and moves, badge texts, and the
//! thread's timeline. No views and no IO, so it is unit-tested natively.

use audienceos_shared::communications::{Reply, ReplyStatus, ThreadCounts, ThreadMessage, ThreadNote, ThreadQuery};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::components::icons::IconName;

/// Threads per page.
pub const PAGE_SIZE: u32 = 50;
/// The API's largest page.
const MAX_PAGE: u32 = 200;

/// The platform's word and icon ("Gmail", "Slack"; any other value as sent).
pub fn platform_badge(platform: &str) -> (String, IconName) {
    match platform {
        "gmail" => ("Gmail".into(), IconName::Mail),
        "slack" => ("Slack".into(), IconName::Message),
        other => (other.to_string(), IconName::Message),
    }
}

/// "Ada Lovelace <ada@example.com>", the name or the address alone, or "Unknown sender".
pub fn sender_text(name: Option<&str>, email: Option<&str>) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    match (name, email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.to_string(),
        (None, Some(e)) => e.to_string(),
        (None, None) => "Unknown sender".into(),
    }
}

/// Which threads by their state (one at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    NeedsReply,
    Unread,
    AssignedToMe,
}

impl StateFilter {
    pub const ALL: [StateFilter; 4] = [
        StateFilter::All,
        StateFilter::NeedsReply,
        StateFilter::Unread,
        StateFilter::AssignedToMe,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StateFilter::All => "All",
            StateFilter::NeedsReply => "Needs reply",
            StateFilter::Unread => "Unread",
            StateFilter::AssignedToMe => "Assigned to me",
        }
    }

    pub fn count(self, c: &ThreadCounts) -> i64 {
        match self {
            StateFilter::All => c.all,
            StateFilter::NeedsReply => c.needs_reply,
            StateFilter::Unread => c.unread,
            StateFilter::AssignedToMe => c.assigned_to_me,
        }
    }
}

/// Which platform (none: both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Gmail,
    Slack,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Gmail, Platform::Slack];

    pub fn label(self) -> &'static str {
        match self {
            Platform::Gmail => "Gmail",
            Platform::Slack => "Slack",
        }
    }

    pub fn value(self) -> &'static str {
        match self {
            Platform::Gmail => "gmail",
            Platform::Slack => "slack",
        }
    }

    pub fn count(self, c: &ThreadCounts) -> i64 {
        match self {
            Platform::Gmail => c.gmail,
            Platform::Slack => c.slack,
        }
    }
}

/// What the inbox lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub state: StateFilter,
    pub platform: Option<Platform>,
    pub client_id: Option<Uuid>,
    /// Search text as typed (trimmed when sent).
    pub q: String,
}

impl Filters {
    /// The API query for these filters (no page size or cursor: the counts take the same query).
    pub fn query(&self) -> ThreadQuery {
        let q = self.q.trim();
        ThreadQuery {
            client_id: self.client_id,
            platform: self.platform.map(|p| p.value().to_string()),
            needs_reply: (self.state == StateFilter::NeedsReply).then_some(true),
            unread: (self.state == StateFilter::Unread).then_some(true),
            assigned: (self.state == StateFilter::AssignedToMe).then(|| "me".to_string()),
            q: (!q.is_empty()).then(|| q.to_string()),
            ..ThreadQuery::default()
        }
    }

    /// One page of the list.
    pub fn page_query(&self, limit: u32, cursor: Option<String>) -> ThreadQuery {
        ThreadQuery {
            limit: Some(limit.clamp(1, MAX_PAGE)),
            cursor,
            ..self.query()
        }
    }
}

/// How many threads to re-read on a live refresh: what is shown (so "Load more" pages stay), at least a
/// page, at most what the API gives in one.
pub fn refresh_limit(loaded: usize) -> u32 {
    (loaded as u32).clamp(PAGE_SIZE, MAX_PAGE)
}

/// A keyboard shortcut of the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Next,
    Previous,
    Reply,
    Done,
    Search,
    Escape,
}

/// The shortcut for a key press, if any. Typing in a field (`in_field`) only has Escape; modified keys
/// (Ctrl, Cmd, Alt) are the browser's.
pub fn shortcut(key: &str, in_field: bool, modified: bool) -> Option<Shortcut> {
    if key == "Escape" {
        return Some(Shortcut::Escape);
    }
    if in_field || modified {
        return None;
    }
    match key {
        "j" => Some(Shortcut::Next),
        "k" => Some(Shortcut::Previous),
        "r" => Some(Shortcut::Reply),
        "e" => Some(Shortcut::Done),
        "/" => Some(Shortcut::Search),
        _ => None,
    }
}

/// The index to select after moving `delta` from `current` in `keys`: the first one when nothing (or
/// something no longer listed) is selected, clamped at both ends, `None` for an empty list.
pub fn move_selection(keys: &[String], current: Option<&str>, delta: i32) -> Option<usize> {
    if keys.is_empty() {
        return None;
    }
    let Some(at) = current.and_then(|c| keys.iter().position(|k| k == c)) else {
        return Some(0);
    };
    let next = (at as i64 + i64::from(delta)).clamp(0, keys.len() as i64 - 1);
    Some(next as usize)
}

/// The thread to open after `current` is marked done and may leave the list: the next one, else the
/// previous one, else none.
pub fn after_done(keys: &[String], current: &str) -> Option<String> {
    let at = keys.iter().position(|k| k == current)?;
    keys.get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|i| keys.get(i)))
        .cloned()
}

/// A count for a badge: `None` for zero, "99+" past 99.
pub fn badge_text(n: i64) -> Option<String> {
    match n {
        n if n <= 0 => None,
        n if n > 99 => Some("99+".into()),
        n => Some(n.to_string()),
    }
}

/// The sidebar link's accessible name: "Inbox, 3 need reply, 5 unread".
pub fn nav_label(needs_reply: i64, unread: i64) -> String {
    let mut label = String::from("Inbox");
    if needs_reply > 0 {
        let verb = if needs_reply == 1 { "needs" } else { "need" };
        label.push_str(&format!(", {needs_reply} {verb} reply"));
    }
    if unread > 0 {
        label.push_str(&format!(", {unread} unread"));
    }
    label
}

/// A thread's title in the list: its subject, else the first line of its snippet, else "(no text)".
pub fn thread_title(subject: Option<&str>, snippet: &str) -> String {
    subject
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| snippet.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|s| truncate(s, 120))
        .unwrap_or_else(|| "(no text)".into())
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One entry of a thread's timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Message(ThreadMessage),
    Note(ThreadNote),
}

impl Entry {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::Message(m) => m.received_at,
            Entry::Note(n) => n.created_at,
        }
    }
}

/// Messages and internal notes in one list, oldest first (a note after a message of the same instant).
pub fn timeline(messages: Vec<ThreadMessage>, notes: Vec<ThreadNote>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = messages
        .into_iter()
        .map(Entry::Message)
        .chain(notes.into_iter().map(Entry::Note))
        .collect();
    // Stable: equal instants keep messages before notes.
    entries.sort_by_key(Entry::at);
    entries
}

/// The replies to show under the messages: those not sent (queued or failed), from the thread as read and
/// from this view's own sends (which the thread may not show yet); for one id the newer copy wins.
pub fn unsent_replies(from_thread: &[Reply], local: &[Reply]) -> Vec<Reply> {
    let mut all: Vec<Reply> = from_thread.to_vec();
    for r in local {
        match all.iter_mut().find(|x| x.id == r.id) {
            Some(x) if r.updated_at > x.updated_at => *x = r.clone(),
            Some(_) => {}
            None => all.push(r.clone()),
        }
    }
    all.retain(|r| r.status != ReplyStatus::Sent);
    all.sort_by_key(|r| r.created_at);
    all
}

/// The message a reply answers: the thread's latest.
pub fn reply_target(messages: &[ThreadMessage]) -> Option<Uuid> {
    messages.iter().max_by_key(|m| m.received_at).map(|m| m.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("gmail:t{i}")).collect()
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn reply(id: u128, status: ReplyStatus, updated: i64) -> Reply {
        Reply {
            id: Uuid::from_u128(id),
            thread_key: "gmail:t".into(),
            platform: "gmail".into(),
            client_id: Uuid::nil(),
            in_reply_to: None,
            author_id: None,
            body: "Hi".into(),
            status,
            error: None,
            provider_message_id: None,
            attempts: 1,
            created_at: at(id as i64),
            updated_at: at(updated),
            sent_at: None,
        }
    }

    fn message(id: u128, secs: i64) -> ThreadMessage {
        ThreadMessage {
            id: Uuid::from_u128(id),
            client_id: Uuid::nil(),
            sender_email: None,
            sender_name: None,
            subject: None,
            snippet: String::new(),
            body: String::new(),
            is_inbound: true,
            read_at: None,
            received_at: at(secs),
        }
    }

    #[test]
    fn senders_read_naturally() {
        assert_eq!(
            sender_text(Some("Ada"), Some("ada@example.com")),
            "Ada <ada@example.com>"
        );
        assert_eq!(sender_text(Some(" "), Some("ada@example.com")), "ada@example.com");
        assert_eq!(sender_text(Some("Ada"), None), "Ada");
        assert_eq!(sender_text(None, None), "Unknown sender");
    }

    #[test]
    fn platforms_have_words() {
        assert_eq!(platform_badge("gmail").0, "Gmail");
        assert_eq!(platform_badge("slack").0, "Slack");
    }

    #[test]
    fn filters_build_the_api_query() {
        let f = Filters {
            state: StateFilter::NeedsReply,
            platform: Some(Platform::Slack),
            client_id: None,
            q: "  invoice ".into(),
        };
        let q = f.query();
        assert_eq!(q.needs_reply, Some(true));
        assert_eq!(q.unread, None);
        assert_eq!(q.platform.as_deref(), Some("slack"));
        assert_eq!(q.q.as_deref(), Some("invoice"));
        assert_eq!(
            crate::api::query_string(&q),
            "?platform=slack&needs_reply=true&q=invoice"
        );
        let mine = Filters {
            state: StateFilter::AssignedToMe,
            ..Filters::default()
        };
        assert_eq!(
            crate::api::query_string(&mine.page_query(500, Some("c1".into()))),
            "?assigned=me&limit=200&cursor=c1"
        );
        assert_eq!(crate::api::query_string(&Filters::default().query()), "");
    }

    #[test]
    fn refresh_keeps_the_loaded_pages() {
        assert_eq!(refresh_limit(0), PAGE_SIZE);
        assert_eq!(refresh_limit(120), 120);
        assert_eq!(refresh_limit(900), 200);
    }

    #[test]
    fn keys_map_to_shortcuts_outside_fields_only() {
        assert_eq!(shortcut("j", false, false), Some(Shortcut::Next));
        assert_eq!(shortcut("k", false, false), Some(Shortcut::Previous));
        assert_eq!(shortcut("r", false, false), Some(Shortcut::Reply));
        assert_eq!(shortcut("e", false, false), Some(Shortcut::Done));
        assert_eq!(shortcut("/", false, false), Some(Shortcut::Search));
        assert_eq!(shortcut("j", true, false), None);
        assert_eq!(shortcut("j", false, true), None);
        assert_eq!(shortcut("Escape", true, false), Some(Shortcut::Escape));
        assert_eq!(shortcut("x", false, false), None);
    }

    #[test]
    fn selection_moves_and_stops_at_the_ends() {
        let k = keys(3);
        assert_eq!(move_selection(&k, None, 1), Some(0));
        assert_eq!(move_selection(&k, Some("gmail:t0"), 1), Some(1));
        assert_eq!(move_selection(&k, Some("gmail:t2"), 1), Some(2));
        assert_eq!(move_selection(&k, Some("gmail:t1"), -1), Some(0));
        assert_eq!(move_selection(&k, Some("gmail:t0"), -1), Some(0));
        assert_eq!(move_selection(&k, Some("gone"), -1), Some(0));
        assert_eq!(move_selection(&[], None, 1), None);
    }

    #[test]
    fn done_moves_to_the_next_then_the_previous_thread() {
        let k = keys(3);
        assert_eq!(after_done(&k, "gmail:t0").as_deref(), Some("gmail:t1"));
        assert_eq!(after_done(&k, "gmail:t2").as_deref(), Some("gmail:t1"));
        assert_eq!(after_done(&keys(1), "gmail:t0"), None);
        assert_eq!(after_done(&k, "gone"), None);
    }

    #[test]
    fn badges_and_nav_label_read_naturally() {
        assert_eq!(badge_text(0), None);
        assert_eq!(badge_text(7).as_deref(), Some("7"));
        assert_eq!(badge_text(150).as_deref(), Some("99+"));
        assert_eq!(nav_label(0, 0), "Inbox");
        assert_eq!(nav_label(1, 0), "Inbox, 1 needs reply");
        assert_eq!(nav_label(3, 5), "Inbox, 3 need reply, 5 unread");
    }

    #[test]
    fn titles_fall_back_to_the_snippet() {
        assert_eq!(thread_title(Some("Invoice"), "x"), "Invoice");
        assert_eq!(thread_title(Some("  "), "\n hello there\nmore"), "hello there");
        assert_eq!(thread_title(None, ""), "(no text)");
        assert_eq!(thread_title(None, &"a".repeat(130)).chars().count(), 121);
    }

    #[test]
    fn timeline_interleaves_notes_by_time() {
        let note = ThreadNote {
            id: Uuid::from_u128(9),
            author_id: None,
            body: "internal".into(),
            created_at: at(15),
        };
        let t = timeline(vec![message(1, 10), message(2, 20)], vec![note]);
        let kinds: Vec<&str> = t
            .iter()
            .map(|e| match e {
                Entry::Message(_) => "m",
                Entry::Note(_) => "n",
            })
            .collect();
        assert_eq!(kinds, ["m", "n", "m"]);
        assert_eq!(
            reply_target(&[message(1, 10), message(2, 20)]),
            Some(Uuid::from_u128(2))
        );
        assert_eq!(reply_target(&[]), None);
    }

    #[test]
    fn unsent_replies_merge_and_drop_sent_ones() {
        let thread = [reply(1, ReplyStatus::Failed, 5), reply(2, ReplyStatus::Sent, 5)];
        let local = [reply(1, ReplyStatus::Queued, 1), reply(3, ReplyStatus::Failed, 3)];
        let shown = unsent_replies(&thread, &local);
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[0].status, ReplyStatus::Failed);
        assert_eq!(shown[1].id, Uuid::from_u128(3));
        // A newer local copy (retried and sent) hides the failed one.
        let shown = unsent_replies(&thread, &[reply(1, ReplyStatus::Sent, 9)]);
        assert!(shown.is_empty());
    }
}
