//! The communications hub's threads: messages grouped into conversations, filtered, searched and paged,
//! and the thread state a team works by (read, needs reply, assignee, internal notes).
//!
//! A thread is `(platform, coalesce(thread_id, provider_message_id))`: a message without a thread id is a
//! thread of its own. There is no thread table: the state lives on the messages (unread = some inbound
//! message has no `read_at`; the assignee is written on every message of the thread; `needs_reply` is the
//! latest message's, as the sync's thread rule computes it), so a sync writing new messages never has to
//! create or reconcile a second row. The list is one query with window functions over the caller's
//! messages (latest message per thread, message count, unread count, assignee), which both backends run.
//!
//! Search is the one backend-specific part: Postgres matches the generated `search_tsv` column with
//! `websearch_to_tsquery('simple', ..)`, SQLite the FTS5 table `communication_fts` with prefix terms built
//! from the words of the query (never the raw input, so FTS syntax in it cannot break the query).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::client_list::{bind_all, Bind, Sql};
use super::clients::scope_condition;
use super::{cursor, new_id, on_db, paginate, BeginWrite as _, Db, Store, StoreError, StoreResult};

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

/// FTS5 query for SQLite: every word of `q` as a quoted prefix term (`"word"*`), all required. `None` when
/// `q` has no word.
pub fn fts5_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The `with m as (...)` part: every visible message of the filtered threads, with its thread's aggregates
/// and its rank in the thread (`rn = 1` is the latest). Filters on the thread as a whole (platform, state,
/// time of the latest message) are left to the caller.
fn threads_cte(sql: &mut Sql, postgres: bool, agency_id: Uuid, scope: Option<Uuid>, f: &ThreadFilter) -> String {
    let a = sql.arg(Bind::Uuid(agency_id));
    let mut wh = vec![format!("x.agency_id = {a}")];
    if let Some(user) = scope {
        sql.binds.push(Bind::Uuid(user));
        wh.push(scope_condition(sql.binds.len()));
    }
    if let Some(client) = f.client_id {
        let p = sql.arg(Bind::Uuid(client));
        wh.push(format!("x.client_id = {p}"));
    }
    if let Some(key) = &f.key {
        let p = sql.arg(Bind::Text(key.platform.clone()));
        let t = sql.arg(Bind::Text(key.thread.clone()));
        wh.push(format!("x.platform = {p} and {TKEY} = {t}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let matched = if postgres {
            let p = sql.arg(Bind::Text(q.to_owned()));
            format!("s.search_tsv @@ websearch_to_tsquery('simple', {p})")
        } else {
            // A query with no word matches nothing rather than everything.
            let p = sql.arg(Bind::Text(fts5_query(q).unwrap_or_else(|| "\"\"".into())));
            format!("s.rowid in (select rowid from communication_fts where communication_fts match {p})")
        };
        wh.push(format!(
            "(x.platform, {TKEY}) in (select s.platform, coalesce(s.thread_id, s.provider_message_id) \
             from communication s where s.agency_id = {a} and {matched})"
        ));
    }
    let part = format!("partition by x.platform, {TKEY}");
    format!(
        "with m as (select x.id, x.client_id, c.name as client_name, x.platform, {TKEY} as tid, \
         x.sender_email, x.sender_name, x.subject, x.snippet, x.needs_reply, x.received_at, \
         row_number() over ({part} order by x.received_at desc, x.id desc) as rn, \
         count(*) over ({part}) as message_count, \
         sum(case when x.is_inbound and x.read_at is null then 1 else 0 end) over ({part}) as unread_count, \
         first_value(x.assigned_to) over ({part} order by case when x.assigned_to is null then 1 else 0 end, \
         x.received_at desc, x.id desc) as assignee \
         from communication x join client c on c.id = x.client_id and c.agency_id = x.agency_id \
         where {})",
        wh.join(" and ")
    )
}

/// Conditions on a thread row of `m` (with `rn = 1`), by filter, so counts can leave one out.
struct ThreadConds {
    platform: Option<String>,
    needs_reply: Option<String>,
    unread: Option<String>,
    assigned: Option<String>,
    range: Vec<String>,
}

fn thread_conds(sql: &mut Sql, f: &ThreadFilter) -> ThreadConds {
    let platform = f.platform.clone().map(|v| {
        let p = sql.arg(Bind::Text(v));
        format!("m.platform = {p}")
    });
    let needs_reply = f.needs_reply.map(|v| {
        let p = sql.arg(Bind::Bool(v));
        format!("m.needs_reply = {p}")
    });
    let unread = f
        .unread
        .map(|v| if v { "m.unread_count > 0" } else { "m.unread_count = 0" }.to_owned());
    let assigned = f.assigned_to.map(|v| {
        let p = sql.arg(Bind::Uuid(v));
        format!("m.assignee = {p}")
    });
    let mut range = Vec::new();
    if let Some(from) = f.from {
        let p = sql.arg(Bind::Time(from));
        range.push(format!("m.received_at >= {p}"));
    }
    if let Some(to) = f.to {
        let p = sql.arg(Bind::Time(to));
        range.push(format!("m.received_at <= {p}"));
    }
    ThreadConds {
        platform,
        needs_reply,
        unread,
        assigned,
        range,
    }
}

fn and_all<'a>(parts: impl IntoIterator<Item = &'a Option<String>>) -> String {
    let v: Vec<&str> = parts.into_iter().flatten().map(String::as_str).collect();
    if v.is_empty() {
        "1 = 1".into()
    } else {
        v.join(" and ")
    }
}

