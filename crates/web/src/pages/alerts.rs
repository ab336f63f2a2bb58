//! `/alerts`: the agency's alerts, open ones by default (what the dashboard's "Open alerts" card counts),
//! filtered by status, severity and kind, newest first, each with its actions. `?alert=<id>` opens one
//! alert in a drawer: escalation emails link there.

use audienceos_shared::alerts::{Alert, AlertListQuery, AlertSeverity, AlertType};
use audienceos_shared::dashboard::{FirehoseItem, FirehoseKind};
use audienceos_shared::Page;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{agency_time_zone, use_set_param};
use crate::api::alerts::{get_alert, list_alerts};
use crate::api::ApiResult;
use crate::components::alert_actions::{capitalised, AlertModal, AlertModalHost, AlertState, SeverityPill};
use crate::components::drawer::Drawer;
use crate::components::icons::{Icon, IconName};
use crate::components::load_more::{LoadMore, Pager};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::routes::{encode_component, Route, CLIENT_PARAM};

/// The query parameter of the open alert.
pub const ALERT_PARAM: &str = "alert";

/// Alerts per page.
const PAGE_SIZE: u32 = 50;

/// The statuses the filter offers: `(value, label)`.
const STATUSES: [(&str, &str); 7] = [
    ("open", "Open"),
    ("active", "Active"),
    ("snoozed", "Snoozed"),
    ("escalated", "Escalated"),
    ("resolved", "Resolved"),
    ("dismissed", "Dismissed"),
    ("all", "All"),
];

/// An alert kind in words.
pub fn type_label(t: AlertType) -> &'static str {
    match t {
        AlertType::Inactivity => "No recent activity",
        AlertType::StageOverdue => "Too long in stage",
        AlertType::OverdueTasks => "Overdue tasks",
        AlertType::RiskDetected => "Risk detected",
        AlertType::KpiDrop => "Performance drop",
        AlertType::Disconnect => "Integration disconnected",
    }
}

fn from_params(get: impl Fn(&str) -> Option<String>) -> AlertListQuery {
    AlertListQuery {
        status: get("status").filter(|s| STATUSES.iter().any(|(v, _)| v == s) && s != "open"),
        severity: get("severity").as_deref().and_then(AlertSeverity::parse),
        alert_type: get("type").as_deref().and_then(AlertType::parse),
        client_id: get("client_id").and_then(|s| Uuid::parse_str(&s).ok()),
        ..Default::default()
    }
}

async fn load(q: AlertListQuery, cursor: Option<String>) -> ApiResult<Page<Alert>> {
    list_alerts(&AlertListQuery {
        limit: Some(PAGE_SIZE),
        cursor,
        ..q
    })
    .await
}

fn as_item(a: Alert) -> FirehoseItem {
    FirehoseItem {
        id: format!("alert:{}", a.id),
        kind: FirehoseKind::Alert,
        at: a.created_at,
        client: a.client.clone(),
        title: a.title.clone(),
        detail: Some(a.description.clone()).filter(|d| !d.is_empty()),
        severity: Some(a.severity),
        alert: Some(a),
    }
}

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let params = use_query_map();
    let set_param = use_set_param();
    let filters = Memo::new(move |_| params.with(|m| from_params(|k| m.get(k))));
    let open_id = Memo::new(move |_| params.with(|m| m.get(ALERT_PARAM).and_then(|s| Uuid::parse_str(&s).ok())));
    let reload = RwSignal::new(0u32);
    let first = LocalResource::new(move || {
        reload.track();
        load(filters.get(), None)
    });
    let set = {
        let set_param = set_param.clone();
        Callback::new(move |(k, v): (&'static str, Option<String>)| set_param(k, v))
    };
    let changed = Callback::new(move |_: Alert| reload.update(|n| *n += 1));
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Alerts"</h1>
                    <p class="page-subtitle">"What the rules found about your clients, and what was done about it."</p>
                </div>
            </header>
            <AlertToolbar filters=filters set=set/>
            <section class="card" aria-label="Alerts">
                <SectionBoundary section="Alerts" resource=first let:page>
                    <AlertList first=page filters=filters.get_untracked() on_changed=changed/>
                </SectionBoundary>
            </section>
            {move || open_id.get().map(|id| view! {
                <AlertDrawer id=id on_close=Callback::new({
                    let set_param = set_param.clone();
                    move |_| set_param(ALERT_PARAM, None)
                }) on_changed=changed/>
            })}
        </div>
    }
}

