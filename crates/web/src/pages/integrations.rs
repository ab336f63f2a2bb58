//! `/integrations`: one card per provider (Gmail, Slack, Google Ads, Meta Ads) with its status, connect
//! through OAuth, test, sync now with live progress, disconnect, and the resource linker. The page also
//! reads the OAuth round trip's outcome (`?connected=` or `?oauth_error=&provider=`), shows it, and
//! clears it from the URL. While a sync runs (or one queued here has not finished) the list is polled
//! every 2 s.

mod card;
pub mod copy;
mod oauth_app;

use std::collections::HashMap;
use std::time::Duration;

use audienceos_shared::integrations::{Integration, IntegrationProvider, IntegrationStatus};
use audienceos_shared::permissions::{Action as Perm, Resource};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use self::card::IntegrationCard;
use self::copy::{demo_banner, oauth_error_text};
use crate::api::integrations::list_integrations;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::routes::Route;
use crate::state::session::use_session;
use crate::state::toasts::use_toasts;

/// How often the list is re-read while a sync runs.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// How long a sync queued here is waited for before the card stops saying "queued".
const AWAIT_SYNC_MS: f64 = 180_000.0;
/// How often relative times ("5 min ago") are recomputed.
const CLOCK_EVERY: Duration = Duration::from_secs(30);

/// Query parameters the API's OAuth callback sends the browser back with.
const CONNECTED_PARAM: &str = "connected";
const OAUTH_ERROR_PARAM: &str = "oauth_error";
const PROVIDER_PARAM: &str = "provider";

/// What the cards share with the page: the list refresh and the syncs queued here (provider → when,
/// in ms since the epoch), which keep the page polling until each card has seen its sync finish.
#[derive(Clone, Copy)]
pub struct IntegrationsContext {
    pub refresh: Callback<()>,
    pub awaiting: RwSignal<HashMap<IntegrationProvider, f64>>,
    /// The current time, ticking every 30 s, for "Last synced 5 min ago".
    pub now: RwSignal<DateTime<Utc>>,
}

/// The page.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let list = LocalResource::new(list_integrations);
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Integrations"</h1>
                    <p class="page-subtitle">
                        "Connect Gmail, Slack, Google Ads and Meta Ads to bring client messages and ad results into AudienceOS."
                    </p>
                </div>
            </header>
            <OAuthReturn/>
            <SectionBoundary section="Integrations" resource=list skeleton=IntegrationsSkeleton let:data>
                <IntegrationGrid initial=data/>
            </SectionBoundary>
        </div>
    }
}