const THREAD_COLUMNS: &str = "m.id, m.client_id, m.client_name, m.platform, m.tid, m.sender_email, m.sender_name, \
     m.subject, m.snippet, m.needs_reply, m.received_at, m.message_count, m.unread_count, m.assignee";

const THREAD_MATCH: &str = "agency_id = $1 and platform = $2 and coalesce(thread_id, provider_message_id) = $3";

impl Store {
    fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Threads newest first (by their latest message), keyset-paginated on (latest time, latest id).
    pub async fn list_threads(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        f: &ThreadFilter,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<ThreadRow>, Option<String>)> {
        let mut sql = Sql::default();
        let cte = threads_cte(&mut sql, self.is_postgres(), agency_id, scope, f);
        let c = thread_conds(&mut sql, f);
        let mut wh = vec!["m.rn = 1".to_owned()];
        wh.extend(c.range.iter().cloned());
        wh.push(and_all([&c.platform, &c.needs_reply, &c.unread, &c.assigned]));
        if let Some((at, id)) = after.and_then(cursor::decode) {
            let t = sql.arg(Bind::Time(at));
            let i = sql.arg(Bind::Uuid(id));
            wh.push(format!("(m.received_at < {t} or (m.received_at = {t} and m.id < {i}))"));
        }
        let l = sql.arg(Bind::Int(i64::from(limit) + 1));
        sql.text = format!(
            "{cte} select {THREAD_COLUMNS} from m where {} order by m.received_at desc, m.id desc limit {l}",
            wh.join(" and ")
        );
        let rows: Vec<ThreadRow> = on_db!(&self.db, |pool| bind_all!(sqlx::query_as(&sql.text), &sql.binds)
            .fetch_all(pool)
            .await?);
        Ok(paginate(rows, limit, |r| (r.received_at, r.id)))
    }

    /// One thread's summary, if the caller may see it.
    pub async fn get_thread_summary(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        key: &ThreadKey,
    ) -> StoreResult<ThreadRow> {
        let f = ThreadFilter {
            key: Some(key.clone()),
            ..Default::default()
        };
        let (mut rows, _) = self.list_threads(agency_id, scope, &f, 1, None).await?;
        rows.pop().ok_or(StoreError::NotFound)
    }

    /// How many threads each sidebar filter would list; each count applies every other active filter.
    pub async fn count_threads(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        me: Uuid,
        f: &ThreadFilter,
    ) -> StoreResult<ThreadCountsRow> {
        let mut sql = Sql::default();
        let cte = threads_cte(&mut sql, self.is_postgres(), agency_id, scope, f);
        let c = thread_conds(&mut sql, f);
        let me = sql.arg(Bind::Uuid(me));
        let count =
            |own: &str, others: String| format!("coalesce(sum(case when {own} and {others} then 1 else 0 end), 0)");
        let all = count("1 = 1", and_all([&c.platform, &c.needs_reply, &c.unread, &c.assigned]));
        let needs = count("m.needs_reply", and_all([&c.platform, &c.unread, &c.assigned]));
        let unread = count(
            "m.unread_count > 0",
            and_all([&c.platform, &c.needs_reply, &c.assigned]),
        );
        let assigned = count(
            &format!("m.assignee = {me}"),
            and_all([&c.platform, &c.needs_reply, &c.unread]),
        );
        let gmail = count(
            "m.platform = 'gmail'",
            and_all([&c.needs_reply, &c.unread, &c.assigned]),
        );
        let slack = count(
            "m.platform = 'slack'",
            and_all([&c.needs_reply, &c.unread, &c.assigned]),
        );
        let mut wh = vec!["m.rn = 1".to_owned()];
        wh.extend(c.range.iter().cloned());
        sql.text = format!(
            "{cte} select {all} as all_count, {needs} as needs_reply_count, {unread} as unread_count, \
             {assigned} as assigned_count, {gmail} as gmail_count, {slack} as slack_count from m where {}",
            wh.join(" and ")
        );
        Ok(on_db!(&self.db, |pool| bind_all!(
            sqlx::query_as(&sql.text),
            &sql.binds
        )
        .fetch_one(pool)
        .await?))
    }

