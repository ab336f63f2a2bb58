//! Who works on a client: its owner and its collaborators.

use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::sql::scope_condition;
use crate::store::{on_db, Store, StoreError, StoreResult};

impl Store {
    /// Set or clear the owner of a client the caller may see (the route checked the user). Returns the
    /// previous owner.
    pub async fn set_client_owner(
        &self,
        tenant: Tenant,
        id: Uuid,
        owner: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Uuid>> {
        let (agency_id, scope) = tenant.parts();
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
        tenant: Tenant,
        id: Uuid,
        users: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
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
}
