//! The dashboard: KPI cards against the previous period, daily trend series, and the firehose of real
//! events. Members see numbers about their own clients; KPI snapshots are agency-wide, so a Member's
//! cards have no previous value. The two hot reads go through the read cache.

use audienceos_shared::alerts::{AlertSeverity, ClientRef};
use audienceos_shared::dashboard::{
    DashboardKpis, FirehoseItem, FirehoseKind, FirehoseQuery, Kpi, KpiQuery, TrendPoint, TrendQuery, TrendSeries,
};
use audienceos_shared::pagination::page_limit;
use audienceos_shared::Page;
use bytes::Bytes;
use chrono::NaiveDate;

use crate::auth::Identity;
use crate::domain::dashboard::{card_link, excerpt, trend, CARDS, MAX_TREND_DAYS};
use crate::error::{validate, ApiError};
use crate::read_cache::{to_bytes, BodyKey};
use crate::services::alerts::alert_dto;
use crate::state::AppState;
use crate::store::dashboard::round1;

/// The KPI cards as JSON bytes.
pub async fn kpis(state: &AppState, me: &Identity, q: &KpiQuery, key: BodyKey) -> Result<Bytes, ApiError> {
    validate(q)?;
    state
        .reads
        .body(key, async {
            let period_days = q.period_days.unwrap_or(30);
            let now = state.clock.now();
            let scope = me.client_scope();
            let values = state.store.kpi_values(me.tenant(), now).await?;
            let first_stage = state.store.first_stage(me.agency_id).await.ok().map(|s| s.id);
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
                        link: card_link(link, first_stage),
                    }
                })
                .collect();
            to_bytes(&DashboardKpis {
                period_days,
                kpis,
                generated_at: now,
            })
        })
        .await
}

/// One point per day from `from` to `to`, zeros included.
pub async fn trends(state: &AppState, me: &Identity, q: TrendQuery) -> Result<TrendSeries, ApiError> {
    let TrendQuery { from, to } = q;
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
    Ok(TrendSeries { from, to, points })
}

/// A page of the firehose as JSON bytes.
pub async fn firehose(state: &AppState, me: &Identity, q: &FirehoseQuery, key: BodyKey) -> Result<Bytes, ApiError> {
    validate(q)?;
    state
        .reads
        .body(key, async {
            let now = state.clock.now();
            let (keys, next_cursor) = state
                .store
                .firehose_page(me.tenant(), now, q.kind, page_limit(q.limit), q.cursor.as_deref())
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
        .await
}
