//! Notes on a client. The route checks the client is visible to the caller; every query here still
//! filters by agency and client. Writes touch the client's `last_activity_at` first, in the same
//! transaction (which also serialises concurrent writes about one client on Postgres).

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sql::{found, touch_client};
use super::{cursor, new_id, on_db, paginate, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_first_name: Option<String>,
    pub author_last_name: Option<String>,
    pub body: String,
    pub edited_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "select n.id, n.client_id, n.author_id, u.first_name as author_first_name, \
    u.last_name as author_last_name, n.body, n.edited_at, n.created_at, n.updated_at \
    from note n left join app_user u on u.id = n.author_id";

impl Store {
    /// A client's notes, newest first, keyset-paginated.
    pub async fn list_notes(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<NoteRow>, Option<String>)> {
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let sql = format!(
            "{SELECT} where n.agency_id = $1 and n.client_id = $2 and (n.created_at < $3 or (n.created_at = $3 and n.id < $4)) \
             order by n.created_at desc, n.id desc limit $5"
        );
        let rows: Vec<NoteRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .bind(at)
            .bind(id)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?);
        Ok(paginate(rows, limit, |r| (r.created_at, r.id)))
    }

    pub async fn get_note(&self, agency_id: Uuid, client_id: Uuid, id: Uuid) -> StoreResult<NoteRow> {
        let sql = format!("{SELECT} where n.agency_id = $1 and n.client_id = $2 and n.id = $3");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Write a note on a client (which must be the agency's: otherwise `NotFound`).
    pub async fn insert_note(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        author_id: Uuid,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<NoteRow> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = touch_client!(tx, now, agency_id, client_id).await?.rows_affected();
            found(n)?;
            sqlx::query(
                "insert into note (id, agency_id, client_id, author_id, body, edited_at, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, null, $6, $6)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(client_id)
            .bind(author_id)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.get_note(agency_id, client_id, id).await
    }

    /// Rewrite a note's body; marks it edited.
    pub async fn update_note(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        id: Uuid,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<NoteRow> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let n = sqlx::query(
                "update note set body = $1, edited_at = $2, updated_at = $2 where agency_id = $3 and client_id = $4 and id = $5",
            )
            .bind(body)
            .bind(now)
            .bind(agency_id)
            .bind(client_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            found(n)?;
            tx.commit().await?;
        });
        self.get_note(agency_id, client_id, id).await
    }

    pub async fn delete_note(&self, agency_id: Uuid, client_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let n = sqlx::query("delete from note where agency_id = $1 and client_id = $2 and id = $3")
                .bind(agency_id)
                .bind(client_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            found(n)?;
            tx.commit().await?;
        });
        Ok(())
    }
}
