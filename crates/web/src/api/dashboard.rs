//! `/api/v1/dashboard`: KPIs against the previous period, daily trends and the firehose.

use audienceos_shared::dashboard::{
    DashboardKpis, FirehoseItem, FirehoseKind, FirehoseQuery, KpiQuery, TrendQuery, TrendSeries,
};
use audienceos_shared::pagination::DEFAULT_LIMIT;
use audienceos_shared::Page;
use chrono::NaiveDate;

use super::{get, query_string, ApiResult};

/// `GET /dashboard/kpis?period_days=` (7, 30 or 90).
pub async fn kpis(period_days: u32) -> ApiResult<DashboardKpis> {
    let query = KpiQuery {
        period_days: Some(period_days),
    };
    get(&format!("/dashboard/kpis{}", query_string(&query))).await
}

/// `GET /dashboard/trends?from=&to=`: one point per day, zeros included.
pub async fn trends(from: NaiveDate, to: NaiveDate) -> ApiResult<TrendSeries> {
    get(&format!("/dashboard/trends{}", query_string(&TrendQuery { from, to }))).await
}

/// `GET /dashboard/firehose`: one page of events (of one kind, or all), newest first.
pub async fn firehose(kind: Option<FirehoseKind>, cursor: Option<String>) -> ApiResult<Page<FirehoseItem>> {
    let query = FirehoseQuery {
        kind,
        limit: Some(DEFAULT_LIMIT),
        cursor,
    };
    get(&format!("/dashboard/firehose{}", query_string(&query))).await
}
