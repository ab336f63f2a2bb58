//! The reply outbox: replies written in the communications hub, before, while and after they are sent.
//!
//! A reply is inserted `queued` in its own transaction before any provider call, keyed by the request's
//! Idempotency-Key (unique per agency), so that a repeated request finds it instead of sending again and
//! a crash or a provider failure never loses the text. Sending moves it to `sent` (with the provider's id)
//! or `failed` (with a reason); a retry moves a failed reply back to `queued` with a compare-and-set, so two
//! concurrent retries send once.

use super::sql::found;
use crate::domain::tenant::Tenant;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::threads::{refresh_threads, ThreadKey};
use super::{new_id, on_db, BeginWrite as _, Store, StoreError, StoreResult};

/// A queued reply older than this is taken to be abandoned (its process died mid-send) and may be retried.
pub const STALE_QUEUED_SECS: i64 = 120;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplyRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub platform: String,
    pub thread_key: String,
    pub in_reply_to: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub idempotency_key: String,
    pub request_hash: String,
    pub body: String,
    pub status: String,
    pub error: Option<String>,
    pub provider_message_id: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A reply as the route saves it.
#[derive(Debug, Clone)]
pub struct NewReplyRow {
    pub client_id: Uuid,
    pub key: ThreadKey,
    pub in_reply_to: Uuid,
    pub author_id: Uuid,
    pub idempotency_key: String,
    pub request_hash: String,
    pub body: String,
}

/// What saving a reply found.
#[derive(Debug)]
pub enum Saved {
    /// A new queued reply: send it.
    New(ReplyRow),
    /// The key was used before: this is the reply it made (whatever its status).
    Existing(ReplyRow),
}

/// The message a reply answers, with what sending needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplyTargetRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub integration_id: Option<Uuid>,
    pub platform: String,
    pub provider_message_id: String,
    /// The thread part of the thread key (Gmail thread id, Slack thread ts).
    pub thread: String,
    pub channel_id: Option<String>,
    pub subject: Option<String>,
    /// The sender of the thread's latest inbound message (whom a Gmail reply goes to).
    pub recipient: Option<String>,
}

impl ReplyTargetRow {
    pub fn key(&self) -> ThreadKey {
        ThreadKey {
            platform: self.platform.clone(),
            thread: self.thread.clone(),
        }
    }
}

const COLUMNS: &str = "id, client_id, platform, thread_key, in_reply_to, author_id, idempotency_key, request_hash, \
     body, status, error, provider_message_id, attempts, created_at, updated_at, sent_at";

