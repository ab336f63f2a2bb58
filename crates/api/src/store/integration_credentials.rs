//! An agency's own OAuth apps (client id and sealed secret) per provider settings name (`google`, `slack`,
//! `meta`). The secret column only ever holds the stored form of `integrations::crypto`; nothing here sees
//! a secret in clear.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{on_db, Store, StoreResult};

/// One agency's OAuth app at a provider, with the name of who set it (when they still exist).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CredentialRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub provider: String,
    pub client_id: String,
    pub client_secret_enc: String,
    pub set_by: Option<Uuid>,
    pub set_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an upsert writes. `id` is the one the secret was sealed under: it replaces the row's id.
#[derive(Debug, Clone)]
pub struct CredentialWrite<'a> {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub provider: &'a str,
    pub client_id: &'a str,
    pub client_secret_enc: &'a str,
    pub set_by: Uuid,
}

/// A sealed secret as key rotation reads and replaces it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedSecret {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub client_secret_enc: String,
}

const SELECT: &str = "select c.id, c.agency_id, c.provider, c.client_id, c.client_secret_enc, c.set_by, \
                      u.first_name || ' ' || u.last_name as set_by_name, c.created_at, c.updated_at \
                      from integration_credential c left join app_user u on u.id = c.set_by and u.agency_id = c.agency_id";

impl Store {
    /// The agency's OAuth apps, every provider it set one for.
    pub async fn list_integration_credentials(&self, agency_id: Uuid) -> StoreResult<Vec<CredentialRow>> {
        let sql = format!("{SELECT} where c.agency_id = $1 order by c.provider");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_all(pool)
            .await?))
    }

    /// The agency's OAuth app at `provider` (a settings name), if it set one.
    pub async fn get_integration_credential(
        &self,
        agency_id: Uuid,
        provider: &str,
    ) -> StoreResult<Option<CredentialRow>> {
        let sql = format!("{SELECT} where c.agency_id = $1 and c.provider = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(provider)
            .fetch_optional(pool)
            .await?))
    }

    /// Set the agency's OAuth app at a provider, replacing the one it had (id included: the new secret is
    /// sealed under `w.id`). Concurrent writers: the last one wins whole, id and secret together.
    pub async fn upsert_integration_credential(
        &self,
        w: &CredentialWrite<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<CredentialRow> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "insert into integration_credential (id, agency_id, provider, client_id, client_secret_enc, set_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $7) \
                 on conflict (agency_id, provider) do update set id = excluded.id, client_id = excluded.client_id, \
                 client_secret_enc = excluded.client_secret_enc, set_by = excluded.set_by, updated_at = excluded.updated_at",
            )
            .bind(w.id)
            .bind(w.agency_id)
            .bind(w.provider)
            .bind(w.client_id)
            .bind(w.client_secret_enc)
            .bind(w.set_by)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        self.get_integration_credential(w.agency_id, w.provider)
            .await?
            .ok_or(super::StoreError::NotFound)
    }

    /// Forget the agency's OAuth app at a provider; false when it had none.
    pub async fn delete_integration_credential(&self, agency_id: Uuid, provider: &str) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query("delete from integration_credential where agency_id = $1 and provider = $2")
                .bind(agency_id)
                .bind(provider)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Every sealed secret of every agency (for token key rotation).
    pub async fn integration_credential_secrets(&self) -> StoreResult<Vec<SealedSecret>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, agency_id, client_secret_enc from integration_credential order by id"
        )
        .fetch_all(pool)
        .await?))
    }

    /// Replace a sealed secret if it is still `old` (compare-and-set); false when it changed meanwhile.
    pub async fn reseal_integration_credential(&self, old: &SealedSecret, new_enc: &str) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration_credential set client_secret_enc = $3 where id = $1 and agency_id = $2 and client_secret_enc = $4",
            )
            .bind(old.id)
            .bind(old.agency_id)
            .bind(new_enc)
            .bind(&old.client_secret_enc)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }
}
