//! Ad performance (Google Ads, Meta Ads) as synced: a client's, and the agency's for the dashboard KPIs.
//!
//! The answer has every day of the range (zeros where nothing ran) so charts need no gap filling, the
//! totals, the totals of the same-length period just before (for "vs previous period") and per-platform
//! totals. Members see only the clients granted to them, in both views.

use actix_web::{web, HttpResponse};
use audienceos_shared::integrations::{
    AdDay, AdMetrics, AdPerformance, AdPerformanceQuery, IntegrationProvider, PlatformTotals,
};
use audienceos_shared::money::Money;
use audienceos_shared::Problem;
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::auth::identity::ClientsRead;
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use crate::store::ad_performance::{AdDaySum, AdScope};

/// Default range: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest range one request may ask for.
pub const MAX_DAYS: i64 = 366;

/// A client's ad performance
///
/// Daily spend, impressions, clicks, conversions and revenue of the client's linked ad accounts over
/// `from..=to` (inclusive dates; default the last 30 days), every day listed, with totals, the previous
/// period's totals and per-platform totals. At most 366 days.
#[utoipa::path(get, path = "/api/v1/clients/{id}/ad-performance", tag = "ad_performance",
    params(("id" = Uuid, Path, description = "Client id"), AdPerformanceQuery),
    responses((status = 200, body = AdPerformance), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "`invalid_range`: `from` after `to`, more than 366 days, or an unknown platform")))]
pub async fn client_ad_performance(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
    q: Query<AdPerformanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let client_id = id.into_inner();
    state.store.check_client_visible(me.tenant(), client_id).await?;
    let perf = performance(&state, me.agency_id, AdScope::Client(client_id), &q).await?;
    Ok(HttpResponse::Ok().json(perf))
}

/// The agency's ad performance
///
/// The same series summed over every client the caller can see (all clients, or a Member's granted
/// ones), for the dashboard KPIs.
#[utoipa::path(get, path = "/api/v1/ad-performance", tag = "ad_performance",
    params(AdPerformanceQuery),
    responses((status = 200, body = AdPerformance),
        (status = 422, body = Problem, description = "`invalid_range`: `from` after `to`, more than 366 days, or an unknown platform")))]
pub async fn agency_ad_performance(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<AdPerformanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let perf = performance(&state, me.agency_id, AdScope::Agency(me.client_scope()), &q).await?;
    Ok(HttpResponse::Ok().json(perf))
}

/// The validated range of a query, relative to `today`.
pub fn range(q: &AdPerformanceQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if from > to {
        return Err(ApiError::field("from", "invalid_range", "must not be after `to`"));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(ApiError::field(
            "from",
            "invalid_range",
            "the range may span at most 366 days",
        ));
    }
    if let Some(p) = q
        .platform
        .filter(|p| !matches!(p, IntegrationProvider::GoogleAds | IntegrationProvider::MetaAds))
    {
        return Err(ApiError::field(
            "platform",
            "invalid_range",
            &format!("{} has no ad performance; use google_ads or meta_ads", p.as_str()),
        ));
    }
    Ok((from, to))
}

async fn performance(
    state: &AppState,
    agency_id: Uuid,
    scope: AdScope,
    q: &AdPerformanceQuery,
) -> Result<AdPerformance, ApiError> {
    let (from, to) = range(q, state.clock.now().date_naive())?;
    let len = (to - from).num_days() + 1;
    let previous_from = from - Duration::days(len);
    let sums = state
        .store
        .ad_day_sums(
            agency_id,
            scope,
            previous_from,
            to,
            q.platform.map(IntegrationProvider::as_str),
        )
        .await?;
    Ok(build(from, to, &sums))
}

fn add(total: &mut AdMetrics, s: &AdDaySum) {
    total.spend = Money::from_cents(total.spend.cents() + s.spend_cents);
    total.impressions += s.impressions;
    total.clicks += s.clicks;
    total.conversions += s.conversions;
    if let Some(r) = s.revenue_cents {
        total.revenue = Some(Money::from_cents(total.revenue.map_or(0, Money::cents) + r));
    }
}

/// Assemble the answer from per-day-and-platform sums covering the previous period and `from..=to`.
pub fn build(from: NaiveDate, to: NaiveDate, sums: &[AdDaySum]) -> AdPerformance {
    let mut days: Vec<AdDay> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|date| AdDay {
            date,
            metrics: AdMetrics::default(),
        })
        .collect();
    let mut totals = AdMetrics::default();
    let mut previous_totals = AdMetrics::default();
    let mut by_platform: Vec<PlatformTotals> = Vec::new();
    for s in sums {
        if s.date < from {
            add(&mut previous_totals, s);
            continue;
        }
        let Some(day) = usize::try_from((s.date - from).num_days())
            .ok()
            .and_then(|i| days.get_mut(i))
        else {
            continue;
        };
        add(&mut day.metrics, s);
        add(&mut totals, s);
        if let Some(platform) = IntegrationProvider::parse(&s.platform) {
            match by_platform.iter_mut().find(|p| p.platform == platform) {
                Some(p) => add(&mut p.totals, s),
                None => {
                    let mut t = AdMetrics::default();
                    add(&mut t, s);
                    by_platform.push(PlatformTotals { platform, totals: t });
                }
            }
        }
    }
    by_platform.sort_by_key(|p| p.platform);
    AdPerformance {
        from,
        to,
        days,
        totals,
        previous_totals,
        by_platform,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sum(date: &str, platform: &str, spend: i64) -> AdDaySum {
        AdDaySum {
            date: d(date),
            platform: platform.into(),
            spend_cents: spend,
            impressions: 10,
            clicks: 1,
            conversions: 0.5,
            revenue_cents: None,
        }
    }

    #[test]
    fn every_day_is_listed_and_previous_period_is_split_off() {
        let sums = [
            sum("2026-11-01", "google_ads", 100),
            sum("2026-11-05", "google_ads", 200),
            sum("2026-11-05", "meta_ads", 50),
        ];
        let p = build(d("2026-11-04"), d("2026-11-06"), &sums);
        assert_eq!(p.days.len(), 3);
        assert_eq!(p.days[0].metrics.spend.cents(), 0);
        assert_eq!(p.days[1].metrics.spend.cents(), 250);
        assert_eq!(p.totals.spend.cents(), 250);
        assert_eq!(p.previous_totals.spend.cents(), 100);
        assert_eq!(p.by_platform.len(), 2);
        assert_eq!(p.totals.revenue, None);
    }

    #[test]
    fn ranges_default_to_30_days_and_are_bounded() {
        let today = d("2026-11-27");
        assert_eq!(
            range(&AdPerformanceQuery::default(), today).unwrap(),
            (d("2026-10-29"), today)
        );
        let q = AdPerformanceQuery {
            from: Some(d("2025-01-01")),
            to: Some(today),
            platform: None,
        };
        assert!(range(&q, today).is_err());
        let q = AdPerformanceQuery {
            from: Some(d("2026-11-28")),
            to: Some(today),
            platform: None,
        };
        assert!(range(&q, today).is_err());
    }
}
