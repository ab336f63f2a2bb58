//! Bulk inserts for the demo agency and the benchmark data set: many rows per statement, in
//! transactions, on both backends. Rows are built in Rust (see `seed/generate.rs`); nothing here decides
//! what the data means.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{on_db, Store, StoreResult};

/// Rows per statement: under SQLite's bound-parameter limit for the widest table.
const CHUNK: usize = 400;

#[derive(Debug, Clone)]
pub struct ClientSeed {
    pub id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage_id: Uuid,
    pub stage_entered_at: DateTime<Utc>,
    pub install_date: Option<NaiveDate>,
    pub total_spend_cents: i64,
    pub lifetime_value_cents: i64,
    pub due_date: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct StageEventSeed {
    pub id: Uuid,
    pub client_id: Uuid,
    pub from: Option<(Uuid, String)>,
    pub to: (Uuid, String),
    pub moved_by: Option<Uuid>,
    pub moved_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NoteSeed {
    pub id: Uuid,
    pub client_id: Uuid,
    pub author_id: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct TaskSeed {
    pub id: Uuid,
    pub client_id: Uuid,
    pub title: String,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct AlertSeed {
    pub id: Uuid,
    pub client_id: Uuid,
    pub alert_type: &'static str,
    pub severity: &'static str,
    pub title: String,
    pub description: String,
    pub reasons: Vec<String>,
    pub dedupe_key: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn bulk_insert_clients(&self, agency_id: Uuid, rows: &[ClientSeed]) -> StoreResult<()> {
        for chunk in rows.chunks(CHUNK / 2) {
            on_db!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into client (id, agency_id, name, contact_name, contact_email, contact_email_norm, website, search_text, \
                     stage_id, stage_entered_at, install_date, total_spend_cents, lifetime_value_cents, due_date, owner_id, \
                     last_activity_at, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(c.id)
                        .push_bind(agency_id)
                        .push_bind(c.name.clone())
                        .push_bind(c.contact_name.clone())
                        .push_bind(c.contact_email.clone())
                        .push_bind(super::clients::email_key(c.contact_email.as_deref()))
                        .push_bind(c.website.clone())
                        .push_bind(super::clients::search_text(
                            &c.name,
                            c.contact_name.as_deref(),
                            c.contact_email.as_deref(),
                            c.website.as_deref(),
                        ))
                        .push_bind(c.stage_id)
                        .push_bind(c.stage_entered_at)
                        .push_bind(c.install_date)
                        .push_bind(c.total_spend_cents)
                        .push_bind(c.lifetime_value_cents)
                        .push_bind(c.due_date)
                        .push_bind(c.owner_id)
                        .push_bind(c.last_activity_at)
                        .push_bind(c.created_at)
                        .push_bind(c.last_activity_at);
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    pub async fn bulk_insert_stage_events(&self, agency_id: Uuid, rows: &[StageEventSeed]) -> StoreResult<()> {
        for chunk in rows.chunks(CHUNK) {
            on_db!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, moved_by, moved_at, created_at) ",
                );
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(e.id)
                        .push_bind(agency_id)
                        .push_bind(e.client_id)
                        .push_bind(e.from.as_ref().map(|f| f.0))
                        .push_bind(e.from.as_ref().map(|f| f.1.clone()))
                        .push_bind(e.to.0)
                        .push_bind(e.to.1.clone())
                        .push_bind(e.moved_by)
                        .push_bind(e.moved_at)
                        .push_bind(e.moved_at);
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    pub async fn bulk_insert_notes(&self, agency_id: Uuid, rows: &[NoteSeed]) -> StoreResult<()> {
        for chunk in rows.chunks(CHUNK) {
            on_db!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into note (id, agency_id, client_id, author_id, body, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, n| {
                    b.push_bind(n.id)
                        .push_bind(agency_id)
                        .push_bind(n.client_id)
                        .push_bind(n.author_id)
                        .push_bind(n.body.clone())
                        .push_bind(n.created_at)
                        .push_bind(n.created_at);
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    pub async fn bulk_insert_tasks(&self, agency_id: Uuid, rows: &[TaskSeed]) -> StoreResult<()> {
        for chunk in rows.chunks(CHUNK) {
            on_db!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into task (id, agency_id, client_id, title, assignee_id, due_date, done_at, done_by, position, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, t| {
                    b.push_bind(t.id)
                        .push_bind(agency_id)
                        .push_bind(t.client_id)
                        .push_bind(t.title.clone())
                        .push_bind(t.assignee_id)
                        .push_bind(t.due_date)
                        .push_bind(t.done_at)
                        .push_bind(t.done_by)
                        .push_bind(t.position)
                        .push_bind(t.created_at)
                        .push_bind(t.done_at.unwrap_or(t.created_at));
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    pub async fn bulk_insert_alerts(&self, agency_id: Uuid, rows: &[AlertSeed]) -> StoreResult<()> {
        for chunk in rows.chunks(CHUNK) {
            on_db!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into alert (id, agency_id, client_id, alert_type, severity, status, title, description, reasons, dedupe_key, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(a.id)
                        .push_bind(agency_id)
                        .push_bind(a.client_id)
                        .push_bind(a.alert_type)
                        .push_bind(a.severity)
                        .push_bind("active")
                        .push_bind(a.title.clone())
                        .push_bind(a.description.clone())
                        .push_bind(Json(a.reasons.clone()))
                        .push_bind(a.dedupe_key.clone())
                        .push_bind(a.created_at)
                        .push_bind(a.created_at);
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Labels by name (created when missing) → ids, and the client-label pairs.
    pub async fn bulk_label_clients(
        &self,
        agency_id: Uuid,
        labels: &[(String, String)],
        pairs: &[(Uuid, usize)],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut ids = Vec::with_capacity(labels.len());
        for (name, color) in labels {
            let id = super::new_id();
            on_db!(&self.db, |pool| {
                sqlx::query(
                "insert into label (id, agency_id, name, color, created_at, updated_at) values ($1, $2, $3, $4, $5, $5) on conflict do nothing"
            )
            .bind(id)
            .bind(agency_id)
            .bind(name)
            .bind(color)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
            });
            let got: Uuid = on_db!(&self.db, |pool| sqlx::query_scalar(
                "select id from label where agency_id = $1 and name = $2"
            )
            .bind(agency_id)
            .bind(name)
            .fetch_one(pool)
            .await?);
            ids.push(got);
        }
        let rows: Vec<(Uuid, Uuid)> = pairs
            .iter()
            .filter_map(|(c, i)| ids.get(*i).map(|l| (*c, *l)))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            on_db!(&self.db, |pool| {
                let mut qb =
                    sqlx::QueryBuilder::new("insert into client_label (client_id, label_id, agency_id, created_at) ");
                qb.push_values(chunk, |mut b, (c, l)| {
                    b.push_bind(*c).push_bind(*l).push_bind(agency_id).push_bind(now);
                });
                qb.build().execute(pool).await?;
            });
        }
        Ok(())
    }
}
