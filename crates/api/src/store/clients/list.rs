//! The client list and its CSV export: search, filters, sort and keyset pagination, in one query.
//!
//! Every sort is a keyset on `(sort key, id)`, walked in the key's physical direction, so a page is one
//! indexed range scan and a walk sees every row exactly once. The cursor is opaque (base64 JSON) and carries
//! the sort, the direction, the last row's key and its id; a cursor of another sort or direction is refused.

use crate::domain::tenant::Tenant;
use audienceos_shared::clients::{ClientListQuery, ClientSort, Health, HealthSet, SortDir};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{client_columns, ClientRow};
use crate::store::sql::{bind_all, like_pattern, scope_condition, Bind, Sql};
use crate::store::{on_db, Store, StoreResult};

/// The filters of the list and the export (everything of `ClientListQuery` but sort and paging).
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    pub q: Option<String>,
    pub stage_id: Option<Uuid>,
    /// Any of these health values.
    pub health: Option<HealthSet>,
    pub owner_id: Option<Uuid>,
    pub label_id: Option<Uuid>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub archived: bool,
}

impl From<&ClientListQuery> for ClientFilter {
    fn from(q: &ClientListQuery) -> Self {
        Self {
            q: q.q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            stage_id: q.stage_id,
            health: q.health.clone(),
            owner_id: q.owner_id,
            label_id: q.label_id,
            due_before: q.due_before,
            due_after: q.due_after,
            archived: q.archived.unwrap_or(false),
        }
    }
}

/// The direction a sort takes when the query names none: names, stages and due dates ascending; last
/// updated, days in stage and health descending (newest, longest waiting and worst first).
pub fn default_dir(sort: ClientSort) -> SortDir {
    match sort {
        ClientSort::Name | ClientSort::Stage | ClientSort::DueDate => SortDir::Asc,
        ClientSort::Updated | ClientSort::DaysInStage | ClientSort::Health => SortDir::Desc,
    }
}

fn dir_str(d: SortDir) -> &'static str {
    match d {
        SortDir::Asc => "asc",
        SortDir::Desc => "desc",
    }
}

fn reverse(d: SortDir) -> SortDir {
    match d {
        SortDir::Asc => SortDir::Desc,
        SortDir::Desc => SortDir::Asc,
    }
}

/// The sort key of the last row of a page.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
    /// `due_date`, where `null` sorts last in both directions.
    Date(Option<NaiveDate>),
}

#[derive(Debug, Serialize, Deserialize)]
struct CursorBody {
    s: String,
    d: String,
    /// Which `Key` variant `k` is (untagged JSON cannot tell a date from a text).
    t: String,
    k: serde_json::Value,
    id: Uuid,
}

/// A decoded list cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct ListCursor {
    key: Key,
    id: Uuid,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorError {
    Malformed,
    OtherSort,
}

impl ListCursor {
    fn encode(&self, sort: ClientSort, dir: SortDir) -> String {
        let (t, k) = match &self.key {
            Key::Int(v) => ("i", serde_json::json!(v)),
            Key::Text(v) => ("s", serde_json::json!(v)),
            Key::Time(v) => ("t", serde_json::json!(v)),
            Key::Date(v) => ("d", serde_json::json!(v)),
        };
        let body = CursorBody {
            s: sort.as_str().into(),
            d: dir_str(dir).into(),
            t: t.into(),
            k,
            id: self.id,
        };
        crate::store::cursor::pack(&body)
    }

    /// Decode a cursor issued for this sort and direction.
    pub fn decode(s: &str, sort: ClientSort, dir: SortDir) -> Result<Self, CursorError> {
        let body: CursorBody = crate::store::cursor::unpack(s).ok_or(CursorError::Malformed)?;
        if body.s != sort.as_str() || body.d != dir_str(dir) {
            return Err(CursorError::OtherSort);
        }
        let bad = |_| CursorError::Malformed;
        let key = match (sort, body.t.as_str()) {
            (ClientSort::Stage | ClientSort::Health, "i") => Key::Int(serde_json::from_value(body.k).map_err(bad)?),
            (ClientSort::Name, "s") => Key::Text(serde_json::from_value(body.k).map_err(bad)?),
            (ClientSort::Updated | ClientSort::DaysInStage, "t") => {
                Key::Time(serde_json::from_value(body.k).map_err(bad)?)
            }
            (ClientSort::DueDate, "d") => Key::Date(serde_json::from_value(body.k).map_err(bad)?),
            _ => return Err(CursorError::Malformed),
        };
        Ok(Self { key, id: body.id })
    }
}