    /// A visible thread's messages, oldest first.
    pub async fn list_thread_messages(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        key: &ThreadKey,
    ) -> StoreResult<Vec<ThreadMessageRow>> {
        let sql = format!(
            "select x.id, x.client_id, x.sender_email, x.sender_name, x.subject, x.snippet, x.body, x.is_inbound, \
             x.read_at, x.received_at from communication x join client c on c.id = x.client_id \
             where x.agency_id = $1 and x.platform = $2 and {TKEY} = $3 and {} \
             order by x.received_at, x.id",
            scope_condition(4)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(&key.platform)
            .bind(&key.thread)
            .bind(scope)
            .fetch_all(pool)
            .await?))
    }

    /// A thread's internal notes, oldest first.
    pub async fn list_thread_notes(&self, agency_id: Uuid, key: &ThreadKey) -> StoreResult<Vec<ThreadNoteRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, author_id, body, created_at from communication_note \
             where agency_id = $1 and platform = $2 and thread_key = $3 order by created_at, id"
        )
        .bind(agency_id)
        .bind(&key.platform)
        .bind(&key.thread)
        .fetch_all(pool)
        .await?))
    }

    /// Apply `u` to every message of the thread in one transaction. The caller has checked the thread is
    /// visible. `needs_reply: true` marks the latest message (the thread rule reads the latest one).
    pub async fn update_thread(
        &self,
        agency_id: Uuid,
        key: &ThreadKey,
        u: &ThreadUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), ThreadUpdateError> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(Some(user)) = u.assigned_to {
                let known: i64 = sqlx::query_scalar(
                    "select count(*) from app_user where agency_id = $1 and id = $2 and is_active = $3",
                )
                .bind(agency_id)
                .bind(user)
                .bind(true)
                .fetch_one(&mut *tx)
                .await?;
                if known == 0 {
                    return Err(ThreadUpdateError::UnknownAssignee);
                }
            }
            if let Some(assignee) = u.assigned_to {
                sqlx::query(&format!(
                    "update communication set assigned_to = $4, updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(assignee)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(read) = u.read {
                // Read keeps each message's first read time; unread clears it.
                sqlx::query(&format!(
                    "update communication set read_at = case when $4 then coalesce(read_at, $5) else null end, \
                     updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(read)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(needs) = u.needs_reply {
                sqlx::query(&format!(
                    "update communication set needs_reply = $4, updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if needs {
                    sqlx::query(&format!(
                        "update communication set needs_reply = $4 where id = (select id from communication \
                         where {THREAD_MATCH} order by received_at desc, id desc limit 1)"
                    ))
                    .bind(agency_id)
                    .bind(&key.platform)
                    .bind(&key.thread)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Add an internal note to a thread (the caller has checked the thread is visible).
    pub async fn add_thread_note(
        &self,
        agency_id: Uuid,
        key: &ThreadKey,
        author_id: Uuid,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ThreadNoteRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
                "insert into communication_note (id, agency_id, platform, thread_key, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(&key.platform)
            .bind(&key.thread)
            .bind(author_id)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(ThreadNoteRow {
            id,
            author_id: Some(author_id),
            body: body.to_owned(),
            created_at: now,
        })
    }
}

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

    #[test]
    fn fts5_queries_are_quoted_prefix_terms() {
        assert_eq!(fts5_query("Dana acme").as_deref(), Some("\"Dana\"* \"acme\"*"));
        assert_eq!(
            fts5_query("\"x\" OR NEAR(y").as_deref(),
            Some("\"x\"* \"OR\"* \"NEAR\"* \"y\"*")
        );
        assert_eq!(fts5_query(" *\"() ").as_deref(), None);
    }
}