#[component]
fn AlertToolbar(filters: Memo<AlertListQuery>, set: Callback<(&'static str, Option<String>)>) -> impl IntoView {
    let status_id = unique_id("alerts-status");
    let severity_id = unique_id("alerts-severity");
    let type_id = unique_id("alerts-type");
    let pick = move |key: &'static str| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            set.run((key, (!v.is_empty() && v != "open").then_some(v)));
        }
    };
    view! {
        <div class="toolbar" role="search" aria-label="Filter alerts">
            <label class="sr-only" for=status_id.clone()>"Status"</label>
            <select id=status_id class="input select input-sm" on:change=pick("status")>
                {STATUSES
                    .into_iter()
                    .map(|(v, label)| view! {
                        <option value=v selected=move || filters.with(|f| f.status.as_deref().unwrap_or("open") == v)>{label}</option>
                    })
                    .collect_view()}
            </select>
            <label class="sr-only" for=severity_id.clone()>"Severity"</label>
            <select id=severity_id class="input select input-sm" on:change=pick("severity")>
                <option value="" selected=move || filters.with(|f| f.severity.is_none())>"Any severity"</option>
                {AlertSeverity::ALL
                    .into_iter()
                    .rev()
                    .map(|s| view! {
                        <option value=s.as_str() selected=move || filters.with(|f| f.severity == Some(s))>{capitalised(s.as_str())}</option>
                    })
                    .collect_view()}
            </select>
            <label class="sr-only" for=type_id.clone()>"Kind"</label>
            <select id=type_id class="input select input-sm" on:change=pick("type")>
                <option value="" selected=move || filters.with(|f| f.alert_type.is_none())>"Every kind"</option>
                {AlertType::ALL
                    .into_iter()
                    .map(|t| view! {
                        <option value=t.as_str() selected=move || filters.with(|f| f.alert_type == Some(t))>{type_label(t)}</option>
                    })
                    .collect_view()}
            </select>
            {move || filters.with(|f| f.client_id).map(|_| view! {
                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| set.run(("client_id", None))>
                    "One client"
                    <Icon name=IconName::Close/>
                    <span class="sr-only">"Show every client"</span>
                </button>
            })}
        </div>
    }
}

#[component]
fn AlertList(first: Page<Alert>, filters: AlertListQuery, on_changed: Callback<Alert>) -> impl IntoView {
    if first.items.is_empty() {
        let filtered = filters.status.is_some()
            || filters.severity.is_some()
            || filters.alert_type.is_some()
            || filters.client_id.is_some();
        let (title, text) = if filtered {
            ("No alerts match these filters", "Try another status or kind.")
        } else {
            (
                "No open alerts",
                "Rules watch inactivity, time in stage, overdue tasks and integrations; what they find shows up here.",
            )
        };
        return view! {
            <div class="empty-state">
                <span class="empty-icon"><Icon name=IconName::Bell/></span>
                <p class="empty-title">{title}</p>
                <p class="muted">{text}</p>
            </div>
        }
        .into_any();
    }
    let pager = Pager::new(first, move |c| load(filters.clone(), Some(c)), |a: &Alert| a.id);
    let items = pager.items;
    let modal = RwSignal::new(None::<AlertModal>);
    // Acted on in place: the alert shows its new state until the list is loaded again.
    let updated = Callback::new(move |a: Alert| {
        items.update(|list| {
            if let Some(x) = list.iter_mut().find(|x| x.id == a.id) {
                *x = a.clone();
            }
        });
        on_changed.run(a);
    });
    let tz = agency_time_zone();
    view! {
        <ol class="firehose alert-list">
            <For each=move || items.get() key=|a| (a.id, a.updated_at) let:alert>
                <AlertRow alert=alert tz=tz.clone() on_updated=updated on_modal=Callback::new(move |m| modal.set(Some(m)))/>
            </For>
        </ol>
        <LoadMore pager=pager/>
        <AlertModalHost modal=modal on_saved=updated/>
    }
    .into_any()
}

