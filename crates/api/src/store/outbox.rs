//! The email outbox: an email is written together with the job that sends it, in one transaction, so a
//! crash never loses one and a retried job never sends one twice.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::jobs::INSERT_JOB;
use super::{new_id, on_db, Store, StoreResult};

/// The job kind that sends an outbox email.
pub const SEND_EMAIL_JOB: &str = "email.send";

#[derive(Debug, Clone)]
pub struct NewEmail {
    pub agency_id: Option<Uuid>,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailRow {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub status: String,
    pub attempts: i32,
}

impl Store {
    /// Queue an email and its send job atomically.
    pub async fn queue_email(&self, e: &NewEmail, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "insert into email_outbox (id, agency_id, to_address, subject, body_text, body_html, status, attempts, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)",
            )
            .bind(id)
            .bind(e.agency_id)
            .bind(&e.to)
            .bind(&e.subject)
            .bind(&e.body_text)
            .bind(&e.body_html)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_JOB)
                .bind(new_id())
                .bind(SEND_EMAIL_JOB)
                .bind(Json(serde_json::json!({ "email_id": id })))
                .bind(8)
                .bind(now)
                .bind(format!("email:{id}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    pub async fn get_email(&self, id: Uuid) -> StoreResult<EmailRow> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, to_address, subject, body_text, body_html, status, attempts from email_outbox where id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await?))
    }

    pub async fn mark_email_sent(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
            "update email_outbox set status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = null, updated_at = $1 where id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
        });
        Ok(())
    }

    pub async fn mark_email_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        give_up: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
            "update email_outbox set status = $1, attempts = attempts + 1, last_error = $2, updated_at = $3 where id = $4"
        )
        .bind(if give_up { "failed" } else { "queued" })
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
        });
        Ok(())
    }
}
