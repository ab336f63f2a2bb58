//! SEO enrichment data: the summary stored on a client and the log of provider calls behind the cost report.

use super::sql::found;
use crate::store::BeginWrite;
use audienceos_shared::seo::SeoSummary;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

/// One call made to the SEO provider (one try of one endpoint).
#[derive(Debug, Clone)]
pub struct NewSeoCall {
    pub at: DateTime<Utc>,
    pub endpoint: &'static str,
    pub outcome: &'static str,
    /// What the provider reported charging, in millionths of a USD.
    pub cost_micros: i64,
}

/// Calls of one outcome in a period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeoUsageRow {
    pub outcome: String,
    pub calls: i64,
    pub cost_micros: i64,
}

impl Store {
    /// Record provider calls of an agency.
    pub async fn insert_seo_calls(&self, agency_id: Uuid, calls: &[NewSeoCall], now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for c in calls {
                sqlx::query(
                    "insert into seo_call (id, agency_id, at, endpoint, outcome, cost_micros, created_at, updated_at) \
                     values ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(new_id())
                .bind(agency_id)
                .bind(c.at)
                .bind(c.endpoint)
                .bind(c.outcome)
                .bind(c.cost_micros)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Store (or replace) a client's SEO summary; `NotFound` when the client is not the agency's.
    pub async fn upsert_client_seo(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        summary: &SeoSummary,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| sqlx::query(
            "insert into client_seo (client_id, agency_id, domain, summary, fetched_at, created_at, updated_at) \
             select id, agency_id, $3, $4, $5, $6, $6 from client where agency_id = $1 and id = $2 \
             on conflict (client_id) do update set domain = excluded.domain, summary = excluded.summary, \
             fetched_at = excluded.fetched_at, updated_at = excluded.updated_at"
        )
        .bind(agency_id)
        .bind(client_id)
        .bind(&summary.domain)
        .bind(Json(summary))
        .bind(summary.fetched_at)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        found(n)
    }

    /// A client's stored SEO summary, if it was ever enriched.
    pub async fn find_client_seo(&self, agency_id: Uuid, client_id: Uuid) -> StoreResult<Option<SeoSummary>> {
        let row: Option<Json<SeoSummary>> = on_db!(&self.db, |pool| sqlx::query_scalar(
            "select summary from client_seo where agency_id = $1 and client_id = $2"
        )
        .bind(agency_id)
        .bind(client_id)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|j| j.0))
    }

    /// The agency's provider calls since `since`, per outcome (sorted by outcome).
    pub async fn seo_usage(&self, agency_id: Uuid, since: DateTime<Utc>) -> StoreResult<Vec<SeoUsageRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select outcome, count(*) as calls, cast(coalesce(sum(cost_micros), 0) as bigint) as cost_micros \
             from seo_call where agency_id = $1 and at >= $2 group by outcome order by outcome"
        )
        .bind(agency_id)
        .bind(since)
        .fetch_all(pool)
        .await?))
    }
}