/// One alert: kind, severity, client, when, why, and its actions.
#[component]
fn AlertRow(alert: Alert, tz: String, on_updated: Callback<Alert>, on_modal: Callback<AlertModal>) -> impl IntoView {
    let set_param = use_set_param();
    let item = as_item(alert.clone());
    let id = alert.id;
    let client = item.client.clone().map(|c| {
        let href = format!(
            "{}?{CLIENT_PARAM}={}",
            Route::Clients.path(),
            encode_component(&c.id.to_string())
        );
        view! { <a class="firehose-client" href=href>{c.name}</a> }
    });
    view! {
        <li class="firehose-item firehose-alert">
            <span class="firehose-icon"><Icon name=IconName::Bell/></span>
            <div class="firehose-main">
                <div class="firehose-title-row">
                    <button type="button" class="link-button firehose-title" on:click=move |_| set_param(ALERT_PARAM, Some(id.to_string()))>
                        {item.title.clone()}
                    </button>
                    <SeverityPill severity=alert.severity/>
                    <span class="badge">{type_label(alert.alert_type)}</span>
                </div>
                <div class="firehose-meta">
                    {client}
                    <time class="muted" datetime=item.at.to_rfc3339()>{format::date_time(&item.at, &tz)}</time>
                </div>
                {item.detail.clone().map(|d| view! { <p class="firehose-detail">{d}</p> })}
                <AlertState alert=alert tz=tz.clone() on_updated=on_updated on_modal=on_modal/>
            </div>
        </li>
    }
}

/// The alert of `?alert=<id>`, with its actions.
#[component]
fn AlertDrawer(id: Uuid, on_close: Callback<()>, on_changed: Callback<Alert>) -> impl IntoView {
    let alert = LocalResource::new(move || get_alert(id));
    let modal = RwSignal::new(None::<AlertModal>);
    let tz = agency_time_zone();
    let updated = Callback::new(move |a: Alert| {
        alert.refetch();
        on_changed.run(a);
    });
    view! {
        <Drawer label="Alert details" eyebrow="Alert" close_label="Close alert details" on_close=on_close>
            <SectionBoundary section="Alert" resource=alert let:a>
                <div class="alert-detail">
                    <h2 class="drawer-title">{a.title.clone()}</h2>
                    <div class="pill-row">
                        <SeverityPill severity=a.severity/>
                        <span class="badge">{type_label(a.alert_type)}</span>
                    </div>
                    <dl class="detail-list">
                        {a.client.clone().map(|c| {
                            let href = format!("{}?{CLIENT_PARAM}={}", Route::Clients.path(), encode_component(&c.id.to_string()));
                            view! { <div><dt>"Client"</dt><dd><a href=href>{c.name}</a></dd></div> }
                        })}
                        <div>
                            <dt>"Raised"</dt>
                            <dd><time datetime=a.created_at.to_rfc3339()>{format::date_time(&a.created_at, &tz)}</time></dd>
                        </div>
                    </dl>
                    {(!a.description.is_empty()).then(|| view! { <p>{a.description.clone()}</p> })}
                    <AlertState alert=a tz=tz.clone() on_updated=updated on_modal=Callback::new(move |m| modal.set(Some(m)))/>
                </div>
            </SectionBoundary>
            <AlertModalHost modal=modal on_saved=updated/>
        </Drawer>
    }
}
