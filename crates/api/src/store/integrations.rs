//! Provider integrations: so far, their rows and the encrypted tokens they hold. Token columns only ever
//! hold the stored form of `integrations::crypto` (`v1:{key_id}:...`); nothing here sees a token in clear.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::FromRow;
use uuid::Uuid;

use super::sql::found;
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

const SELECT_COLUMNS_I: &str = "i.id, i.agency_id, i.provider, i.status, i.account_label, i.token_expires_at, i.scopes, i.created_at, \
                      i.updated_at, i.status_reason, i.account_id, i.connected_by, i.connected_at, i.sync_cursor, i.sync_progress, \
                      i.last_sync_started_at, i.last_sync_at, i.last_sync_outcome, i.last_sync_stats, i.last_error";
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
        found(n)
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
                .await?;
        });
        Ok(())
    }

    /// Where the next sync resumes.
    pub async fn set_integration_cursor(
        &self,
        agency_id: Uuid,
        id: Uuid,
        cursor: &serde_json::Value,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("update integration set sync_cursor = $3 where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .bind(Json(cursor))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

/// What the token path needs of an integration, read fresh each time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenState {
    pub status: String,
    pub access_token_enc: Option<String>,
    pub refresh_token_enc: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// A grant to store on connect (tokens already sealed for this integration).
#[derive(Debug, Clone)]
pub struct GrantWrite<'a> {
    pub access_token_enc: &'a str,
    pub refresh_token_enc: Option<&'a str>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub scopes: &'a str,
    pub account_id: &'a str,
    pub account_label: &'a str,
    pub connected_by: Uuid,
}

/// How a sync ended, for the integration's health.
#[derive(Debug, Clone)]
pub struct SyncFinish<'a> {
    pub ok: bool,
    pub stats: serde_json::Value,
    pub status: &'a str,
    pub status_reason: Option<&'a str>,
    pub error: Option<&'a str>,
}

