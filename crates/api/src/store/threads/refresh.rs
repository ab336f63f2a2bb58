//! Keeping `communication_thread` in step with the messages: the statements that recompute thread rows,
//! [`refresh_threads!`] that runs them in the writers' transactions, and the rebuild of every row.

use uuid::Uuid;

use super::TKEY;
use crate::store::{on_db, BeginWrite as _, Store, StoreResult};

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

impl Store {
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
}