/// The shape of the four cards while the list loads.
#[component]
fn IntegrationsSkeleton() -> impl IntoView {
    view! {
        <div class="integration-grid" role="status" aria-busy="true">
            <span class="sr-only">"Loading integrations…"</span>
            {IntegrationProvider::ALL
                .into_iter()
                .map(|_| {
                    view! {
                        <div class="card integration-card skeleton-card" aria-hidden="true">
                            <span class="skeleton skeleton-logo"></span>
                            <span class="skeleton skeleton-line"></span>
                            <span class="skeleton skeleton-line skeleton-short"></span>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The outcome of an OAuth round trip from the query string: a toast on success, a banner explaining
/// a failure. The parameters are then removed so a reload does not repeat them.
#[component]
fn OAuthReturn() -> impl IntoView {
    let toasts = use_toasts();
    let query = use_query_map();
    let navigate = use_navigate();
    let (connected, error, provider) =
        query.with_untracked(|q| (q.get(CONNECTED_PARAM), q.get(OAUTH_ERROR_PARAM), q.get(PROVIDER_PARAM)));
    let name_of = |p: Option<&str>| p.and_then(IntegrationProvider::parse).map(|p| p.label().to_string());
    if let Some(p) = connected.as_deref() {
        toasts.success(format!(
            "{} connected.",
            name_of(Some(p)).unwrap_or_else(|| "The integration".into())
        ));
    }
    let banner = RwSignal::new(error.map(|code| {
        let title = match name_of(provider.as_deref()) {
            Some(name) => format!("Could not connect {name}"),
            None => "Could not connect the integration".into(),
        };
        (title, oauth_error_text(&code))
    }));
    if connected.is_some() || banner.with_untracked(Option::is_some) {
        request_animation_frame(move || {
            navigate(
                Route::Integrations.path(),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    }
    move || {
        banner.get().map(|(title, text)| {
            view! {
                <div class="alert alert-danger integration-banner" role="alert">
                    <Icon name=IconName::Alert/>
                    <div class="integration-banner-body">
                        <p class="notice-title">{title}</p>
                        <p>{text}</p>
                    </div>
                    <button
                        type="button"
                        class="icon-btn"
                        aria-label="Dismiss connection error"
                        on:click=move |_| banner.set(None)
                    >
                        <Icon name=IconName::Close/>
                    </button>
                </div>
            }
        })
    }
}

/// The cards, kept current by polling while any sync runs.
#[component]
fn IntegrationGrid(initial: Vec<Integration>) -> impl IntoView {
    let session = use_session();
    let can_write = Signal::derive(move || session.can(Resource::Integrations, Perm::Write));
    let can_manage = Signal::derive(move || session.can(Resource::Integrations, Perm::Manage));
    let mut initial = initial;
    initial.sort_by_key(|i| IntegrationProvider::ALL.iter().position(|p| *p == i.provider));
    let items = RwSignal::new(initial.clone());
    let refresh_error = RwSignal::new(None::<String>);
    let awaiting = RwSignal::new(HashMap::<IntegrationProvider, f64>::new());
    let now = RwSignal::new(Utc::now());
    let in_flight = StoredValue::new(false);

    let refresh = Callback::new(move |_| {
        if in_flight.try_get_value().unwrap_or(true) {
            return;
        }
        in_flight.set_value(true);
        spawn_local(async move {
            let result = list_integrations().await;
            in_flight.try_set_value(false);
            now.try_set(Utc::now());
            // A sync queued here that never finished stops being awaited (and polled for).
            let cutoff = js_sys::Date::now() - AWAIT_SYNC_MS;
            awaiting.try_update(|a| a.retain(|_, since| *since > cutoff));
            match result {
                Ok(list) => {
                    items.try_set(list);
                    refresh_error.try_set(None);
                }
                Err(e) => {
                    refresh_error.try_set(Some(format!(
                        "Could not refresh the integrations' status: {}",
                        e.message()
                    )));
                }
            }
        });
    });
    provide_context(IntegrationsContext { refresh, awaiting, now });

    let should_poll = Memo::new(move |_| {
        items.with(|l| l.iter().any(|i| i.status == IntegrationStatus::Syncing)) || awaiting.with(|a| !a.is_empty())
    });
    let poller = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| match (should_poll.get(), poller.get_value()) {
        (true, None) => {
            let handle = set_interval_with_handle(move || _ = refresh.try_run(()), POLL_EVERY).ok();
            poller.set_value(handle);
        }
        (false, Some(handle)) => {
            handle.clear();
            poller.set_value(None);
        }
        _ => {}
    });
    let clock = set_interval_with_handle(move || _ = now.try_set(Utc::now()), CLOCK_EVERY).ok();
    on_cleanup(move || {
        if let Some(handle) = poller.try_get_value().flatten() {
            handle.clear();
        }
        if let Some(handle) = clock {
            handle.clear();
        }
    });

    let demo = Memo::new(move |_| {
        let providers: Vec<IntegrationProvider> =
            items.with(|l| l.iter().filter(|i| i.demo).map(|i| i.provider).collect());
        demo_banner(&providers)
    });

    view! {
        {move || {
            demo.get().map(|text| {
                view! {
                    <div class="alert alert-info integration-banner" role="note" aria-label="Demo providers">
                        <Icon name=IconName::Plug/>
                        <div class="integration-banner-body">
                            <p class="notice-title">"Demo providers"</p>
                            <p>{text}</p>
                        </div>
                    </div>
                }
            })
        }}
        {move || {
            refresh_error
                .get()
                .map(|m| {
                    view! {
                        <div class="alert alert-warning integration-banner" role="status">
                            <Icon name=IconName::Alert/>
                            <span>{m}</span>
                        </div>
                    }
                })
        }}
        <div class="integration-grid">
            {initial
                .into_iter()
                .map(|first| {
                    let provider = first.provider;
                    let integration = Memo::new(move |_| {
                        items
                            .with(|l| l.iter().find(|i| i.provider == provider).cloned())
                            .unwrap_or_else(|| first.clone())
                    });
                    view! { <IntegrationCard integration=integration can_write=can_write can_manage=can_manage/> }
                })
                .collect_view()}
        </div>
    }
}
