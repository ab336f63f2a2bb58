//! Browser sessions: stored as a keyed digest of the cookie token, revocable, with idle and absolute expiry.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

/// A live session as authentication sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionCredential {
    pub id: Uuid,
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
    pub role_id: Uuid,
    pub data_version: i64,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub token_hash: String,
    pub csrf_token: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

impl Store {
    pub async fn insert_session(&self, s: &NewSession, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into session (id, user_id, agency_id, token_hash, csrf_token, ip, user_agent, created_at, updated_at, last_seen_at, idle_expires_at, absolute_expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10)"
        )
        .bind(id)
        .bind(s.user_id)
        .bind(s.agency_id)
        .bind(&s.token_hash)
        .bind(&s.csrf_token)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .bind(now)
        .bind(s.idle_expires_at)
        .bind(s.absolute_expires_at)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(id)
    }

    /// The live session with this token digest, if it is neither revoked nor expired, and its user is active.
    /// The live session of a token digest with what authenticating needs in the same read: the user's role
    /// and the agency's data version (the key of the read caches).
    pub async fn find_active_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionCredential>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select s.id, s.user_id, s.agency_id, s.csrf_token, s.last_seen_at, u.role_id, a.data_version \
             from session s join app_user u on u.id = s.user_id join agency a on a.id = s.agency_id \
             where s.token_hash = $1 and s.revoked_at is null and s.idle_expires_at > $2 and s.absolute_expires_at > $2 and u.is_active = true"
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
        }))
    }

    /// Slide the idle expiry forward (never past the absolute expiry).
    pub async fn touch_session(&self, id: Uuid, now: DateTime<Utc>, idle_expires_at: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
            "update session set last_seen_at = $1, updated_at = $1, idle_expires_at = case when $2 < absolute_expires_at then $2 else absolute_expires_at end where id = $3"
        )
        .bind(now)
        .bind(idle_expires_at)
        .bind(id)
        .execute(pool)
        .await?;
        });
        Ok(())
    }

    pub async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update session set revoked_at = $1, updated_at = $1 where id = $2 and revoked_at is null"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Revoke every session of the user except `keep`; returns how many were revoked.
    pub async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let keep = keep.unwrap_or(Uuid::nil());
        Ok(on_db!(&self.db, |pool| {
            sqlx::query(
            "update session set revoked_at = $1, updated_at = $1 where user_id = $2 and id <> $3 and revoked_at is null"
        )
        .bind(now)
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await?
        .rows_affected()
        }))
    }
}
