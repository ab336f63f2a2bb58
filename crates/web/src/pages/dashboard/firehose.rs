//! The dashboard's lists: open alerts first ("Needs you now", the oldest open alerts with their actions and
//! a link to the alerts page), then the firehose of real events newest first (alerts, stage moves, tasks
//! due today or before, notes) with a kind filter and "Load more". Alert actions are saved through the API
//! and the item updates in place.

use audienceos_shared::alerts::{Alert, AlertListQuery};
use audienceos_shared::dashboard::{FirehoseItem, FirehoseKind};
use audienceos_shared::Page;
use leptos::prelude::*;

use crate::api::alerts::list_alerts;
use crate::api::dashboard::firehose;
use crate::components::alert_actions::{AlertModal, AlertModalHost, AlertState, SeverityPill};
use crate::components::icons::{Icon, IconName};
use crate::components::load_more::{LoadMore, Pager};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::routes::{encode_component, Route, CLIENT_PARAM};

/// How many open alerts the dashboard shows before "View all".
const PINNED_ALERTS: u32 = 5;

/// Open alerts, newest first, with their actions: what needs someone now.
#[component]
pub fn OpenAlertsSection() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let first = LocalResource::new(move || {
        reload.track();
        async {
            list_alerts(&AlertListQuery {
                limit: Some(PINNED_ALERTS),
                ..Default::default()
            })
            .await
        }
    });
    view! {
        <section class="card dashboard-card" aria-labelledby="open-alerts-title">
            <div class="card-header">
                <h2 class="card-title" id="open-alerts-title">"Needs you now"</h2>
                <a class="card-link" href=Route::Alerts.path()>"All alerts"<Icon name=IconName::ArrowRight/></a>
            </div>
            <SectionBoundary section="Open alerts" resource=first let:page>
                <OpenAlertList page=page reload=reload/>
            </SectionBoundary>
        </section>
    }
}

#[component]
fn OpenAlertList(page: Page<Alert>, reload: RwSignal<u32>) -> impl IntoView {
    if page.items.is_empty() {
        return view! {
            <div class="empty-state empty-state-compact">
                <span class="empty-icon"><Icon name=IconName::Check/></span>
                <p class="empty-title">"No open alerts"</p>
                <p class="muted">"Clients at risk, overdue work and escalations show up here."</p>
            </div>
        }
        .into_any();
    }
    let more = page.next_cursor.is_some();
    let modal = RwSignal::new(None::<AlertModal>);
    // An alert that is acted on leaves the open list: fetch it again.
    let updated = Callback::new(move |_: Alert| reload.update(|n| *n += 1));
    let tz = agency_time_zone();
    view! {
        <ol class="firehose">
            {page
                .items
                .into_iter()
                .map(|a| {
                    let item = FirehoseItem {
                        id: format!("alert:{}", a.id),
                        kind: FirehoseKind::Alert,
                        at: a.created_at,
                        client: a.client.clone(),
                        title: a.title.clone(),
                        detail: Some(a.description.clone()).filter(|d| !d.is_empty()),
                        severity: Some(a.severity),
                        alert: Some(a),
                    };
                    view! { <FirehoseRow item=item tz=tz.clone() on_updated=updated on_modal=Callback::new(move |m| modal.set(Some(m)))/> }
                })
                .collect_view()}
        </ol>
        {more.then(|| view! {
            <p class="card-footer-link"><a href=Route::Alerts.path()>"View every open alert"</a></p>
        })}
        <AlertModalHost modal=modal on_saved=updated/>
    }
    .into_any()
}

