//! The sidebar counts: how many threads each filter would list.

use crate::domain::tenant::Tenant;
use uuid::Uuid;

use super::filter::{and_all, base_conds, thread_conds};
use super::search::Search;
use super::{ThreadCountsRow, ThreadFilter};
use crate::store::sql::{bind_all, Bind, Sql};
use crate::store::{on_db, Store, StoreResult};

impl Store {
    /// How many threads each sidebar filter would list; each count applies every other active filter.
    pub async fn count_threads(&self, tenant: Tenant, me: Uuid, f: &ThreadFilter) -> StoreResult<ThreadCountsRow> {
        let (agency_id, scope) = tenant.parts();
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
}
