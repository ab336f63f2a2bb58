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

use super::sql::{bind_all, scope_condition, Bind, Sql};
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

/// How many thread keys one refresh statement names (the rest go in the next).
const REFRESH_CHUNK: usize = 200;

/// The statements that recompute the `communication_thread` rows of some threads of one platform from
/// their messages, in order. Each is bound with `$1` agency, `$2` platform, `$3..` the thread keys (`keys`
/// of them; `None`: every thread of the platform, and no key is bound). Run them in the transaction that
/// wrote the messages: [`refresh_threads!`] does.
pub(crate) fn refresh_statements(postgres: bool, keys: Option<usize>) -> Vec<String> {
    let (m_keys, t_keys, c_keys) = match keys {
        Some(n) => {
            let list = (0..n).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
            (
                format!("and {TKEY} in ({list})"),
                format!("and t.thread_key in ({list})"),
                format!("and thread_key in ({list})"),
            )
        }
        None => Default::default(),
    };
    let text = "coalesce(x.subject, '') || ' ' || coalesce(x.sender_name, '') || ' ' || coalesce(x.sender_email, '')";
    // SQLite looks a thread's messages up by the expression index on (agency, platform, thread key) only
    // when the key it is compared with has no column affinity: `+` strips it. Without it each thread
    // scanned every message of its platform (a rebuild of 50,000 threads took 153 s). The rebuild of all
    // threads walks the messages and finds each thread by its primary key instead, which needs the column.
    let plus = if postgres { "" } else { "+" };
    let t_key = if keys.is_some() { plus } else { "" };
    // One pass of window functions over the threads' messages: the latest message's row (`rn = 1`) carries
    // the thread's aggregates. (Joining a grouped CTE back instead makes Postgres nest-loop over two
    // unindexed CTE scans: minutes at a million messages.)
    let (search_agg, search_col, search_val, search_set) = if postgres {
        (
            format!(
                ", string_agg({text} || ' ' || translate(coalesce(x.sender_email, ''), '@.', '  ') || ' ' || x.body, ' ') \
                 over w as search_text"
            ),
            ", search_tsv",
            ", to_tsvector('simple', left(m.search_text, 500000))",
            ", search_tsv = excluded.search_tsv",
        )
    } else {
        (String::new(), "", "", "")
    };
    let upsert = format!(
        "with m as (select x.*, {TKEY} as tkey, \
         row_number() over (w order by x.received_at desc, x.id desc) as rn, \
         first_value(x.assigned_to) over (w order by case when x.assigned_to is null then 1 else 0 end, \
         x.received_at desc, x.id desc) as assignee, \
         count(*) over w as message_count, \
         sum(case when x.is_inbound and x.read_at is null then 1 else 0 end) over w as unread_count{search_agg} \
         from communication x where x.agency_id = $1 and x.platform = $2 {m_keys} \
         window w as (partition by {TKEY})) \
         insert into communication_thread (agency_id, platform, thread_key, client_id, last_message_id, last_at, \
         sender_email, sender_name, subject, snippet, needs_reply, message_count, unread_count, assigned_to{search_col}) \
         select m.agency_id, m.platform, m.tkey, m.client_id, m.id, m.received_at, m.sender_email, m.sender_name, \
         m.subject, m.snippet, m.needs_reply, m.message_count, m.unread_count, m.assignee{search_val} \
         from m where m.rn = 1 \
         on conflict (agency_id, platform, thread_key) do update set client_id = excluded.client_id, \
         last_message_id = excluded.last_message_id, last_at = excluded.last_at, \
         sender_email = excluded.sender_email, sender_name = excluded.sender_name, subject = excluded.subject, \
         snippet = excluded.snippet, needs_reply = excluded.needs_reply, message_count = excluded.message_count, \
         unread_count = excluded.unread_count, assigned_to = excluded.assigned_to{search_set}"
    );
    // A thread whose last message moved away (its thread id changed) has no row any more.
    let emptied = format!(
        "delete from communication_thread where agency_id = $1 and platform = $2 {c_keys} \
         and not exists (select 1 from communication x where x.agency_id = $1 and x.platform = $2 \
         and {TKEY} = {plus}communication_thread.thread_key)"
    );
    let mut out = vec![upsert, emptied];
    if !postgres {
        // SQLite's search text lives in the contentless FTS5 table, under the thread row's rowid.
        let rows = format!("select rowid from communication_thread where agency_id = $1 and platform = $2 {c_keys}");
        out.push(format!("delete from communication_thread_fts where rowid in ({rows})"));
        out.push(format!(
            "insert into communication_thread_fts (rowid, text) select t.rowid, group_concat({text} || ' ' || x.body, ' ') \
             from communication_thread t join communication x on x.agency_id = t.agency_id \
             and x.platform = t.platform and {TKEY} = {t_key}t.thread_key \
             where t.agency_id = $1 and t.platform = $2 {t_keys} group by t.rowid"
        ));
    }
    out
}

