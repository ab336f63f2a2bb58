//! Changing clients: edit fields, archive/restore, delete, move between stages (with the stage the caller
//! last saw), owner and collaborators, stage history, and the CSV import's one-transaction upsert.

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{email_key, name_sort, search_text, NewClient};
use crate::store::sql::scope_condition;
use crate::store::{new_id, on_db, Store, StoreError, StoreResult};

/// A PATCH of a client, already validated and normalised: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub install_date: Option<Option<NaiveDate>>,
    pub total_spend_cents: Option<i64>,
    pub lifetime_value_cents: Option<i64>,
    pub due_date: Option<Option<NaiveDate>>,
}

#[derive(Debug, sqlx::FromRow)]
struct EditableRow {
    name: String,
    contact_name: Option<String>,
    contact_email: Option<String>,
    website: Option<String>,
    install_date: Option<NaiveDate>,
    total_spend_cents: i64,
    lifetime_value_cents: i64,
    due_date: Option<NaiveDate>,
}

/// What a stage move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveOutcome {
    Moved {
        from_name: String,
        to_name: String,
    },
    /// Already in the target stage, as the caller saw it.
    Unchanged,
    /// The client is no longer in `from_stage`: it is in this stage now.
    Conflict {
        current_id: Uuid,
        current_name: String,
    },
    /// `to_stage` is not a stage of the agency.
    UnknownTarget,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageEventRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: Uuid,
    pub to_stage_name: String,
    pub moved_by: Option<Uuid>,
    pub mover_first_name: Option<String>,
    pub mover_last_name: Option<String>,
    pub moved_at: DateTime<Utc>,
    pub note: Option<String>,
}

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
}

const INSERT_CLIENT: &str =
    "insert into client (id, agency_id, name, contact_name, contact_email, contact_email_norm, \
    website, search_text, stage_id, stage_entered_at, install_date, total_spend_cents, lifetime_value_cents, due_date, \
    owner_id, last_activity_at, created_at, updated_at, name_sort) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $10, $10, $10, $16)";

const INSERT_EVENT: &str =
    "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, \
    to_stage_name, moved_by, moved_at, note, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)";