/// The firehose card, with its kind filter.
#[component]
pub fn FirehoseSection() -> impl IntoView {
    let kind = RwSignal::new(None::<FirehoseKind>);
    let first = LocalResource::new(move || firehose(kind.get(), None));
    let select_id = unique_id("firehose-kind");
    view! {
        <section class="card dashboard-card" aria-labelledby="firehose-title">
            <div class="card-header">
                <h2 class="card-title" id="firehose-title">"Firehose"</h2>
                <label class="sr-only" for=select_id.clone()>"Show"</label>
                <select
                    id=select_id
                    class="input select input-sm firehose-kind"
                    on:change=move |ev| kind.set(FirehoseKind::ALL.into_iter().find(|k| k.as_str() == event_target_value(&ev)))
                >
                    <option value="" selected=true>"Everything"</option>
                    <option value="alert">"Alerts"</option>
                    <option value="stage_move">"Stage moves"</option>
                    <option value="task_due">"Tasks due"</option>
                    <option value="note">"Notes"</option>
                </select>
            </div>
            <SectionBoundary section="Firehose" resource=first let:page>
                <FirehoseList first=page kind=kind.get_untracked()/>
            </SectionBoundary>
        </section>
    }
}

#[component]
fn FirehoseList(first: Page<FirehoseItem>, kind: Option<FirehoseKind>) -> impl IntoView {
    if first.items.is_empty() {
        let title = match kind {
            None => "Nothing has happened yet",
            Some(_) => "Nothing of this kind yet",
        };
        return view! {
            <div class="empty-state">
                <span class="empty-icon"><Icon name=IconName::Bell/></span>
                <p class="empty-title">{title}</p>
                <p class="muted">"Alerts, stage moves, tasks due and notes show up here as they happen."</p>
            </div>
        }
        .into_any();
    }
    let tz = agency_time_zone();
    let pager = Pager::new(first, move |c| firehose(kind, Some(c)), |i: &FirehoseItem| i.id.clone());
    let items = pager.items;
    let modal = RwSignal::new(None::<AlertModal>);
    let updated = Callback::new(move |a: Alert| {
        items.update(|list| {
            for item in list.iter_mut() {
                if item.alert.as_ref().is_some_and(|x| x.id == a.id) {
                    item.severity = Some(a.severity);
                    item.alert = Some(a.clone());
                }
            }
        })
    });
    view! {
        <ol class="firehose">
            <For each=move || items.get() key=|i| (i.id.clone(), i.alert.as_ref().map(|a| a.updated_at)) let:item>
                <FirehoseRow item=item tz=tz.clone() on_updated=updated on_modal=Callback::new(move |m| modal.set(Some(m)))/>
            </For>
        </ol>
        <LoadMore pager=pager/>
        <AlertModalHost modal=modal on_saved=updated/>
    }
    .into_any()
}

#[component]
fn FirehoseRow(
    item: FirehoseItem,
    tz: String,
    on_updated: Callback<Alert>,
    on_modal: Callback<AlertModal>,
) -> impl IntoView {
    let icon = match item.kind {
        FirehoseKind::Alert => IconName::Bell,
        FirehoseKind::StageMove => IconName::Kanban,
        FirehoseKind::TaskDue => IconName::Calendar,
        FirehoseKind::Note => IconName::Edit,
    };
    let client = item.client.clone().map(|c| {
        let href = format!(
            "{}?{CLIENT_PARAM}={}",
            Route::Clients.path(),
            encode_component(&c.id.to_string())
        );
        view! { <a class="firehose-client" href=href>{c.name}</a> }
    });
    let severity = item.severity.map(|s| view! { <SeverityPill severity=s/> });
    let alert_part = item
        .alert
        .clone()
        .map(|a| view! { <AlertState alert=a tz=tz.clone() on_updated=on_updated on_modal=on_modal/> });
    view! {
        <li class="firehose-item" class:firehose-alert=item.kind == FirehoseKind::Alert>
            <span class="firehose-icon"><Icon name=icon/></span>
            <div class="firehose-main">
                <div class="firehose-title-row">
                    <span class="firehose-title">{item.title.clone()}</span>
                    {severity}
                </div>
                <div class="firehose-meta">
                    {client}
                    <time class="muted" datetime=item.at.to_rfc3339()>{format::date_time(&item.at, &tz)}</time>
                </div>
                {item.detail.clone().map(|d| view! { <p class="firehose-detail">{d}</p> })}
                {alert_part}
            </div>
        </li>
    }
}
