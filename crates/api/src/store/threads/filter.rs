//! The `where` conditions of thread queries: the caller's scope, the filter, the search and the
//! sidebar filters (kept apart so the counts can leave one out).

use uuid::Uuid;

use super::search::{tsquery_literal, Search};
use super::ThreadFilter;
use crate::store::sql::{scope_condition, Bind, Sql};
use crate::store::{on_db, Store, StoreResult};

/// The conditions every thread query applies (agency, scope, client, one thread, search, time range),
/// over `communication_thread t`. A list that walks a word's rows (see `list_threads`) checks only the
/// other words here: `walked_words` is how many of the first words it walks (`0` or `1`).
pub(super) fn base_conds(
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
pub(super) enum Scope {
    All,
    Clients(Vec<Uuid>),
    User(Uuid),
}

/// Above this many granted clients, the scope stays a condition on the client.
const SCOPE_LIST_MAX: usize = 500;

/// Conditions on a thread row, by sidebar filter, so counts can leave one out. Booleans are written into
/// the text, not bound, so the planner can use the partial indexes on needs-reply and unread threads.
pub(super) struct ThreadConds {
    pub(super) platform: Option<String>,
    pub(super) needs_reply: Option<String>,
    pub(super) unread: Option<String>,
    pub(super) assigned: Option<String>,
}

pub(super) fn thread_conds(sql: &mut Sql, f: &ThreadFilter) -> ThreadConds {
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

pub(super) fn and_all<'a>(parts: impl IntoIterator<Item = &'a Option<String>>) -> String {
    let v: Vec<&str> = parts.into_iter().flatten().map(String::as_str).collect();
    if v.is_empty() {
        "1 = 1".into()
    } else {
        v.join(" and ")
    }
}

impl Store {
    /// The scope of a caller: everything, or a Member's clients (owned or granted).
    pub(super) async fn thread_scope(&self, agency_id: Uuid, scope: Option<Uuid>) -> StoreResult<Scope> {
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
}
