//! Daily ad performance per campaign (Google Ads, Meta Ads), and the series a client page and the
//! dashboard read.
//!
//! Providers restate recent days (late conversions), so a sync re-reads the last few days and writes with
//! an upsert keyed by (agency, client, platform, account, campaign, date): a rerun or a restatement updates
//! the row, never adds one. Reads sum over campaigns per day and platform in SQL; filling in days without
//! data, totals and per-platform totals are done by the caller from those sums.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::communications::UpsertCounts;
use super::sql::scope_condition;
use super::{new_id, on_db, BeginWrite as _, Store, StoreResult};

/// One day of one campaign as a sync writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAdDay {
    pub client_id: Uuid,
    /// `google_ads` or `meta_ads`.
    pub platform: &'static str,
    pub account_id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub date: NaiveDate,
    pub spend_cents: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: f64,
    pub revenue_cents: Option<i64>,
    pub currency: Option<String>,
}

/// Sums of one day on one platform.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AdDaySum {
    pub date: NaiveDate,
    pub platform: String,
    pub spend_cents: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: f64,
    pub revenue_cents: Option<i64>,
}

/// Whose performance: one client's, or the agency's (only the clients a Member may see when scoped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdScope {
    Client(Uuid),
    /// `Some(user)`: only clients the user owns or collaborates on.
    Agency(Option<Uuid>),
}

const INSERT: &str =
    "insert into ad_performance (id, agency_id, client_id, platform, account_id, campaign_id, campaign_name, \
     date, spend_cents, impressions, clicks, conversions, revenue_cents, currency, created_at, updated_at) \
     select $1, $2, c.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15 \
     from client c where c.agency_id = $2 and c.id = $3 \
     on conflict (agency_id, client_id, platform, account_id, campaign_id, date) do nothing";
const UPDATE: &str = "update ad_performance set campaign_name = $7, spend_cents = $8, impressions = $9, clicks = $10, \
     conversions = $11, revenue_cents = $12, currency = $13, updated_at = $14 \
     where agency_id = $1 and client_id = $2 and platform = $3 and account_id = $4 and campaign_id = $5 and date = $6";

impl Store {
    /// Write campaign days in one transaction (insert new, update known). Rows of a client that is not
    /// the agency's are not written and not counted.
    pub async fn upsert_ad_days(
        &self,
        agency_id: Uuid,
        rows: &[NewAdDay],
        now: DateTime<Utc>,
    ) -> StoreResult<UpsertCounts> {
        let mut counts = UpsertCounts::default();
        if rows.is_empty() {
            return Ok(counts);
        }
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for r in rows {
                let inserted = sqlx::query(INSERT)
                    .bind(new_id())
                    .bind(agency_id)
                    .bind(r.client_id)
                    .bind(r.platform)
                    .bind(&r.account_id)
                    .bind(&r.campaign_id)
                    .bind(&r.campaign_name)
                    .bind(r.date)
                    .bind(r.spend_cents)
                    .bind(r.impressions)
                    .bind(r.clicks)
                    .bind(r.conversions)
                    .bind(r.revenue_cents)
                    .bind(&r.currency)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if inserted > 0 {
                    counts.created += 1;
                    continue;
                }
                let updated = sqlx::query(UPDATE)
                    .bind(agency_id)
                    .bind(r.client_id)
                    .bind(r.platform)
                    .bind(&r.account_id)
                    .bind(&r.campaign_id)
                    .bind(r.date)
                    .bind(&r.campaign_name)
                    .bind(r.spend_cents)
                    .bind(r.impressions)
                    .bind(r.clicks)
                    .bind(r.conversions)
                    .bind(r.revenue_cents)
                    .bind(&r.currency)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                counts.existing += updated as i64;
            }
            tx.commit().await?;
        });
        Ok(counts)
    }

    /// Sums per day and platform over `from..=to` (days without rows are absent), oldest first.
    pub async fn ad_day_sums(
        &self,
        agency_id: Uuid,
        scope: AdScope,
        from: NaiveDate,
        to: NaiveDate,
        platform: Option<&str>,
    ) -> StoreResult<Vec<AdDaySum>> {
        let mut sql = String::from(
            "select a.date, a.platform, cast(coalesce(sum(a.spend_cents), 0) as bigint) as spend_cents, \
             cast(coalesce(sum(a.impressions), 0) as bigint) as impressions, \
             cast(coalesce(sum(a.clicks), 0) as bigint) as clicks, \
             cast(coalesce(sum(a.conversions), 0) as double precision) as conversions, \
             cast(sum(a.revenue_cents) as bigint) as revenue_cents \
             from ad_performance a where a.agency_id = $1 and a.date >= $2 and a.date <= $3 and ($4 = '' or a.platform = $4)",
        );
        let key = match scope {
            AdScope::Client(client_id) => {
                sql.push_str(" and a.client_id = $5");
                Some(client_id)
            }
            AdScope::Agency(Some(user)) => {
                sql.push_str(&format!(
                    " and exists (select 1 from client c where c.agency_id = $1 and c.id = a.client_id and {})",
                    scope_condition(5)
                ));
                Some(user)
            }
            AdScope::Agency(None) => None,
        };
        sql.push_str(" group by a.date, a.platform order by a.date, a.platform");
        let platform = platform.unwrap_or_default();
        Ok(on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql).bind(agency_id).bind(from).bind(to).bind(platform);
            let q = match key {
                Some(k) => q.bind(k),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    /// How many daily campaign rows the agency holds on a platform.
    pub async fn count_ad_days(&self, agency_id: Uuid, platform: &str) -> StoreResult<i64> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select count(*) from ad_performance where agency_id = $1 and platform = $2"
        )
        .bind(agency_id)
        .bind(platform)
        .fetch_one(pool)
        .await?))
    }
}
