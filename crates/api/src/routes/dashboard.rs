//! The dashboard's HTTP surface: KPI cards, daily trends and the firehose (`services::dashboard`).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::dashboard::{DashboardKpis, FirehoseItem, FirehoseQuery, KpiQuery, TrendQuery, TrendSeries};
use audienceos_shared::{Page, Problem};

use crate::auth::identity::ClientsRead;
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Query;
use crate::read_cache::{json_body, BodyKey};
use crate::services::dashboard;
use crate::state::AppState;

/// Dashboard KPIs
///
/// Active clients, at risk (health red or yellow), average days in stage, onboarding (active clients in
/// the agency's first pipeline stage), open and overdue tasks, open alerts. `previous` is the agency's
/// KPI snapshot of `period_days` ago (or the nearest earlier one); Members get none.
#[utoipa::path(get, path = "/api/v1/dashboard/kpis", tag = "dashboard", params(KpiQuery),
    responses((status = 200, body = DashboardKpis), (status = 422, body = Problem)))]
pub async fn kpis(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsRead>,
    q: Query<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = BodyKey::of("dashboard_kpis", &req, &me);
    Ok(json_body(dashboard::kpis(&state, &me, &q, key).await?))
}

/// Dashboard trends
///
/// One point per UTC day from `from` to `to` (inclusive, at most 366 days), zeros included: new clients,
/// stage moves, tasks completed, alerts raised.
#[utoipa::path(get, path = "/api/v1/dashboard/trends", tag = "dashboard", params(TrendQuery),
    responses((status = 200, body = TrendSeries), (status = 422, body = Problem)))]
pub async fn trends(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<TrendQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(dashboard::trends(&state, &me, q.into_inner()).await?))
}

/// Dashboard firehose
///
/// Newest first: alerts (open and not snoozed, or closed in the last 7 days, with the full alert), stage
/// moves, open tasks due today or before (at the start of the due day) and notes; `kind=` keeps one of
/// them. Cursor-paginated.
#[utoipa::path(get, path = "/api/v1/dashboard/firehose", tag = "dashboard", params(FirehoseQuery),
    responses((status = 200, body = Page<FirehoseItem>), (status = 422, body = Problem)))]
pub async fn firehose(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsRead>,
    q: Query<FirehoseQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = BodyKey::of("dashboard_firehose", &req, &me);
    Ok(json_body(dashboard::firehose(&state, &me, &q, key).await?))
}