/// Thread keys grouped by platform and cut into chunks a refresh statement takes.
pub(crate) fn refresh_batches<'a>(keys: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(&'a str, Vec<&'a str>)> {
    let set: std::collections::BTreeSet<(&str, &str)> = keys.into_iter().collect();
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for (platform, key) in set {
        match out.last_mut() {
            Some((p, part)) if *p == platform && part.len() < REFRESH_CHUNK => part.push(key),
            _ => out.push((platform, vec![key])),
        }
    }
    out
}

/// Recompute the thread rows of `$keys` (`(platform, thread key)` pairs) inside the open transaction
/// `$tx`, after writing their messages. A macro rather than a function because the transaction's type
/// differs per backend (it runs inside `on_db!`).
macro_rules! refresh_threads {
    ($tx:expr, $postgres:expr, $agency:expr, $keys:expr) => {{
        for (platform, part) in $crate::store::threads::refresh_batches($keys) {
            for sql in $crate::store::threads::refresh_statements($postgres, Some(part.len())) {
                let mut q = sqlx::query(&sql).persistent(false).bind($agency).bind(platform);
                for key in &part {
                    q = q.bind(*key);
                }
                q.execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use refresh_threads;

/// A search, read from the filter before the query is built.
enum Search {
    None,
    /// Postgres, plain words: every one must be in the thread. They are the lexemes Postgres's own
    /// parser makes of the query (`to_tsvector('simple', q)`), so they are spelled as the index spells
    /// them, rarest first (by how many threads hold them, judged by its newest [`WORD_SAMPLE`]). A list walks
    /// the rarest one's rows in `communication_thread_word` and checks the others on `search_tsv`.
    Words {
        words: Vec<String>,
        /// Walk the first word's rows. Not when the first word is common and the others rare, but not
        /// rare enough to walk (a page would read thousands of rows): the GIN index intersects them.
        walk: bool,
    },
    /// Postgres, a query with phrase, `or` or `-word` syntax: `websearch_to_tsquery` on `search_tsv`.
    Syntax(String),
    /// SQLite: an FTS5 query of prefix terms ([`fts5_query`]).
    Fts(String),
}

/// Whether a Postgres search needs `websearch_to_tsquery`: a quoted phrase, `or`, or an excluded word.
fn has_search_syntax(q: &str) -> bool {
    q.contains('"')
        || q.split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("or") || w.starts_with('-'))
}

/// `words` as a `tsquery` literal that requires all of them (`'a' & 'b'`), for a `::tsquery` cast (no
/// normalization: they are lexemes already).
fn tsquery_literal(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// How many of a word's newest threads are read to tell how common it is.
const WORD_SAMPLE: i64 = 100;

/// A word of a search: the word, how many of its newest threads were read (up to [`WORD_SAMPLE`]), the
/// oldest of them's time, and the newest and oldest time of the agency's newest [`WORD_SAMPLE`] threads.
type WordSample = (
    String,
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A search walks its most common word only when each other word is in at least this share of threads
/// (a page then reads at most about 250 rows).
const WALK_SHARE_MIN: f64 = 0.1;

/// The words of `q` when it is plain ASCII words and numbers, as `to_tsvector('simple', q)` makes them
/// (lowercased, each once); `None` when the database's parser must split it (an address, a hyphen, a
/// non-ASCII letter).
fn plain_words(q: &str) -> Option<Vec<String>> {
    let mut words = q
        .split_whitespace()
        .map(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric())
                .then(|| w.to_ascii_lowercase())
        })
        .collect::<Option<Vec<String>>>()?;
    words.sort();
    words.dedup();
    Some(words)
}

/// The conditions every thread query applies (agency, scope, client, one thread, search, time range),
/// over `communication_thread t`. A list that walks a word's rows (see `list_threads`) checks only the
/// other words here: `walked_words` is how many of the first words it walks (`0` or `1`).
fn base_conds(
    sql: &mut Sql,
    agency_id: Uuid,
    scope: &Scope,
    f: &ThreadFilter,
    search: &Search,
    walked_words: usize,
) -> Vec<String> {
    let a = sql.arg(Bind::Uuid(agency_id));
    let mut wh = vec![format!("t.agency_id = {a}")];
    match scope {
        Scope::All => {}
        Scope::Clients(ids) if ids.is_empty() => wh.push("1 = 0".into()),
        Scope::Clients(ids) => {
            let list: Vec<String> = ids.iter().map(|id| sql.arg(Bind::Uuid(*id))).collect();
            // A walk of a word's rows checks the client on the row it walks (the index holds it), so only
            // the Member's threads are looked up.
            let alias = if walked_words > 0 { "w" } else { "t" };
            wh.push(format!("{alias}.client_id in ({})", list.join(", ")));
        }
        Scope::User(user) => {
            sql.binds.push(Bind::Uuid(*user));
            wh.push(format!(
                "exists (select 1 from client c where c.id = t.client_id and {})",
                scope_condition(sql.binds.len())
            ));
        }
    }
    if let Some(client) = f.client_id {
        let p = sql.arg(Bind::Uuid(client));
        wh.push(format!("t.client_id = {p}"));
    }
    if let Some(key) = &f.key {
        let p = sql.arg(Bind::Text(key.platform.clone()));
        let k = sql.arg(Bind::Text(key.thread.clone()));
        wh.push(format!("t.platform = {p} and t.thread_key = {k}"));
    }
    match search {
        Search::None => {}
        // A query with no word matches nothing rather than everything.
        Search::Words { words, .. } if words.is_empty() => wh.push("1 = 0".into()),
        Search::Words { words, .. } => {
            if let Some(rest) = words.get(walked_words..).filter(|r| !r.is_empty()) {
                let p = sql.arg(Bind::Text(tsquery_literal(rest)));
                wh.push(format!("t.search_tsv @@ {p}::tsquery"));
            }
        }
        Search::Syntax(q) => {
            let p = sql.arg(Bind::Text(q.clone()));
            wh.push(format!("t.search_tsv @@ websearch_to_tsquery('simple', {p})"));
        }
        Search::Fts(q) => {
            let p = sql.arg(Bind::Text(q.clone()));
            wh.push(format!(
                "t.rowid in (select rowid from communication_thread_fts where communication_thread_fts match {p})"
            ));
        }
    }
    if let Some(from) = f.from {
        let p = sql.arg(Bind::Time(from));
        wh.push(format!("t.last_at >= {p}"));
    }
    if let Some(to) = f.to {
        let p = sql.arg(Bind::Time(to));
        wh.push(format!("t.last_at <= {p}"));
    }
    wh
}

/// Whose threads a query may see. A Member's clients are named in the query when they are few: the
/// planner then knows how small a part of the agency they are (an `exists` per thread it takes for half
/// the agency, and walks far too many threads for a search).
enum Scope {
    All,
    Clients(Vec<Uuid>),
    User(Uuid),
}

/// Above this many granted clients, the scope stays a condition on the client.
const SCOPE_LIST_MAX: usize = 500;

/// Conditions on a thread row, by sidebar filter, so counts can leave one out. Booleans are written into
/// the text, not bound, so the planner can use the partial indexes on needs-reply and unread threads.
struct ThreadConds {
    platform: Option<String>,
    needs_reply: Option<String>,
    unread: Option<String>,
    assigned: Option<String>,
}

fn thread_conds(sql: &mut Sql, f: &ThreadFilter) -> ThreadConds {
    let platform = f.platform.clone().map(|v| {
        let p = sql.arg(Bind::Text(v));
        format!("t.platform = {p}")
    });
    let needs_reply = f
        .needs_reply
        .map(|v| if v { "t.needs_reply" } else { "not t.needs_reply" }.to_owned());
    let unread = f
        .unread
        .map(|v| if v { "t.unread_count > 0" } else { "t.unread_count = 0" }.to_owned());
    let assigned = f.assigned_to.map(|v| {
        let p = sql.arg(Bind::Uuid(v));
        format!("t.assigned_to = {p}")
    });
    ThreadConds {
        platform,
        needs_reply,
        unread,
        assigned,
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

/// The client's name by a scalar subquery rather than a join: cheaper to plan and to run for one page.
const THREAD_COLUMNS: &str = "t.last_message_id as id, t.client_id, \
     (select c.name from client c where c.id = t.client_id) as client_name, t.platform, \
     t.thread_key as tid, t.sender_email, t.sender_name, t.subject, t.snippet, t.needs_reply, \
     t.last_at as received_at, t.message_count, t.unread_count, t.assigned_to as assignee";

const THREAD_MATCH: &str = "agency_id = $1 and platform = $2 and coalesce(thread_id, provider_message_id) = $3";

impl Store {
    /// The scope of a caller: everything, or a Member's clients (owned or granted).
    async fn thread_scope(&self, agency_id: Uuid, scope: Option<Uuid>) -> StoreResult<Scope> {
        let Some(user) = scope else { return Ok(Scope::All) };
        // The owned clients and the granted ones, each read by its index (the owner's, the grantee's):
        // `scope_condition` per client of the agency instead checks a grant for every one of them.
        let ids: Vec<Uuid> = on_db!(&self.db, |pool| sqlx::query_scalar(&format!(
            "select c.id from client c where c.agency_id = $1 and c.owner_id = $2 \
             union select c.id from client_collaborator cc join client c on c.id = cc.client_id \
             where cc.user_id = $2 and c.agency_id = $1 order by 1 limit {}",
            SCOPE_LIST_MAX + 1
        ))
        .bind(agency_id)
        .bind(user)
        .fetch_all(pool)
        .await?);
        Ok(if ids.len() > SCOPE_LIST_MAX {
            Scope::User(user)
        } else {
            Scope::Clients(ids)
        })
    }

    /// What `f` searches for, in the form this backend matches it. On Postgres, plain words are split by
    /// the database's parser, so they are the words the index holds, and counted in one short query.
    async fn search_of(&self, agency_id: Uuid, f: &ThreadFilter) -> StoreResult<Search> {
        let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(Search::None);
        };
        Ok(match &self.db {
            Db::Sqlite(_) => Search::Fts(fts5_query(q).unwrap_or_else(|| "\"\"".into())),
            Db::Postgres(_) if has_search_syntax(q) => Search::Syntax(q.to_owned()),
            Db::Postgres(_) if plain_words(q).is_some_and(|w| w.len() == 1) => Search::Words {
                words: plain_words(q).unwrap_or_default(),
                walk: true,
            },
            Db::Postgres(pool) => {
                // Per word, its newest threads (up to WORD_SAMPLE): how many, and the oldest one's time;
                // and the time span of the agency's newest WORD_SAMPLE threads. A list walking a word reads
                // about a page divided by the share of threads holding the other words; that share is the
                // ratio of the two time spans.
                let mut words: Vec<WordSample> = sqlx::query_as(&format!(
                    "select w.word, s.n, s.oldest, a.newest, a.oldest from \
                         unnest(tsvector_to_array(to_tsvector('simple', $2))) as w(word) \
                         cross join lateral (select count(*) as n, min(y.last_at) as oldest from \
                         (select x.last_at from communication_thread_word x where x.agency_id = $1 \
                         and x.word = w.word order by x.last_at desc limit {WORD_SAMPLE}) y) s \
                         cross join (select max(z.last_at) as newest, min(z.last_at) as oldest from \
                         (select t.last_at from communication_thread t where t.agency_id = $1 \
                         order by t.last_at desc limit {WORD_SAMPLE}) z) a"
                ))
                .bind(agency_id)
                .bind(q)
                .fetch_all(pool)
                .await?;
                words.sort_by(|a, b| {
                    (a.1 >= WORD_SAMPLE, a.1, a.2)
                        .cmp(&(b.1 >= WORD_SAMPLE, b.1, b.2))
                        .then_with(|| a.0.cmp(&b.0))
                });
                // The share of recent threads holding a word seen in WORD_SAMPLE of them.
                let share = |w: &WordSample| {
                    let (Some(oldest), Some(newest), Some(all_oldest)) = (w.2, w.3, w.4) else {
                        return 1.0;
                    };
                    let span = (newest - oldest).num_milliseconds().max(1) as f64;
                    ((newest - all_oldest).num_milliseconds().max(1) as f64 / span).min(1.0)
                };
                let walk = match words.as_slice() {
                    [first, second, ..] => first.1 < WORD_SAMPLE || share(second) >= WALK_SHARE_MIN,
                    _ => true,
                };
                if words.first().is_some_and(|w| w.1 == 0) {
                    // A word no thread holds: nothing matches.
                    Search::Words {
                        words: Vec::new(),
                        walk,
                    }
                } else {
                    Search::Words {
                        words: words.into_iter().map(|w| w.0).collect(),
                        walk,
                    }
                }
            }
        })
    }

    /// Threads newest first (by their latest message), keyset-paginated on (latest time, latest id).
    ///
    /// A search by words on Postgres walks the rarest word's rows in `communication_thread_word` newest
    /// first (they carry the thread's latest time and id, the list's order), looks each thread up by that
    /// key and checks the rest of the filter on it; a page costs about the same whether the word is in
    /// three threads or in most. With one client's threads asked for, the client's threads are walked
    /// instead (or the search index read, as the planner finds cheaper), since they are the fewer.
    /// Other searches are not prepared statements, so each is planned with its words; the other lists
    /// are, one per combination of filters, and keep their plans.
    pub async fn list_threads(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        f: &ThreadFilter,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<ThreadRow>, Option<String>)> {
        let scope = self.thread_scope(agency_id, scope).await?;
        let search = self.search_of(agency_id, f).await?;
        let walk = match &search {
            Search::Words { words, walk: true } if f.client_id.is_none() && f.key.is_none() => words.first().cloned(),
            _ => None,
        };
        let mut sql = Sql::default();
        let mut wh = base_conds(&mut sql, agency_id, &scope, f, &search, usize::from(walk.is_some()));
        let c = thread_conds(&mut sql, f);
        wh.extend([c.platform, c.needs_reply, c.unread, c.assigned].into_iter().flatten());
        // The walked rows: the word's, or the threads themselves.
        let (from, order) = match walk {
            Some(word) => {
                let p = sql.arg(Bind::Text(word));
                wh.push(format!("w.agency_id = $1 and w.word = {p}"));
                // The thread by a lateral lookup of one row: a plain join on (time, id) makes the planner
                // multiply two near-unique selectivities, expect one row in all, and sort every match.
                (
                    "communication_thread_word w cross join lateral (select * from communication_thread t \
                     where t.agency_id = w.agency_id and t.last_at = w.last_at \
                     and t.last_message_id = w.last_message_id limit 1) t",
                    "w",
                )
            }
            None => ("communication_thread t", "t"),
        };
        if let Some((at, id)) = after.and_then(cursor::decode) {
            let t = sql.arg(Bind::Time(at));
            let i = sql.arg(Bind::Uuid(id));
            wh.push(format!("({order}.last_at, {order}.last_message_id) < ({t}, {i})"));
        }
        // The limit is written into the text, not bound: with a bound limit Postgres never settles on the
        // prepared statement's generic plan (it costs the generic plan for 10% of the rows, far above the
        // custom plans' cost for one page) and plans every execution again, which costs as much as
        // running a page of the list.
        sql.text = format!(
            "select {THREAD_COLUMNS} from {from} \
             where {} order by {order}.last_at desc, {order}.last_message_id desc limit {}",
            wh.join(" and "),
            u64::from(limit) + 1
        );
        // Prepared, with plans kept, unless the planner must see the words: a walk of a word's rows is the
        // same plan whatever the word.
        let persistent = matches!(search, Search::None) || from.starts_with("communication_thread_word");
        let rows: Vec<ThreadRow> = on_db!(&self.db, |pool| bind_all!(
            sqlx::query_as(&sql.text).persistent(persistent),
            &sql.binds
        )
        .fetch_all(pool)
        .await?);
        Ok(paginate(rows, limit, |r| (r.received_at, r.id)))
    }

    /// Recompute every thread row of the agency from its messages, in one transaction: after a bulk load
    /// that wrote messages directly (the thread benchmark), or to repair the rows.
    pub async fn rebuild_threads(&self, agency_id: Uuid) -> StoreResult<()> {
        let postgres = self.is_postgres();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for platform in ["gmail", "slack"] {
                for sql in refresh_statements(postgres, None) {
                    sqlx::query(&sql)
                        .persistent(false)
                        .bind(agency_id)
                        .bind(platform)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
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
        let scope = self.thread_scope(agency_id, scope).await?;
        let search = self.search_of(agency_id, f).await?;
        let mut sql = Sql::default();
        let wh = base_conds(&mut sql, agency_id, &scope, f, &search, 0);
        let c = thread_conds(&mut sql, f);
        let me = sql.arg(Bind::Uuid(me));
        let count =
            |own: &str, others: String| format!("coalesce(sum(case when {own} and {others} then 1 else 0 end), 0)");
        let all = count("1 = 1", and_all([&c.platform, &c.needs_reply, &c.unread, &c.assigned]));
        let needs = count("t.needs_reply", and_all([&c.platform, &c.unread, &c.assigned]));
        let unread = count(
            "t.unread_count > 0",
            and_all([&c.platform, &c.needs_reply, &c.assigned]),
        );
        let assigned = count(
            &format!("t.assigned_to = {me}"),
            and_all([&c.platform, &c.needs_reply, &c.unread]),
        );
        let gmail = count(
            "t.platform = 'gmail'",
            and_all([&c.needs_reply, &c.unread, &c.assigned]),
        );
        let slack = count(
            "t.platform = 'slack'",
            and_all([&c.needs_reply, &c.unread, &c.assigned]),
        );
        sql.text = format!(
            "select {all} as all_count, {needs} as needs_reply_count, {unread} as unread_count, \
             {assigned} as assigned_count, {gmail} as gmail_count, {slack} as slack_count \
             from communication_thread t where {}",
            wh.join(" and ")
        );
        Ok(on_db!(&self.db, |pool| bind_all!(
            sqlx::query_as(&sql.text).persistent(matches!(search, Search::None)),
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
        let postgres = self.is_postgres();
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
            refresh_threads!(tx, postgres, agency_id, [(key.platform.as_str(), key.thread.as_str())]);
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
    fn plain_words_are_lowercased_ascii_words_or_none() {
        assert_eq!(
            plain_words("W17  budget w17"),
            Some(vec!["budget".into(), "w17".into()])
        );
        assert_eq!(plain_words("dana@acme.test"), None);
        assert_eq!(plain_words("café"), None);
        assert_eq!(plain_words("re-brand"), None);
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
