//! Reading threads: the list (keyset pages, newest first), one thread's summary and its messages.

use crate::domain::tenant::Tenant;

use super::filter::{base_conds, thread_conds};
use super::search::Search;
use super::{ThreadFilter, ThreadKey, ThreadMessageRow, ThreadRow, TKEY};
use crate::store::sql::{bind_all, scope_condition, Bind, Sql};
use crate::store::{cursor, on_db, paginate, Store, StoreError, StoreResult};

/// The client's name by a scalar subquery rather than a join: cheaper to plan and to run for one page.
const THREAD_COLUMNS: &str = "t.last_message_id as id, t.client_id, \
     (select c.name from client c where c.id = t.client_id) as client_name, t.platform, \
     t.thread_key as tid, t.sender_email, t.sender_name, t.subject, t.snippet, t.needs_reply, \
     t.last_at as received_at, t.message_count, t.unread_count, t.assigned_to as assignee";

impl Store {
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
        tenant: Tenant,
        f: &ThreadFilter,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<ThreadRow>, Option<String>)> {
        let (agency_id, scope) = tenant.parts();
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

    /// One thread's summary, if the caller may see it.
    pub async fn get_thread_summary(&self, tenant: Tenant, key: &ThreadKey) -> StoreResult<ThreadRow> {
        let f = ThreadFilter {
            key: Some(key.clone()),
            ..Default::default()
        };
        let (mut rows, _) = self.list_threads(tenant, &f, 1, None).await?;
        rows.pop().ok_or(StoreError::NotFound)
    }

    /// A visible thread's messages, oldest first.
    pub async fn list_thread_messages(&self, tenant: Tenant, key: &ThreadKey) -> StoreResult<Vec<ThreadMessageRow>> {
        let (agency_id, scope) = tenant.parts();
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
}
