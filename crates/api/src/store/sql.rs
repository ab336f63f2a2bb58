//! Plumbing the feature files of the store share: the builder of queries assembled from optional parts
//! (`Sql`, `Bind`, `bind_all!`), placeholder lists, the condition that limits clients to a caller's scope,
//! `like` patterns, `found` for a write that must hit its row, and the statement that touches a client's
//! last activity.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{StoreError, StoreResult};

/// A value bound to a numbered placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

/// SQL text with `$n` placeholders and their values, for queries assembled from optional parts.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    /// Add a value; returns its placeholder.
    pub fn arg(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }
}

/// Bind every value of `$binds` to the query `$q`, in order.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Uuid(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
                Bind::Time(v) => q.bind(*v),
                Bind::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

/// `$first, $first+1, ...` for an `in (...)` list of `n` values.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL condition (on alias `c`) limiting rows to what the scope may see; `$n` is the scope's user id or null.
pub fn scope_condition(n: usize) -> String {
    format!(
        "(${n} is null or c.owner_id = ${n} or exists (select 1 from client_collaborator cc where cc.client_id = c.id and cc.user_id = ${n}))"
    )
}

/// `%text%` for `like ... escape '\'`, with `%`, `_` and `\` of the text matched literally.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// `NotFound` when a statement that targets one row by id changed `n == 0` rows (it is not there, or not
/// the caller's), `Ok` otherwise.
pub fn found(n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Touch a client's last activity: `$1` now, `$2` agency, `$3` client. Run first in a write transaction.
pub const TOUCH_CLIENT: &str = "update client set last_activity_at = $1 where agency_id = $2 and id = $3";

/// `touch_client!(tx, now, agency_id, client_id).await?`: run `TOUCH_CLIENT` in the write transaction `tx`
/// (a macro because each backend's transaction is its own type).
macro_rules! touch_client {
    ($tx:expr, $now:expr, $agency_id:expr, $client_id:expr) => {
        sqlx::query($crate::store::sql::TOUCH_CLIENT)
            .bind($now)
            .bind($agency_id)
            .bind($client_id)
            .execute(&mut *$tx)
    };
}
pub(crate) use touch_client;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ac%m_e\\"), "%ac\\%m\\_e\\\\%");
    }
}
