//! API keys: stored as keyed digests, scoped to a role, expiring, revocable.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sql::found;
use super::{cursor, new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub created_by: Uuid,
    pub role_id: Uuid,
    pub system_role: Option<String>,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A live API key as authentication sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyCredential {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub created_by: Uuid,
    pub role_id: Uuid,
    pub last_used_at: Option<DateTime<Utc>>,
    pub data_version: i64,
}

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub agency_id: Uuid,
    pub created_by: Uuid,
    pub role_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub expires_at: DateTime<Utc>,
}

const SELECT: &str = "select k.id, k.agency_id, k.created_by, k.role_id, r.system_role, k.name, k.prefix, k.created_at, k.expires_at, k.last_used_at, k.revoked_at \
                      from api_key k join role r on r.id = k.role_id";

impl Store {
    pub async fn insert_api_key(&self, k: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKeyRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into api_key (id, agency_id, created_by, role_id, name, prefix, key_hash, created_at, updated_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)"
        )
        .bind(id)
        .bind(k.agency_id)
        .bind(k.created_by)
        .bind(k.role_id)
        .bind(&k.name)
        .bind(&k.prefix)
        .bind(&k.key_hash)
        .bind(now)
        .bind(k.expires_at)
        .execute(pool)
        .await?
        .rows_affected()
        });
        self.get_api_key(k.agency_id, id).await
    }

    pub async fn get_api_key(&self, agency_id: Uuid, id: Uuid) -> StoreResult<ApiKeyRow> {
        let sql = format!("{SELECT} where k.agency_id = $1 and k.id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Newest first, keyset-paginated.
    pub async fn list_api_keys(
        &self,
        agency_id: Uuid,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<ApiKeyRow>, Option<String>)> {
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let sql = format!("{SELECT} where k.agency_id = $1 and (k.created_at < $2 or (k.created_at = $2 and k.id < $3)) order by k.created_at desc, k.id desc limit $4");
        let rows: Vec<ApiKeyRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?);
        Ok(super::paginate(rows, limit, |r| (r.created_at, r.id)))
    }

    /// The usable key with this digest (not revoked, not expired, its creator still active).
    /// The live key of a digest (its creator still active) with its agency's data version.
    pub async fn find_active_api_key(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ApiKeyCredential>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select k.id, k.agency_id, k.created_by, k.role_id, k.last_used_at, a.data_version \
             from api_key k join app_user u on u.id = k.created_by join agency a on a.id = k.agency_id \
             where k.key_hash = $1 and k.revoked_at is null and k.expires_at > $2 and u.is_active = true"
        )
        .bind(key_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?))
    }

    pub async fn touch_api_key(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update api_key set last_used_at = $1, updated_at = $1 where id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Revoke a key of the agency; `NotFound` for another agency's key or an unknown id. Idempotent.
    pub async fn revoke_api_key(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<ApiKeyRow> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
            "update api_key set revoked_at = coalesce(revoked_at, $1), updated_at = $1 where agency_id = $2 and id = $3"
        )
        .bind(now)
        .bind(agency_id)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        });
        found(n)?;
        self.get_api_key(agency_id, id).await
    }
}
