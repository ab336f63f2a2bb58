//! The thread state a team works by: read, needs reply and assignee (written on the messages, then the
//! thread row refreshed), and internal notes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::refresh::refresh_threads;
use super::{ThreadKey, ThreadNoteRow, ThreadUpdate, ThreadUpdateError};
use crate::store::{new_id, on_db, BeginWrite as _, Store, StoreResult};

const THREAD_MATCH: &str = "agency_id = $1 and platform = $2 and coalesce(thread_id, provider_message_id) = $3";

impl Store {
    /// A thread's internal notes, oldest first.
    pub async fn list_thread_notes(&self, agency_id: Uuid, key: &ThreadKey) -> StoreResult<Vec<ThreadNoteRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select id, author_id, body, created_at from communication_note \
             where agency_id = $1 and platform = $2 and thread_key = $3 order by created_at, id"
        )
        .bind(agency_id)
        .bind(&key.platform)
        .bind(&key.thread)
        .fetch_all(pool)
        .await?))
    }

    /// Apply `u` to every message of the thread in one transaction. The caller has checked the thread is
    /// visible. `needs_reply: true` marks the latest message (the thread rule reads the latest one).
    pub async fn update_thread(
        &self,
        agency_id: Uuid,
        key: &ThreadKey,
        u: &ThreadUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), ThreadUpdateError> {
        let postgres = self.is_postgres();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(Some(user)) = u.assigned_to {
                let known: i64 = sqlx::query_scalar(
                    "select count(*) from app_user where agency_id = $1 and id = $2 and is_active = $3",
                )
                .bind(agency_id)
                .bind(user)
                .bind(true)
                .fetch_one(&mut *tx)
                .await?;
                if known == 0 {
                    return Err(ThreadUpdateError::UnknownAssignee);
                }
            }
            if let Some(assignee) = u.assigned_to {
                sqlx::query(&format!(
                    "update communication set assigned_to = $4, updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(assignee)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(read) = u.read {
                // Read keeps each message's first read time; unread clears it.
                sqlx::query(&format!(
                    "update communication set read_at = case when $4 then coalesce(read_at, $5) else null end, \
                     updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(read)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(needs) = u.needs_reply {
                sqlx::query(&format!(
                    "update communication set needs_reply = $4, updated_at = $5 where {THREAD_MATCH}"
                ))
                .bind(agency_id)
                .bind(&key.platform)
                .bind(&key.thread)
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if needs {
                    sqlx::query(&format!(
                        "update communication set needs_reply = $4 where id = (select id from communication \
                         where {THREAD_MATCH} order by received_at desc, id desc limit 1)"
                    ))
                    .bind(agency_id)
                    .bind(&key.platform)
                    .bind(&key.thread)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            refresh_threads!(tx, postgres, agency_id, [(key.platform.as_str(), key.thread.as_str())]);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Add an internal note to a thread (the caller has checked the thread is visible).
    pub async fn add_thread_note(
        &self,
        agency_id: Uuid,
        key: &ThreadKey,
        author_id: Uuid,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ThreadNoteRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            sqlx::query(
                "insert into communication_note (id, agency_id, platform, thread_key, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(&key.platform)
            .bind(&key.thread)
            .bind(author_id)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(ThreadNoteRow {
            id,
            author_id: Some(author_id),
            body: body.to_owned(),
            created_at: now,
        })
    }
}
