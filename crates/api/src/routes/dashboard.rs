//! The dashboard: KPI cards with the previous period's value and a trend, daily trend series, and the
//! firehose of real events. Members see numbers about their own clients; KPI snapshots are agency-wide,
//! so a Member's cards have no previous value.

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::alerts::{AlertSeverity, ClientRef};
use audienceos_shared::dashboard::{
    DashboardKpis, FirehoseItem, FirehoseKind, Kpi, KpiQuery, Trend, TrendPoint, TrendQuery, TrendSeries,
};
use audienceos_shared::{Page, PageQuery, Problem};
use chrono::NaiveDate;

use crate::auth::identity::ClientsRead;
use crate::auth::Authorized;
use crate::error::{validate, ApiError};
use crate::read_cache::{json_body, to_bytes, BodyKey};
use crate::services::alerts::alert_dto;
use crate::state::AppState;
use crate::store::dashboard::round1;

/// The longest trend range, in days.
pub const MAX_TREND_DAYS: i64 = 366;

/// `(key, label, higher_is_better, unit, link)` of each card, in order.
const CARDS: [(&str, &str, bool, &str, &str); 7] = [
    ("active_clients", "Active clients", true, "count", "/clients"),
    ("at_risk", "At risk", false, "count", "/clients?health=red,yellow"),
    ("avg_days_in_stage", "Avg. days in stage", false, "days", "/pipeline"),
    ("onboarding", "Onboarding", true, "count", "/pipeline"),
    ("open_tasks", "Open tasks", false, "count", "/clients?sort=due_date"),
    ("overdue_tasks", "Overdue tasks", false, "count", "/clients?health=red"),
    ("open_alerts", "Open alerts", false, "count", "/dashboard#alerts"),
];

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
    q: web::Query<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let key = BodyKey::of("dashboard_kpis", &req, &me);
    let body = state
        .reads
        .body(key, async {
            let period_days = q.period_days.unwrap_or(30);
            let now = state.clock.now();
            let scope = me.client_scope();
            let values = state.store.kpi_values(me.tenant(), now).await?;
            let previous = match scope {
                None => {
                    let day = now.date_naive() - chrono::Duration::days(i64::from(period_days));
                    state
                        .store
                        .kpi_snapshot_at_or_before(me.agency_id, day)
                        .await?
                        .map(|s| s.metrics.0)
                }
                Some(_) => None,
            };
            let kpis = values
                .pairs()
                .into_iter()
                .zip(CARDS)
                .map(|((key, value), (_, label, higher_is_better, unit, link))| {
                    let previous = previous
                        .as_ref()
                        .and_then(|m| m.get(key))
                        .and_then(serde_json::Value::as_f64)
                        .map(round1);
                    Kpi {
                        key: key.into(),
                        label: label.into(),
                        value,
                        previous,
                        trend: trend(value, previous),
                        higher_is_better,
                        unit: unit.into(),
                        link: link.into(),
                    }
                })
                .collect();
            to_bytes(&DashboardKpis {
                period_days,
                kpis,
                generated_at: now,
            })
        })
        .await?;
    Ok(json_body(body))
}

fn trend(value: f64, previous: Option<f64>) -> Trend {
    match previous {
        None => Trend::Unknown,
        Some(p) if (value - p).abs() < 0.05 => Trend::Flat,
        Some(p) if value > p => Trend::Up,
        Some(_) => Trend::Down,
    }
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
    q: web::Query<TrendQuery>,
) -> Result<HttpResponse, ApiError> {
    let TrendQuery { from, to } = q.into_inner();
    if to < from {
        return Err(ApiError::field("to", "before_from", "must not be before from"));
    }
    if (to - from).num_days() + 1 > MAX_TREND_DAYS {
        return Err(ApiError::field("to", "range", "the range is at most 366 days"));
    }
    let counts = state.store.trend_counts(me.tenant(), from, to).await?;
    let mut points: Vec<TrendPoint> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|date| TrendPoint {
            date,
            new_clients: 0,
            stage_moves: 0,
            tasks_completed: 0,
            alerts_raised: 0,
        })
        .collect();
    for c in counts {
        let Ok(day) = NaiveDate::parse_from_str(&c.day, "%Y-%m-%d") else {
            continue;
        };
        let Some(p) = usize::try_from((day - from).num_days())
            .ok()
            .and_then(|i| points.get_mut(i))
        else {
            continue;
        };
        match c.series.as_str() {
            "n" => p.new_clients += c.n,
            "s" => p.stage_moves += c.n,
            "t" => p.tasks_completed += c.n,
            "a" => p.alerts_raised += c.n,
            _ => {}
        }
    }
    Ok(HttpResponse::Ok().json(TrendSeries { from, to, points }))
}

