//! Rows about client files (name, sniffed type, size, digest, object key). The bytes live in the object
//! store (`crate::files`); the route writes the object first and this row second.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sql::{found, touch_client};
use super::{on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub uploaded_by: Option<Uuid>,
    pub uploader_first_name: Option<String>,
    pub uploader_last_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A file row to write (its id is also in its object key).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub uploaded_by: Uuid,
}

const SELECT: &str = "select f.id, f.client_id, f.name, f.content_type, f.size_bytes, f.sha256, f.object_key, \
    f.uploaded_by, u.first_name as uploader_first_name, u.last_name as uploader_last_name, f.created_at \
    from client_file f left join app_user u on u.id = f.uploaded_by";

impl Store {
    /// A client's files, newest first.
    pub async fn list_files(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<Vec<FileRow>> {
        let sql = format!("{SELECT} where f.agency_id = $1 and f.client_id = $2 order by f.created_at desc, f.id desc");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .fetch_all(pool)
            .await?))
    }

    pub async fn get_file(&self, agency_id: Uuid, client_id: Uuid, id: Uuid) -> StoreResult<FileRow> {
        let sql = format!("{SELECT} where f.agency_id = $1 and f.client_id = $2 and f.id = $3");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(client_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Record an uploaded file (its object is already written); `NotFound` if the client is gone.
    pub async fn insert_file(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        f: &NewFile,
        now: DateTime<Utc>,
    ) -> StoreResult<FileRow> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = touch_client!(tx, now, agency_id, client_id).await?.rows_affected();
            found(n)?;
            sqlx::query(
                "insert into client_file (id, agency_id, client_id, name, content_type, size_bytes, sha256, object_key, uploaded_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(f.id)
            .bind(agency_id)
            .bind(client_id)
            .bind(&f.name)
            .bind(&f.content_type)
            .bind(f.size_bytes)
            .bind(&f.sha256)
            .bind(&f.object_key)
            .bind(f.uploaded_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.get_file(agency_id, client_id, f.id).await
    }

    /// Delete a file's row; returns it (for its object key).
    pub async fn delete_file(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<FileRow> {
        let row = self.get_file(agency_id, client_id, id).await?;
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            touch_client!(tx, now, agency_id, client_id).await?;
            let n = sqlx::query("delete from client_file where agency_id = $1 and client_id = $2 and id = $3")
                .bind(agency_id)
                .bind(client_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            found(n)?;
            tx.commit().await?;
        });
        Ok(row)
    }

    /// Count of file rows of a client (tests and checks).
    pub async fn count_files(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<i64> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select count(*) from client_file where agency_id = $1 and client_id = $2"
        )
        .bind(agency_id)
        .bind(client_id)
        .fetch_one(pool)
        .await?))
    }
}
