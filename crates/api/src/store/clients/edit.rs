//! Creating and editing clients: create (with the first stage event, owner and labels), patch fields,
//! archive/restore and delete.

use crate::domain::tenant::Tenant;
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

impl Store {
    /// Create a client in its stage, with its first stage event, owner and labels, in one transaction.
    /// Unknown stage, owner or label ids of the agency are `NotFound` (the route checks them first).
    pub async fn insert_client(
        &self,
        agency_id: Uuid,
        actor: Option<Uuid>,
        c: &NewClient,
        now: DateTime<Utc>,
    ) -> StoreResult<Uuid> {
        let id = new_id();
        let email_norm = email_key(c.contact_email.as_deref());
        let search = search_text(
            &c.name,
            c.contact_name.as_deref(),
            c.contact_email.as_deref(),
            c.website.as_deref(),
        );
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let stage_name: String =
                sqlx::query_scalar("select name from pipeline_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(c.stage_id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "insert into client (id, agency_id, name, contact_name, contact_email, contact_email_norm, website, search_text, \
                 stage_id, stage_entered_at, install_date, total_spend_cents, lifetime_value_cents, due_date, owner_id, \
                 last_activity_at, created_at, updated_at, name_sort) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $10, $10, $10, $16)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(&c.name)
            .bind(&c.contact_name)
            .bind(&c.contact_email)
            .bind(&email_norm)
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
            sqlx::query(
                "insert into stage_event (id, agency_id, client_id, from_stage_id, from_stage_name, to_stage_id, to_stage_name, moved_by, moved_at, note, created_at) \
                 values ($1, $2, $3, null, null, $4, $5, $6, $7, null, $7)",
            )
            .bind(new_id())
            .bind(agency_id)
            .bind(id)
            .bind(c.stage_id)
            .bind(&stage_name)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for label_id in &c.label_ids {
                let n = sqlx::query(
                    "insert into client_label (client_id, label_id, agency_id, created_at) \
                     select $1, l.id, l.agency_id, $4 from label l where l.agency_id = $2 and l.id = $3",
                )
                .bind(id)
                .bind(agency_id)
                .bind(label_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Apply a patch to a client the caller may see, keeping `search_text`, `name_sort` and
    /// `contact_email_norm` in step. A taken contact email is `Conflict { client_contact_email_key }`.
    pub async fn update_client(
        &self,
        tenant: Tenant,
        id: Uuid,
        p: &ClientPatch,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
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
        tenant: Tenant,
        id: Uuid,
        archived: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
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
    pub async fn delete_client(&self, tenant: Tenant, id: Uuid) -> StoreResult<String> {
        let (agency_id, scope) = tenant.parts();
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
}