/// Dashboard firehose
///
/// Newest first: alerts (open and not snoozed, or closed in the last 7 days, with the full alert), stage
/// moves, open tasks with a due date (at the start of the due day) and notes. Cursor-paginated.
#[utoipa::path(get, path = "/api/v1/dashboard/firehose", tag = "dashboard", params(PageQuery),
    responses((status = 200, body = Page<FirehoseItem>), (status = 422, body = Problem)))]
pub async fn firehose(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsRead>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validate(&*q)?;
    let key = BodyKey::of("dashboard_firehose", &req, &me);
    let body = state
        .reads
        .body(key, async {
            let now = state.clock.now();
            let (keys, next_cursor) = state
                .store
                .firehose_page(me.tenant(), now, q.limit(), q.cursor.as_deref())
                .await?;
            let mut d = state.store.firehose_details(me.agency_id, &keys).await?;
            let person = |f: &Option<String>, l: &Option<String>| match (f, l) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                _ => None,
            };
            let mut items = Vec::with_capacity(keys.len());
            for k in keys {
                let item = match k.kind.as_str() {
                    "alert" => d.alerts.iter().position(|a| a.id == k.id).map(|i| {
                        let a = alert_dto(d.alerts.swap_remove(i), now);
                        FirehoseItem {
                            id: format!("alert:{}", a.id),
                            kind: FirehoseKind::Alert,
                            at: k.at,
                            client: a.client.clone(),
                            title: a.title.clone(),
                            detail: Some(a.description.clone()).filter(|s| !s.is_empty()),
                            severity: Some(a.severity),
                            alert: Some(a),
                        }
                    }),
                    "stage_move" => d.stage_moves.iter().find(|m| m.id == k.id).map(|m| FirehoseItem {
                        id: format!("stage_move:{}", m.id),
                        kind: FirehoseKind::StageMove,
                        at: k.at,
                        client: Some(ClientRef {
                            id: m.client_id,
                            name: m.client_name.clone(),
                        }),
                        title: format!("{} moved to {}", m.client_name, m.to_stage_name),
                        detail: Some(match (&m.from_stage_name, person(&m.first_name, &m.last_name)) {
                            (Some(from), Some(by)) => format!("From {from}, by {by}"),
                            (Some(from), None) => format!("From {from}"),
                            (None, Some(by)) => format!("By {by}"),
                            (None, None) => String::new(),
                        })
                        .filter(|s| !s.is_empty()),
                        severity: None,
                        alert: None,
                    }),
                    "task_due" => d.tasks.iter().find(|t| t.id == k.id).map(|t| FirehoseItem {
                        id: format!("task_due:{}", t.id),
                        kind: FirehoseKind::TaskDue,
                        at: k.at,
                        client: Some(ClientRef {
                            id: t.client_id,
                            name: t.client_name.clone(),
                        }),
                        title: format!("Task due: {}", t.title),
                        detail: person(&t.first_name, &t.last_name).map(|p| format!("Assigned to {p}")),
                        severity: (k.at < now).then_some(AlertSeverity::Medium),
                        alert: None,
                    }),
                    "note" => d.notes.iter_mut().find(|n| n.id == k.id).map(|n| FirehoseItem {
                        id: format!("note:{}", n.id),
                        kind: FirehoseKind::Note,
                        at: k.at,
                        client: Some(ClientRef {
                            id: n.client_id,
                            name: n.client_name.clone(),
                        }),
                        title: match person(&n.first_name, &n.last_name) {
                            Some(p) => format!("Note by {p}"),
                            None => "Note".into(),
                        },
                        detail: Some(excerpt(&n.body, 280)),
                        severity: None,
                        alert: None,
                    }),
                    _ => None,
                };
                // An entry deleted between the two queries is skipped rather than failing the page.
                items.extend(item);
            }
            to_bytes(&Page { items, next_cursor })
        })
        .await?;
    Ok(json_body(body))
}

/// The first `max` characters, with an ellipsis when cut.
fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}
