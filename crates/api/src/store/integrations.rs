//! Provider integrations: so far, their rows and the encrypted tokens they hold. Token columns only ever
//! hold the stored form of `integrations::crypto` (`v1:{key_id}:...`); nothing here sees a token in clear.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::FromRow;
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IntegrationRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub provider: String,
    pub status: String,
    pub account_label: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status_reason: Option<String>,
    pub account_id: Option<String>,
    pub connected_by: Option<Uuid>,
    pub connected_at: Option<DateTime<Utc>>,
    /// Where the next sync resumes (per provider; see the migration).
    pub sync_cursor: Json<serde_json::Value>,
    pub sync_progress: Option<String>,
    pub last_sync_started_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_outcome: Option<String>,
    pub last_sync_stats: Option<Json<serde_json::Value>>,
    pub last_error: Option<String>,
}

impl IntegrationRow {
    pub fn provider(&self) -> Option<audienceos_shared::integrations::IntegrationProvider> {
        audienceos_shared::integrations::IntegrationProvider::parse(&self.provider)
    }
}

/// An integration's encrypted tokens (stored form), for rotation and for the one path that uses them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IntegrationTokens {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub access_token_enc: Option<String>,
    pub refresh_token_enc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewIntegration {
    pub agency_id: Uuid,
    pub provider: String,
    pub status: String,
    pub account_label: Option<String>,
    pub scopes: String,
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// Replace a row's tokens, if they are still `row`'s (compare-and-set).
#[derive(Debug, Clone)]
pub struct TokenUpdate {
    pub row: IntegrationTokens,
    pub new_access: Option<String>,
    pub new_refresh: Option<String>,
}

const SELECT: &str = "select id, agency_id, provider, status, account_label, token_expires_at, scopes, created_at, updated_at, \
                      status_reason, account_id, connected_by, connected_at, sync_cursor, sync_progress, last_sync_started_at, \
                      last_sync_at, last_sync_outcome, last_sync_stats, last_error from integration";
const SELECT_TOKENS: &str = "select id, agency_id, access_token_enc, refresh_token_enc from integration";

impl Store {
    /// A new integration without tokens (its id is needed to bind them; see `set_integration_tokens`).
    pub async fn insert_integration(&self, n: &NewIntegration, now: DateTime<Utc>) -> StoreResult<IntegrationRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into integration (id, agency_id, provider, status, account_label, scopes, token_expires_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
        )
        .bind(id)
        .bind(n.agency_id)
        .bind(&n.provider)
        .bind(&n.status)
        .bind(&n.account_label)
        .bind(&n.scopes)
        .bind(n.token_expires_at)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        self.get_integration(n.agency_id, id).await
    }

    /// An integration of the agency; `NotFound` for another agency's.
    pub async fn get_integration(&self, agency_id: Uuid, id: Uuid) -> StoreResult<IntegrationRow> {
        self.one_integration(SELECT, agency_id, id).await
    }

    /// The encrypted tokens of one integration of the agency.
    pub async fn get_integration_tokens(&self, agency_id: Uuid, id: Uuid) -> StoreResult<IntegrationTokens> {
        self.one_integration(SELECT_TOKENS, agency_id, id).await
    }

    async fn one_integration<T>(&self, select: &str, agency_id: Uuid, id: Uuid) -> StoreResult<T>
    where
        T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        let sql = format!("{select} where agency_id = $1 and id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Store an integration's encrypted tokens (stored form; `None` clears one).
    pub async fn set_integration_tokens(
        &self,
        agency_id: Uuid,
        id: Uuid,
        access_token_enc: Option<&str>,
        refresh_token_enc: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
            "update integration set access_token_enc = $3, refresh_token_enc = $4, updated_at = $5 where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .bind(access_token_enc)
        .bind(refresh_token_enc)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        if n == 0 {
            return Err(super::StoreError::NotFound);
        }
        Ok(())
    }

    /// Every integration holding a token, across all agencies: only for the key rotation command.
    pub async fn integration_token_rows(&self) -> StoreResult<Vec<IntegrationTokens>> {
        let sql = format!(
            "{SELECT_TOKENS} where access_token_enc is not null or refresh_token_enc is not null order by agency_id, id"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Apply token replacements in one transaction, each only if the row still holds the tokens it was read
    /// with (a concurrent refresh wins). Returns how many rows were updated.
    pub async fn replace_integration_tokens(&self, updates: &[TokenUpdate], now: DateTime<Utc>) -> StoreResult<usize> {
        const SQL: &str = "update integration set access_token_enc = $3, refresh_token_enc = $4, updated_at = $5 \
                           where agency_id = $1 and id = $2 \
                           and access_token_enc is not distinct from $6 and refresh_token_enc is not distinct from $7";
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut applied = 0;
            for u in updates {
                let n = sqlx::query(SQL)
                    .bind(u.row.agency_id)
                    .bind(u.row.id)
                    .bind(&u.new_access)
                    .bind(&u.new_refresh)
                    .bind(now)
                    .bind(&u.row.access_token_enc)
                    .bind(&u.row.refresh_token_enc)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                applied += n as usize;
            }
            tx.commit().await?;
            Ok(applied)
        })
    }
}

impl Store {
    /// What a running sync is doing (`None` clears it).
    pub async fn set_integration_progress(&self, agency_id: Uuid, id: Uuid, progress: Option<&str>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("update integration set sync_progress = $3 where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .bind(progress)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Where the next sync resumes.
    pub async fn set_integration_cursor(&self, agency_id: Uuid, id: Uuid, cursor: &serde_json::Value) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("update integration set sync_cursor = $3 where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .bind(Json(cursor))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