impl Store {
    /// A message the caller may see (Members: of a granted client), as a reply target.
    pub async fn get_reply_target(&self, tenant: Tenant, message_id: Uuid) -> StoreResult<ReplyTargetRow> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "select x.id, x.client_id, x.integration_id, x.platform, x.provider_message_id, \
             coalesce(x.thread_id, x.provider_message_id) as thread, x.channel_id, x.subject, \
             (select i.sender_email from communication i where i.agency_id = x.agency_id and i.platform = x.platform \
              and coalesce(i.thread_id, i.provider_message_id) = coalesce(x.thread_id, x.provider_message_id) \
              and i.is_inbound = $4 and i.sender_email is not null order by i.received_at desc, i.id desc limit 1) as recipient \
             from communication x join client c on c.id = x.client_id and c.agency_id = x.agency_id \
             where x.agency_id = $1 and x.id = $2 and {}",
            super::sql::scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(message_id)
            .bind(scope)
            .bind(true)
            .fetch_one(pool)
            .await?))
    }

    /// Save a queued reply, or find the reply an earlier request with the same key saved.
    pub async fn save_reply(&self, agency_id: Uuid, r: &NewReplyRow, now: DateTime<Utc>) -> StoreResult<Saved> {
        let id = new_id();
        let inserted = on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into communication_reply (id, agency_id, client_id, platform, thread_key, in_reply_to, author_id, \
             idempotency_key, request_hash, body, status, attempts, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', 0, $11, $11) \
             on conflict (agency_id, idempotency_key) do nothing"
        )
        .bind(id)
        .bind(agency_id)
        .bind(r.client_id)
        .bind(&r.key.platform)
        .bind(&r.key.thread)
        .bind(r.in_reply_to)
        .bind(r.author_id)
        .bind(&r.idempotency_key)
        .bind(&r.request_hash)
        .bind(&r.body)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        if inserted == 1 {
            return Ok(Saved::New(self.get_reply(agency_id, id).await?));
        }
        let row = self.find_reply_by_key(agency_id, &r.idempotency_key).await?;
        row.map(Saved::Existing).ok_or(StoreError::NotFound)
    }

    /// The reply an Idempotency-Key made, if any.
    pub async fn find_reply_by_key(&self, agency_id: Uuid, key: &str) -> StoreResult<Option<ReplyRow>> {
        let sql = format!("select {COLUMNS} from communication_reply where agency_id = $1 and idempotency_key = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(key)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn get_reply(&self, agency_id: Uuid, id: Uuid) -> StoreResult<ReplyRow> {
        let sql = format!("select {COLUMNS} from communication_reply where agency_id = $1 and id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// The replies of a thread, oldest first.
    pub async fn list_thread_replies(&self, agency_id: Uuid, key: &ThreadKey) -> StoreResult<Vec<ReplyRow>> {
        let sql = format!(
            "select {COLUMNS} from communication_reply where agency_id = $1 and platform = $2 and thread_key = $3 \
             order by created_at, id"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(&key.platform)
            .bind(&key.thread)
            .fetch_all(pool)
            .await?))
    }

    /// Take a reply for a retry: a failed one, or a queued one abandoned for [`STALE_QUEUED_SECS`], moves to
    /// queued (compare-and-set: of two concurrent retries, one gets it). `None` when it is not retryable now.
    pub async fn claim_reply_retry(
        &self,
        agency_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ReplyRow>> {
        let stale = now - chrono::Duration::seconds(STALE_QUEUED_SECS);
        let n = on_db!(&self.db, |pool| sqlx::query(
            "update communication_reply set status = 'queued', error = null, updated_at = $3 \
             where agency_id = $1 and id = $2 and (status = 'failed' or (status = 'queued' and updated_at < $4))"
        )
        .bind(agency_id)
        .bind(id)
        .bind(now)
        .bind(stale)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 0 {
            return Ok(None);
        }
        self.get_reply(agency_id, id).await.map(Some)
    }

    /// Count a provider call for a reply about to be sent.
    pub async fn count_reply_attempt(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update communication_reply set attempts = attempts + 1, updated_at = $3 where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The provider accepted the reply: mark it sent, and on the thread clear needs-reply and record who
    /// replied and when, in one transaction.
    pub async fn mark_reply_sent(
        &self,
        agency_id: Uuid,
        reply: &ReplyRow,
        provider_message_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let postgres = self.is_postgres();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "update communication_reply set status = 'sent', error = null, provider_message_id = $3, \
                 sent_at = $4, updated_at = $4 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(reply.id)
            .bind(provider_message_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "update communication set needs_reply = $4, replied_at = $5, replied_by = $6, updated_at = $5 \
                 where agency_id = $1 and platform = $2 and coalesce(thread_id, provider_message_id) = $3",
            )
            .bind(agency_id)
            .bind(&reply.platform)
            .bind(&reply.thread_key)
            .bind(false)
            .bind(now)
            .bind(reply.author_id)
            .execute(&mut *tx)
            .await?;
            refresh_threads!(
                tx,
                postgres,
                agency_id,
                [(reply.platform.as_str(), reply.thread_key.as_str())]
            );
            tx.commit().await?;
        });
        Ok(())
    }

    /// The provider refused or could not be reached: keep the reply, failed, with the reason.
    pub async fn mark_reply_failed(
        &self,
        agency_id: Uuid,
        id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| sqlx::query(
            "update communication_reply set status = 'failed', error = $3, updated_at = $4 \
             where agency_id = $1 and id = $2 and status = 'queued'"
        )
        .bind(agency_id)
        .bind(id)
        .bind(reason)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        found(n)
    }
}
