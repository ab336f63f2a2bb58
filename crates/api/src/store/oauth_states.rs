//! OAuth authorizations in flight: who started them (agency, user, session), the PKCE verifier, expiry, and
//! single use. The verifier only ever leaves this table for the token exchange.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OAuthStateRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub provider: String,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewOAuthState<'a> {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub provider: &'a str,
    pub pkce_verifier: &'a str,
    pub redirect_uri: &'a str,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, agency_id, user_id, session_id, provider, pkce_verifier, redirect_uri, expires_at, used_at";

impl Store {
    /// Record a new authorization; also drops states that expired a day ago (they can only be refused).
    pub async fn insert_oauth_state(&self, s: &NewOAuthState<'_>, now: DateTime<Utc>) -> StoreResult<()> {
        let stale = now - chrono::Duration::days(1);
        on_db!(&self.db, |pool| {
            sqlx::query("delete from oauth_state where expires_at < $1")
                .bind(stale)
                .execute(pool)
                .await?;
            sqlx::query(
                "insert into oauth_state (id, agency_id, user_id, session_id, provider, pkce_verifier, redirect_uri, expires_at, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(s.id)
            .bind(s.agency_id)
            .bind(s.user_id)
            .bind(s.session_id)
            .bind(s.provider)
            .bind(s.pkce_verifier)
            .bind(s.redirect_uri)
            .bind(s.expires_at)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Read a state without touching it (the checks come before any write).
    pub async fn get_oauth_state(&self, id: Uuid) -> StoreResult<Option<OAuthStateRow>> {
        let sql = format!("select {COLUMNS} from oauth_state where id = $1");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Use a state once: true for the one caller that consumed it while unused and unexpired.
    pub async fn consume_oauth_state(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query("update oauth_state set used_at = $2 where id = $1 and used_at is null and expires_at > $2")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}
