//! The CSV import's one-transaction upsert of clients (by contact email), with their labels and stage events.

use crate::domain::tenant::Tenant;
use crate::store::client_imports::ImportProgress;
use crate::store::BeginWrite;
use audienceos_shared::clients::ImportRowError;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{email_key, name_sort, search_text, NewClient, INSERT_EVENT};
use crate::store::sql::scope_condition;
use crate::store::{new_id, on_db, Store, StoreResult};

/// One good row of a CSV import, resolved to ids.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: u32,
    pub client: NewClient,
    /// Which optional columns the file has: absent columns leave an updated client's field alone.
    pub columns: ImportColumns,
    /// Label names to attach (labels missing are created with `new_label_color`).
    pub label_names: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportColumns {
    pub contact_name: bool,
    pub website: bool,
    pub stage: bool,
    pub owner: bool,
    pub labels: bool,
    pub due_date: bool,
    pub install_date: bool,
    pub total_spend: bool,
    pub lifetime_value: bool,
}

/// What the import wrote, and the rows it had to refuse while writing (a contact email of a client the
/// caller may not see).
#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub created: u32,
    pub updated: u32,
    pub refused: Vec<(u32, &'static str, String)>,
    /// With an `ImportProgress` that no longer applied (another run wrote this batch): nothing written.
    pub superseded: bool,
}

const INSERT_CLIENT: &str =
    "insert into client (id, agency_id, name, contact_name, contact_email, contact_email_norm, \
    website, search_text, stage_id, stage_entered_at, install_date, total_spend_cents, lifetime_value_cents, due_date, \
    owner_id, last_activity_at, created_at, updated_at, name_sort) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $10, $10, $10, $16)";