impl Store {
    /// The agency's integrations (at most one per provider) with how many resources each has linked.
    pub async fn list_integrations(&self, agency_id: Uuid) -> StoreResult<Vec<(IntegrationRow, i64)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            row: IntegrationRow,
            linked: i64,
        }
        let sql = format!(
            "select {SELECT_COLUMNS_I}, (select count(*) from integration_link l where l.agency_id = i.agency_id \
             and l.integration_id = i.id) as linked from integration i where i.agency_id = $1"
        );
        let rows: Vec<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(|r| (r.row, r.linked)).collect())
    }

    pub async fn get_integration_by_provider(
        &self,
        agency_id: Uuid,
        provider: &str,
    ) -> StoreResult<Option<IntegrationRow>> {
        let sql = format!("{SELECT} where agency_id = $1 and provider = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(provider)
            .fetch_optional(pool)
            .await?))
    }

    /// Every integration holding a grant (for the sync scheduler), across agencies.
    pub async fn syncable_integrations(&self) -> StoreResult<Vec<IntegrationRow>> {
        let sql = format!("{SELECT} where status in ('connected', 'degraded', 'syncing') order by agency_id, id");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    pub async fn integration_token_state(&self, agency_id: Uuid, id: Uuid) -> StoreResult<TokenState> {
        self.one_integration(
            "select status, access_token_enc, refresh_token_enc, token_expires_at from integration",
            agency_id,
            id,
        )
        .await
    }

    /// Store a new grant and mark the integration connected; a reconnect starts syncing afresh.
    pub async fn save_grant(
        &self,
        agency_id: Uuid,
        id: Uuid,
        g: &GrantWrite<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set status = 'connected', status_reason = null, last_error = null, \
                 access_token_enc = $3, refresh_token_enc = $4, token_expires_at = $5, scopes = $6, account_id = $7, \
                 account_label = $8, connected_by = $9, connected_at = $10, sync_cursor = $11, sync_progress = null, \
                 refresh_lease_until = null, updated_at = $10 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(g.access_token_enc)
            .bind(g.refresh_token_enc)
            .bind(g.token_expires_at)
            .bind(g.scopes)
            .bind(g.account_id)
            .bind(g.account_label)
            .bind(g.connected_by)
            .bind(now)
            .bind(Json(serde_json::json!({})))
            .execute(pool)
            .await?
            .rows_affected()
        });
        found(n)
    }

    /// Take the refresh lease of an integration until `until`; false when another process holds it.
    pub async fn take_refresh_lease(
        &self,
        agency_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set refresh_lease_until = $4 where agency_id = $1 and id = $2 \
                 and (refresh_lease_until is null or refresh_lease_until < $3)",
            )
            .bind(agency_id)
            .bind(id)
            .bind(now)
            .bind(until)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Store refreshed tokens if the row still holds `expected_access` (compare-and-set), releasing the lease.
    #[allow(clippy::too_many_arguments)]
    pub async fn store_refreshed_tokens(
        &self,
        agency_id: Uuid,
        id: Uuid,
        expected_access: &str,
        access_enc: &str,
        refresh_enc: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set access_token_enc = $4, refresh_token_enc = coalesce($5, refresh_token_enc), \
                 token_expires_at = $6, refresh_lease_until = null, updated_at = $7 \
                 where agency_id = $1 and id = $2 and access_token_enc = $3",
            )
            .bind(agency_id)
            .bind(id)
            .bind(expected_access)
            .bind(access_enc)
            .bind(refresh_enc)
            .bind(expires_at)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn release_refresh_lease(&self, agency_id: Uuid, id: Uuid) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("update integration set refresh_lease_until = null where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Set the health state (and why); `error` replaces the last error when given.
    pub async fn set_integration_status(
        &self,
        agency_id: Uuid,
        id: Uuid,
        status: &str,
        reason: Option<&str>,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set status = $3, status_reason = $4, last_error = coalesce($5, last_error), updated_at = $6 \
                 where agency_id = $1 and id = $2 and status <> 'not_connected'",
            )
            .bind(agency_id)
            .bind(id)
            .bind(status)
            .bind(reason)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Drop the grant: tokens deleted, not connected. Links and synced data stay (a reconnect reuses them).
    pub async fn clear_grant(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set status = 'not_connected', status_reason = null, access_token_enc = null, \
                 refresh_token_enc = null, token_expires_at = null, sync_progress = null, refresh_lease_until = null, \
                 updated_at = $3 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        found(n)
    }

    /// Mark a sync as started (status `syncing`); false when the integration holds no grant.
    pub async fn begin_sync(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set status = 'syncing', last_sync_started_at = $3, sync_progress = null, updated_at = $3 \
                 where agency_id = $1 and id = $2 and status in ('connected', 'degraded', 'syncing')",
            )
            .bind(agency_id)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Record how a sync ended (unless the integration was disconnected meanwhile). A grant refused while
    /// the sync ran (needs_reconnect) stays refused whatever the sync's own outcome.
    pub async fn finish_sync(
        &self,
        agency_id: Uuid,
        id: Uuid,
        f: &SyncFinish<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "update integration set \
                 status = case when status = 'needs_reconnect' then status else $3 end, \
                 status_reason = case when status = 'needs_reconnect' then status_reason else $4 end, \
                 last_error = coalesce($5, case when status = 'needs_reconnect' then last_error end), \
                 last_sync_outcome = $6, last_sync_stats = $7, sync_progress = null, \
                 last_sync_at = case when $8 then $9 else last_sync_at end, updated_at = $9 \
                 where agency_id = $1 and id = $2 and status <> 'not_connected'",
            )
            .bind(agency_id)
            .bind(id)
            .bind(f.status)
            .bind(f.status_reason)
            .bind(f.error)
            .bind(if f.ok { "ok" } else { "failed" })
            .bind(Json(&f.stats))
            .bind(f.ok)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
