//! Password reset tokens: stored as digests, single use, short-lived. Consuming one sets the new password
//! and revokes every session of the user, in one transaction.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

impl Store {
    pub async fn insert_password_reset(
        &self,
        user_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Uuid> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into password_reset (id, user_id, token_hash, created_at, updated_at, expires_at) values ($1, $2, $3, $4, $4, $5)"
        )
        .bind(id)
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(id)
    }

    /// Use the token once: set the password and revoke all sessions. `None` when the token is unknown,
    /// used or expired.
    pub async fn consume_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Uuid, Uuid)>> {
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let user_id: Option<Uuid> = sqlx::query_scalar(
                "update password_reset set used_at = $1, updated_at = $1 where token_hash = $2 and used_at is null and expires_at > $1 returning user_id",
            )
            .bind(now)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            match user_id {
                None => None,
                Some(user_id) => {
                    let agency_id: Uuid = sqlx::query_scalar(
                        "update app_user set password_hash = $1, updated_at = $2 where id = $3 returning agency_id",
                    )
                    .bind(password_hash)
                    .bind(now)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "update session set revoked_at = $1, updated_at = $1 where user_id = $2 and revoked_at is null",
                    )
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                    // So do the user's API keys: whoever reset the password may be locking out someone
                    // who had it, and a key would let them keep acting as the user.
                    sqlx::query(
                        "update api_key set revoked_at = $1, updated_at = $1 where created_by = $2 and revoked_at is null",
                    )
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                    // Other outstanding links for the user die with this one.
                    sqlx::query("update password_reset set used_at = $1, updated_at = $1 where user_id = $2 and used_at is null")
                        .bind(now)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Some((user_id, agency_id))
                }
            }
        }))
    }
}