impl Store {
    /// Write every good row of a CSV import in one transaction: rows whose contact email matches a client
    /// update it, the others create clients (with their first stage event). Labels named but missing are
    /// created with `new_label_color`. A row matching a client the caller may not see is refused. With
    /// `progress` (an import job's batch), the import's progress is recorded in the same transaction.
    pub async fn import_clients(
        &self,
        tenant: Tenant,
        actor: Option<Uuid>,
        rows: &[ImportRow],
        new_label_color: &str,
        progress: Option<ImportProgress>,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportOutcome> {
        let (agency_id, scope) = tenant.parts();
        let visible = format!(
            "select count(*) from client c where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        let mut out = ImportOutcome::default();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // An import job's batch claims its place first: a second run of the same batch waits for this
            // row (Postgres) or the writer lock (SQLite), then finds it moved on and writes nothing.
            if let Some(p) = progress {
                let claimed = sqlx::query(
                    "update client_import set status = 'running', last_line = $3, processed_rows = $4, updated_at = $5 \
                     where id = $1 and last_line = $2 and status in ('queued', 'running')",
                )
                .bind(p.import_id)
                .bind(p.from_line as i32)
                .bind(p.to_line as i32)
                .bind(p.processed_rows as i32)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed == 0 {
                    tx.rollback().await?;
                    return Ok(ImportOutcome {
                        superseded: true,
                        ..ImportOutcome::default()
                    });
                }
            }
            // Labels: the agency's, plus the missing ones the file names.
            let mut labels: std::collections::HashMap<String, Uuid> =
                sqlx::query_as::<_, (Uuid, String)>("select id, name from label where agency_id = $1")
                    .bind(agency_id)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .map(|(id, name)| (name.to_lowercase(), id))
                    .collect();
            for name in rows.iter().flat_map(|r| r.label_names.iter()) {
                if labels.contains_key(&name.to_lowercase()) {
                    continue;
                }
                let id = new_id();
                sqlx::query(
                    "insert into label (id, agency_id, name, color, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)",
                )
                .bind(id)
                .bind(agency_id)
                .bind(name)
                .bind(new_label_color)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                labels.insert(name.to_lowercase(), id);
            }
            let stage_names: std::collections::HashMap<Uuid, String> =
                sqlx::query_as::<_, (Uuid, String)>("select id, name from pipeline_stage where agency_id = $1")
                    .bind(agency_id)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();

            for r in rows {
                let c = &r.client;
                let norm = email_key(c.contact_email.as_deref());
                let label_ids: Vec<Uuid> = r
                    .label_names
                    .iter()
                    .filter_map(|n| labels.get(&n.to_lowercase()).copied())
                    .collect();
                let existing: Option<(Uuid, Uuid, Option<String>, Option<String>)> = match &norm {
                    Some(e) => sqlx::query_as(
                        "select id, stage_id, contact_name, website from client where agency_id = $1 and contact_email_norm = $2",
                    )
                    .bind(agency_id)
                    .bind(e)
                    .fetch_optional(&mut *tx)
                    .await?,
                    None => None,
                };
                let stage_name = stage_names.get(&c.stage_id).cloned().unwrap_or_default();
                let Some((id, old_stage, old_contact, old_website)) = existing else {
                    let id = new_id();
                    let search = search_text(
                        &c.name,
                        c.contact_name.as_deref(),
                        c.contact_email.as_deref(),
                        c.website.as_deref(),
                    );
                    sqlx::query(INSERT_CLIENT)
                        .bind(id)
                        .bind(agency_id)
                        .bind(&c.name)
                        .bind(&c.contact_name)
                        .bind(&c.contact_email)
                        .bind(&norm)
                        .bind(&c.website)
                        .bind(&search)
                        .bind(c.stage_id)
                        .bind(now)
                        .bind(c.install_date)
                        .bind(c.total_spend_cents)
                        .bind(c.lifetime_value_cents)
                        .bind(c.due_date)
                        .bind(c.owner_id)
                        .bind(name_sort(&c.name))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(INSERT_EVENT)
                        .bind(new_id())
                        .bind(agency_id)
                        .bind(id)
                        .bind(None::<Uuid>)
                        .bind(None::<String>)
                        .bind(c.stage_id)
                        .bind(&stage_name)
                        .bind(actor)
                        .bind(now)
                        .bind(None::<String>)
                        .execute(&mut *tx)
                        .await?;
                    for l in &label_ids {
                        sqlx::query(
                            "insert into client_label (client_id, label_id, agency_id, created_at) values ($1, $2, $3, $4) \
                             on conflict do nothing",
                        )
                        .bind(id)
                        .bind(l)
                        .bind(agency_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    out.created += 1;
                    continue;
                };
                let seen: i64 = sqlx::query_scalar(&visible)
                    .bind(agency_id)
                    .bind(id)
                    .bind(scope)
                    .fetch_one(&mut *tx)
                    .await?;
                if seen == 0 {
                    out.refused.push((
                        r.line,
                        "contact_email",
                        "another client of the agency has this contact email".into(),
                    ));
                    continue;
                }
                let k = r.columns;
                let contact_name = if k.contact_name {
                    c.contact_name.clone()
                } else {
                    old_contact
                };
                let website = if k.website { c.website.clone() } else { old_website };
                let search = search_text(
                    &c.name,
                    contact_name.as_deref(),
                    c.contact_email.as_deref(),
                    website.as_deref(),
                );
                sqlx::query(
                    "update client set name = $3, name_sort = $4, contact_name = $5, contact_email = $6, website = $7, \
                     search_text = $8, \
                     install_date = case when $9 then $10 else install_date end, \
                     total_spend_cents = case when $11 then $12 else total_spend_cents end, \
                     lifetime_value_cents = case when $13 then $14 else lifetime_value_cents end, \
                     due_date = case when $15 then $16 else due_date end, \
                     owner_id = case when $17 then $18 else owner_id end, \
                     updated_at = $19, last_activity_at = $19 where agency_id = $1 and id = $2",
                )
                .bind(agency_id)
                .bind(id)
                .bind(&c.name)
                .bind(name_sort(&c.name))
                .bind(&contact_name)
                .bind(&c.contact_email)
                .bind(&website)
                .bind(&search)
                .bind(k.install_date)
                .bind(c.install_date)
                .bind(k.total_spend)
                .bind(c.total_spend_cents)
                .bind(k.lifetime_value)
                .bind(c.lifetime_value_cents)
                .bind(k.due_date)
                .bind(c.due_date)
                .bind(k.owner)
                .bind(c.owner_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if k.stage && old_stage != c.stage_id {
                    sqlx::query(
                        "update client set stage_id = $3, stage_entered_at = $4 where agency_id = $1 and id = $2",
                    )
                    .bind(agency_id)
                    .bind(id)
                    .bind(c.stage_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(INSERT_EVENT)
                        .bind(new_id())
                        .bind(agency_id)
                        .bind(id)
                        .bind(Some(old_stage))
                        .bind(stage_names.get(&old_stage).cloned())
                        .bind(c.stage_id)
                        .bind(&stage_name)
                        .bind(actor)
                        .bind(now)
                        .bind(Some("CSV import"))
                        .execute(&mut *tx)
                        .await?;
                }
                if k.labels {
                    sqlx::query("delete from client_label where agency_id = $1 and client_id = $2")
                        .bind(agency_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    for l in &label_ids {
                        sqlx::query(
                            "insert into client_label (client_id, label_id, agency_id, created_at) values ($1, $2, $3, $4) \
                             on conflict do nothing",
                        )
                        .bind(id)
                        .bind(l)
                        .bind(agency_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                out.updated += 1;
            }
            if let Some(p) = progress {
                let Json(mut errors): Json<Vec<ImportRowError>> =
                    sqlx::query_scalar("select errors from client_import where id = $1")
                        .bind(p.import_id)
                        .fetch_one(&mut *tx)
                        .await?;
                errors.extend(out.refused.iter().map(|(line, field, message)| ImportRowError {
                    line: *line,
                    field: Some((*field).to_string()),
                    message: message.clone(),
                }));
                sqlx::query(
                    "update client_import set created_count = created_count + $2, updated_count = updated_count + $3, \
                     errors = $4 where id = $1",
                )
                .bind(p.import_id)
                .bind(out.created as i32)
                .bind(out.updated as i32)
                .bind(Json(errors))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(out)
    }
}