/// A row of the list: the client plus what the sort and the export need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    #[sqlx(flatten)]
    pub client: ClientRow,
    pub list_name_sort: String,
    pub list_owner_email: Option<String>,
}

impl ListRow {
    fn key(&self, sort: ClientSort) -> Key {
        let c = &self.client;
        match sort {
            ClientSort::Name => Key::Text(self.list_name_sort.clone()),
            ClientSort::Stage => Key::Int(i64::from(c.stage_position)),
            ClientSort::DaysInStage => Key::Time(c.stage_entered_at),
            ClientSort::Health => Key::Int(health_rank(Health::parse(&c.health).unwrap_or(Health::Red))),
            ClientSort::DueDate => Key::Date(c.due_date),
            ClientSort::Updated => Key::Time(c.updated_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ClientLabelName {
    pub client_id: Uuid,
    pub name: String,
}

/// The search, filters and scope of a list, as `where` conditions on `c`.
fn filter_sql(agency_id: Uuid, scope: Option<Uuid>, f: &ClientFilter) -> (Sql, Vec<String>) {
    let mut sql = Sql::default();
    let a = sql.arg(Bind::Uuid(agency_id));
    let mut wh = vec![format!("c.agency_id = {a}")];
    if let Some(user) = scope {
        let n = sql.binds.len() + 1;
        sql.binds.push(Bind::Uuid(user));
        wh.push(scope_condition(n));
    }
    wh.push(
        if f.archived {
            "c.archived_at is not null"
        } else {
            "c.archived_at is null"
        }
        .into(),
    );
    if let Some(q) = &f.q {
        let p = sql.arg(Bind::Text(like_pattern(q)));
        wh.push(format!("c.search_text like {p} escape '\\'"));
    }
    if let Some(v) = f.stage_id {
        let p = sql.arg(Bind::Uuid(v));
        wh.push(format!("c.stage_id = {p}"));
    }
    if let Some(set) = &f.health {
        let ps: Vec<String> = set
            .values()
            .iter()
            .map(|h| sql.arg(Bind::Text(h.as_str().into())))
            .collect();
        wh.push(format!("c.health in ({})", ps.join(", ")));
    }
    if let Some(v) = f.owner_id {
        let p = sql.arg(Bind::Uuid(v));
        wh.push(format!("c.owner_id = {p}"));
    }
    if let Some(v) = f.label_id {
        let p = sql.arg(Bind::Uuid(v));
        wh.push(format!(
            "exists (select 1 from client_label cl where cl.client_id = c.id and cl.label_id = {p})"
        ));
    }
    if let Some(v) = f.due_before {
        let p = sql.arg(Bind::Date(v));
        wh.push(format!("c.due_date <= {p}"));
    }
    if let Some(v) = f.due_after {
        let p = sql.arg(Bind::Date(v));
        wh.push(format!("c.due_date >= {p}"));
    }
    (sql, wh)
}

/// A run of rows sharing the first part of the sort key. Sorts by a few distinct values (stage, health,
/// due date present or not) are read one segment at a time, each an index range in `id` (or due date)
/// order, instead of sorting every client of the agency by an expression.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Segment {
    /// Sorts by a column with its own index: one segment, keyset on `(column, id)`.
    All(&'static str),
    Stage {
        id: Uuid,
        position: i64,
    },
    Health {
        value: Health,
        rank: i64,
    },
    DueSet,
    DueNone,
}

fn health_rank(h: Health) -> i64 {
    match h {
        Health::Green => 0,
        Health::Yellow => 1,
        Health::Red => 2,
    }
}

/// The segments of a sort, in the order of the walk.
fn segments(sort: ClientSort, phys: SortDir, stages: &[(Uuid, i32)]) -> Vec<Segment> {
    let mut v: Vec<Segment> = match sort {
        ClientSort::Name => vec![Segment::All("c.name_sort")],
        ClientSort::Updated => vec![Segment::All("c.updated_at")],
        ClientSort::DaysInStage => vec![Segment::All("c.stage_entered_at")],
        // no due date last in both directions
        ClientSort::DueDate => return vec![Segment::DueSet, Segment::DueNone],
        ClientSort::Stage => stages
            .iter()
            .map(|(id, p)| Segment::Stage {
                id: *id,
                position: i64::from(*p),
            })
            .collect(),
        ClientSort::Health => Health::ALL
            .into_iter()
            .map(|h| Segment::Health {
                value: h,
                rank: health_rank(h),
            })
            .collect(),
    };
    if phys == SortDir::Desc {
        v.reverse();
    }
    v
}

/// How a segment relates to the cursor: skipped (already walked), resumed after the cursor, or read whole.
enum SegStart<'a> {
    Skip,
    After(&'a ListCursor),
    Start,
}

fn position_in(seg: Segment, cur: Option<&ListCursor>, phys: SortDir) -> SegStart<'_> {
    let Some(cur) = cur else { return SegStart::Start };
    let seg_key = match seg {
        Segment::All(_) => return SegStart::After(cur),
        Segment::Stage { position, .. } => position,
        Segment::Health { rank, .. } => rank,
        Segment::DueSet => {
            return match cur.key {
                Key::Date(Some(_)) => SegStart::After(cur),
                _ => SegStart::Skip,
            }
        }
        Segment::DueNone => {
            return match cur.key {
                Key::Date(None) => SegStart::After(cur),
                _ => SegStart::Start,
            }
        }
    };
    let Key::Int(k) = cur.key else { return SegStart::Skip };
    match (seg_key.cmp(&k), phys) {
        (std::cmp::Ordering::Equal, _) => SegStart::After(cur),
        (std::cmp::Ordering::Less, SortDir::Asc) | (std::cmp::Ordering::Greater, SortDir::Desc) => SegStart::Skip,
        _ => SegStart::Start,
    }
}

/// The query of one segment: the filters, the segment, the keyset after the cursor, order and limit.
fn segment_sql(
    base: &(Sql, Vec<String>),
    seg: Segment,
    from: &SegStart<'_>,
    phys: SortDir,
    limit: Option<usize>,
) -> Sql {
    let (cmp, ord) = match phys {
        SortDir::Asc => (">", "asc"),
        SortDir::Desc => ("<", "desc"),
    };
    let mut sql = Sql {
        text: String::new(),
        binds: base.0.binds.clone(),
    };
    let mut wh = base.1.clone();
    let order = match seg {
        Segment::All(col) => format!("{col} {ord}, c.id {ord}"),
        Segment::DueSet => format!("c.due_date {ord}, c.id {ord}"),
        _ => format!("c.id {ord}"),
    };
    match seg {
        Segment::All(_) => {}
        Segment::Stage { id, .. } => {
            let p = sql.arg(Bind::Uuid(id));
            wh.push(format!("c.stage_id = {p}"));
        }
        Segment::Health { value, .. } => {
            let p = sql.arg(Bind::Text(value.as_str().into()));
            wh.push(format!("c.health = {p}"));
        }
        Segment::DueSet => wh.push("c.due_date is not null".into()),
        Segment::DueNone => wh.push("c.due_date is null".into()),
    }
    if let SegStart::After(cur) = from {
        let k = match (&cur.key, seg) {
            (Key::Text(v), Segment::All(_)) => Some(Bind::Text(v.clone())),
            (Key::Time(v), Segment::All(_)) => Some(Bind::Time(*v)),
            (Key::Int(v), Segment::All(_)) => Some(Bind::Int(*v)),
            (Key::Date(Some(d)), Segment::DueSet) => Some(Bind::Date(*d)),
            _ => None,
        };
        match (k, seg) {
            (Some(k), Segment::All(col)) => {
                let k = sql.arg(k);
                let id = sql.arg(Bind::Uuid(cur.id));
                wh.push(format!("({col}, c.id) {cmp} ({k}, {id})"));
            }
            (Some(k), _) => {
                let k = sql.arg(k);
                let id = sql.arg(Bind::Uuid(cur.id));
                wh.push(format!("(c.due_date, c.id) {cmp} ({k}, {id})"));
            }
            (None, _) => {
                let id = sql.arg(Bind::Uuid(cur.id));
                wh.push(format!("c.id {cmp} {id}"));
            }
        }
    }
    sql.text = format!(
        "select {}, c.name_sort as list_name_sort, o.email as list_owner_email {} where {} order by {order}",
        client_columns!(),
        super::CLIENT_FROM,
        wh.join(" and ")
    );
    // The limit is written into the text, not bound: with `limit $n` Postgres's generic plan cannot know
    // how few rows are wanted, so it planned every execution afresh (a number we computed, never input).
    if let Some(limit) = limit {
        sql.text.push_str(&format!(" limit {limit}"));
    }
    sql
}

impl Store {
    /// One page of the clients the caller may see, and the cursor of the next page.
    pub async fn list_clients(
        &self,
        tenant: Tenant,
        filter: &ClientFilter,
        sort: ClientSort,
        dir: SortDir,
        after: Option<&ListCursor>,
        limit: u32,
    ) -> StoreResult<(Vec<ListRow>, Option<String>)> {
        let (agency_id, scope) = tenant.parts();
        let mut rows = self
            .walk(agency_id, scope, filter, sort, dir, after, Some(limit as usize + 1))
            .await?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| {
                ListCursor {
                    key: r.key(sort),
                    id: r.client.id,
                }
                .encode(sort, dir)
            })
        } else {
            None
        };
        Ok((rows, next))
    }

    /// Every client matching the filter, in list order (the CSV export).
    pub async fn export_clients(
        &self,
        tenant: Tenant,
        filter: &ClientFilter,
        sort: ClientSort,
        dir: SortDir,
    ) -> StoreResult<Vec<ListRow>> {
        let (agency_id, scope) = tenant.parts();
        self.walk(agency_id, scope, filter, sort, dir, None, None).await
    }

    /// Read segment after segment from the cursor on, until `want` rows (or all of them).
    #[allow(clippy::too_many_arguments)]
    async fn walk(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        filter: &ClientFilter,
        sort: ClientSort,
        dir: SortDir,
        after: Option<&ListCursor>,
        want: Option<usize>,
    ) -> StoreResult<Vec<ListRow>> {
        let phys = if sort == ClientSort::DaysInStage {
            reverse(dir)
        } else {
            dir
        };
        let stages: Vec<(Uuid, i32)> = if sort == ClientSort::Stage {
            on_db!(&self.db, |pool| sqlx::query_as(
                "select id, position from pipeline_stage where agency_id = $1 order by position, id"
            )
            .bind(agency_id)
            .fetch_all(pool)
            .await?)
        } else {
            Vec::new()
        };
        let base = filter_sql(agency_id, scope, filter);
        let mut rows: Vec<ListRow> = Vec::new();
        for seg in segments(sort, phys, &stages) {
            let from = position_in(seg, after, phys);
            if matches!(from, SegStart::Skip) {
                continue;
            }
            let remaining = want.map(|w| w - rows.len());
            if remaining == Some(0) {
                break;
            }
            let sql = segment_sql(&base, seg, &from, phys, remaining);
            let mut got: Vec<ListRow> = on_db!(&self.db, |pool| bind_all!(sqlx::query_as(&sql.text), &sql.binds)
                .fetch_all(pool)
                .await?);
            rows.append(&mut got);
        }
        Ok(rows)
    }

    /// The label names of every client of the agency (for the export).
    pub async fn client_label_names(&self, agency_id: Uuid) -> StoreResult<Vec<ClientLabelName>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select cl.client_id, l.name from client_label cl join label l on l.id = cl.label_id \
             where cl.agency_id = $1 order by l.name"
        )
        .bind(agency_id)
        .fetch_all(pool)
        .await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts() {
        let c = ListCursor {
            key: Key::Date(None),
            id: Uuid::now_v7(),
        };
        let s = c.encode(ClientSort::DueDate, SortDir::Asc);
        assert_eq!(ListCursor::decode(&s, ClientSort::DueDate, SortDir::Asc), Ok(c.clone()));
        assert_eq!(
            ListCursor::decode(&s, ClientSort::DueDate, SortDir::Desc),
            Err(CursorError::OtherSort)
        );
        assert_eq!(
            ListCursor::decode(&s, ClientSort::Name, SortDir::Asc),
            Err(CursorError::OtherSort)
        );
        assert_eq!(
            ListCursor::decode("nope!", ClientSort::Name, SortDir::Asc),
            Err(CursorError::Malformed)
        );
        let t = ListCursor {
            key: Key::Text("2026-01-01".into()),
            id: Uuid::now_v7(),
        };
        let s = t.encode(ClientSort::Name, SortDir::Desc);
        assert_eq!(ListCursor::decode(&s, ClientSort::Name, SortDir::Desc), Ok(t));
    }
}