impl Store {
    /// Apply a patch to a client the caller may see, keeping `search_text`, `name_sort` and
    /// `contact_email_norm` in step. A taken contact email is `Conflict { client_contact_email_key }`.
    pub async fn update_client(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        id: Uuid,
        p: &ClientPatch,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let touch = format!(
            "update client as c set updated_at = $3 where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(4)
        );
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // The write first: it locks the row, so two patches of one client do not lose each other's fields.
            let n = sqlx::query(&touch)
                .bind(agency_id)
                .bind(id)
                .bind(now)
                .bind(scope)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let cur: EditableRow = sqlx::query_as(
                "select name, contact_name, contact_email, website, install_date, total_spend_cents, \
                 lifetime_value_cents, due_date from client where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let name = p.name.clone().unwrap_or(cur.name);
            let contact_name = p.contact_name.clone().unwrap_or(cur.contact_name);
            let contact_email = p.contact_email.clone().unwrap_or(cur.contact_email);
            let website = p.website.clone().unwrap_or(cur.website);
            let search = search_text(
                &name,
                contact_name.as_deref(),
                contact_email.as_deref(),
                website.as_deref(),
            );
            sqlx::query(
                "update client set name = $3, name_sort = $4, contact_name = $5, contact_email = $6, contact_email_norm = $7, \
                 website = $8, search_text = $9, install_date = $10, total_spend_cents = $11, lifetime_value_cents = $12, \
                 due_date = $13, last_activity_at = $14 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(&name)
            .bind(name_sort(&name))
            .bind(&contact_name)
            .bind(&contact_email)
            .bind(email_key(contact_email.as_deref()))
            .bind(&website)
            .bind(&search)
            .bind(p.install_date.unwrap_or(cur.install_date))
            .bind(p.total_spend_cents.unwrap_or(cur.total_spend_cents))
            .bind(p.lifetime_value_cents.unwrap_or(cur.lifetime_value_cents))
            .bind(p.due_date.unwrap_or(cur.due_date))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Archive (`archived = true`, keeping the first archive time) or restore a client the caller may see.
    pub async fn set_client_archived(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        id: Uuid,
        archived: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = format!(
            "update client as c set archived_at = {}, updated_at = $3 where c.agency_id = $1 and c.id = $2 and {}",
            if archived {
                "coalesce(c.archived_at, $3)"
            } else {
                "null"
            },
            scope_condition(4)
        );
        let n = on_db!(&self.db, |pool| sqlx::query(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(now)
            .bind(scope)
            .execute(pool)
            .await?
            .rows_affected());
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Delete a client and everything hanging off it. Returns its name (for the audit log).
    pub async fn delete_client(&self, agency_id: Uuid, scope: Option<Uuid>, id: Uuid) -> StoreResult<String> {
        let sql = format!(
            "delete from client as c where c.agency_id = $1 and c.id = $2 and {} returning name",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(scope)
            .fetch_one(pool)
            .await?))
    }

    /// Move a client from the stage the caller last saw to another, in one transaction: the conditional
    /// update only matches while the client is still in `from`, so a stale move changes nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_client_stage(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        id: Uuid,
        from: Uuid,
        to: Uuid,
        actor: Option<Uuid>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<MoveOutcome> {
        let update = format!(
            "update client as c set stage_id = $4, stage_entered_at = $5, updated_at = $5, last_activity_at = $5 \
             where c.agency_id = $1 and c.id = $2 and c.stage_id = $3 and {}",
            scope_condition(6)
        );
        let current = format!(
            "select c.stage_id, s.name from client c join pipeline_stage s on s.id = c.stage_id \
             where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let to_name: Option<String> =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(to)
                    .fetch_optional(&mut *tx)
                    .await?;
            let n = if to_name.is_some() && from != to {
                sqlx::query(&update)
                    .bind(agency_id)
                    .bind(id)
                    .bind(from)
                    .bind(to)
                    .bind(now)
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            } else {
                0
            };
            if n == 0 {
                let cur: Option<(Uuid, String)> = sqlx::query_as(&current)
                    .bind(agency_id)
                    .bind(id)
                    .bind(scope)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((current_id, current_name)) = cur else {
                    return Err(StoreError::NotFound);
                };
                return Ok(match to_name {
                    None => MoveOutcome::UnknownTarget,
                    Some(_) if current_id == from && from == to => MoveOutcome::Unchanged,
                    Some(_) => MoveOutcome::Conflict {
                        current_id,
                        current_name,
                    },
                });
            }
            let from_name: String =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(from)
                    .fetch_one(&mut *tx)
                    .await?;
            let to_name = to_name.unwrap_or_default();
            sqlx::query(INSERT_EVENT)
                .bind(new_id())
                .bind(agency_id)
                .bind(id)
                .bind(Some(from))
                .bind(Some(&from_name))
                .bind(to)
                .bind(&to_name)
                .bind(actor)
                .bind(now)
                .bind(note)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            MoveOutcome::Moved { from_name, to_name }
        }))
    }

    /// The client's stage history, newest first (the caller checked the client is visible).
    pub async fn list_stage_events(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<Vec<StageEventRow>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select e.id, e.client_id, e.from_stage_id, e.from_stage_name, e.to_stage_id, e.to_stage_name, e.moved_by, \
             u.first_name as mover_first_name, u.last_name as mover_last_name, e.moved_at, e.note \
             from stage_event e left join app_user u on u.id = e.moved_by \
             where e.agency_id = $1 and e.client_id = $2 order by e.moved_at desc, e.id desc"
        )
        .bind(agency_id)
        .bind(client_id)
        .fetch_all(pool)
        .await?
        }))
    }

    /// Set or clear the owner of a client the caller may see (the route checked the user). Returns the
    /// previous owner.
    pub async fn set_client_owner(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        id: Uuid,
        owner: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Uuid>> {
        let select = format!(
            "select c.owner_id from client c where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let previous: Option<Option<Uuid>> = sqlx::query_scalar(&select)
                .bind(agency_id)
                .bind(id)
                .bind(scope)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(previous) = previous else {
                return Err(StoreError::NotFound);
            };
            sqlx::query("update client set owner_id = $3, updated_at = $4 where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .bind(owner)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            previous
        }))
    }

    /// Replace the collaborators of a client the caller may see (the route checked the users).
    pub async fn set_client_collaborators(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        id: Uuid,
        users: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let touch = format!(
            "update client as c set updated_at = $3 where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(4)
        );
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(&touch)
                .bind(agency_id)
                .bind(id)
                .bind(now)
                .bind(scope)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("delete from client_collaborator where agency_id = $1 and client_id = $2")
                .bind(agency_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for user in users {
                sqlx::query(
                    "insert into client_collaborator (client_id, user_id, agency_id, created_at) values ($1, $2, $3, $4) \
                     on conflict do nothing",
                )
                .bind(id)
                .bind(user)
                .bind(agency_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Write every good row of a CSV import in one transaction: rows whose contact email matches a client
    /// update it, the others create clients (with their first stage event). Labels named but missing are
    /// created with `new_label_color`. A row matching a client the caller may not see is refused.
    pub async fn import_clients(
        &self,
        agency_id: Uuid,
        scope: Option<Uuid>,
        actor: Option<Uuid>,
        rows: &[ImportRow],
        new_label_color: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportOutcome> {
        let visible = format!(
            "select count(*) from client c where c.agency_id = $1 and c.id = $2 and {}",
            scope_condition(3)
        );
        let mut out = ImportOutcome::default();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await?;
        });
        Ok(out)
    }
}
