//! An alert's state and actions (Escalate, Snooze with its menu, Dismiss, Resolve), shared by the
//! dashboard's lists and the alerts page: each action is saved through the API and reported back through
//! `on_updated`, so the list updates the alert in place.

use audienceos_shared::alerts::{Alert, AlertSeverity, AlertStatus};
use chrono::{DateTime, Duration, Utc};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::alerts::{dismiss_alert, get_alert, resolve_alert, snooze_alert};
use crate::api::ApiResult;
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::unique_id;
use crate::format;
use crate::modals::escalate_alert::EscalateAlertModal;
use crate::modals::snooze_alert::SnoozeAlertModal;
use crate::state::toasts::{use_toasts, ToastKind};

/// Which alert modal is open.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertModal {
    Escalate(Alert),
    Snooze(Alert),
}

/// The open alert modal, if any; closing or saving sets `modal` back to `None`.
#[component]
pub fn AlertModalHost(modal: RwSignal<Option<AlertModal>>, on_saved: Callback<Alert>) -> impl IntoView {
    let close = Callback::new(move |_| modal.set(None));
    move || match modal.get() {
        None => ().into_any(),
        Some(AlertModal::Escalate(a)) => {
            view! { <EscalateAlertModal alert=a on_close=close on_saved=on_saved/> }.into_any()
        }
        Some(AlertModal::Snooze(a)) => {
            view! { <SnoozeAlertModal alert=a on_close=close on_saved=on_saved/> }.into_any()
        }
    }
}

/// A severity as a coloured status pill.
#[component]
pub fn SeverityPill(severity: AlertSeverity) -> impl IntoView {
    view! {
        <span class=severity_class(severity)>
            <span class="status-dot" aria-hidden="true"></span>
            {capitalised(severity.as_str())}
        </span>
    }
}

pub fn severity_class(s: AlertSeverity) -> &'static str {
    match s {
        AlertSeverity::Low => "status status-neutral",
        AlertSeverity::Medium => "status status-warning",
        AlertSeverity::High | AlertSeverity::Critical => "status status-danger",
    }
}

pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// An alert's status in words and, while it is open, its actions.
#[component]
pub fn AlertState(
    alert: Alert,
    tz: String,
    on_updated: Callback<Alert>,
    on_modal: Callback<AlertModal>,
) -> impl IntoView {
    let toasts = use_toasts();
    let pending = RwSignal::new(false);
    let id = alert.id;
    let title = alert.title.clone();
    let run = move |what: &'static str, fut: std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<Alert>>>>| {
        pending.set(true);
        spawn_local(async move {
            let result = fut.await;
            pending.try_set(false);
            match result {
                Ok(a) => {
                    toasts.success(format!("Alert {what}."));
                    on_updated.run(a);
                }
                Err(e) => {
                    toasts.push(ToastKind::Error, format!("Could not update the alert: {}", e.message()));
                    // Someone may have acted on it meanwhile: show where it is now.
                    if let Ok(a) = get_alert(id).await {
                        on_updated.run(a);
                    }
                }
            }
        });
    };
    let status = match alert.status {
        AlertStatus::Snoozed => format!(
            "Snoozed until {}",
            alert
                .snoozed_until
                .map(|t| format::date_time(&t, &tz))
                .unwrap_or_default()
        ),
        AlertStatus::Escalated => format!(
            "Escalated to {}",
            alert
                .escalated_to
                .as_ref()
                .map(|u| u.name.clone())
                .unwrap_or_else(|| "a team member".into())
        ),
        AlertStatus::Active => "Active".into(),
        AlertStatus::Dismissed => "Dismissed".into(),
        AlertStatus::Resolved => "Resolved".into(),
    };
    let open = alert.status.is_open();
    let for_escalate = alert.clone();
    let for_custom = alert.clone();
    let tz_menu = tz.clone();
    view! {
        <div class="alert-state">
            <span class="alert-status">{status}</span>
            {(!alert.reasons.is_empty()).then(|| view! {
                <ul class="reasons">{alert.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            })}
            {open.then(|| view! {
                <div class="alert-actions" role="group" aria-label=format!("Actions for {title}")>
                    <Button kind=ButtonKind::Secondary small=true disabled=pending on_click=Callback::new(move |_| on_modal.run(AlertModal::Escalate(for_escalate.clone())))>
                        "Escalate"
                    </Button>
                    <SnoozeMenu
                        tz=tz_menu.clone()
                        disabled=pending
                        on_pick=Callback::new(move |until: Option<DateTime<Utc>>| match until {
                            Some(t) => run("snoozed", Box::pin(async move { snooze_alert(id, t).await })),
                            None => on_modal.run(AlertModal::Snooze(for_custom.clone())),
                        })
                    />
                    <Button kind=ButtonKind::Ghost small=true pending=pending on_click=Callback::new(move |_| run("dismissed", Box::pin(async move { dismiss_alert(id).await })))>
                        "Dismiss"
                    </Button>
                    <Button kind=ButtonKind::Ghost small=true pending=pending on_click=Callback::new(move |_| run("resolved", Box::pin(async move { resolve_alert(id).await })))>
                        "Resolve"
                    </Button>
                </div>
            })}
        </div>
    }
}

/// The snooze choices; `None` means "custom" (the modal asks for a date and time).
pub fn snooze_choices(now: DateTime<Utc>, tz: &str) -> [(&'static str, Option<DateTime<Utc>>); 4] {
    let today = format::today(tz);
    [
        ("1 hour", Some(now + Duration::hours(1))),
        ("Tomorrow 9:00", Some(format::at_hour(today + Duration::days(1), 9, tz))),
        (
            "Next week (Monday 9:00)",
            Some(format::at_hour(format::next_monday(today), 9, tz)),
        ),
        ("Custom…", None),
    ]
}

/// "Snooze" and its menu. Arrow keys move through the items, Escape closes and returns focus.
#[component]
fn SnoozeMenu(tz: String, disabled: RwSignal<bool>, on_pick: Callback<Option<DateTime<Utc>>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let menu_id = unique_id("snooze-menu");
    let button = NodeRef::<leptos::html::Button>::new();
    let menu = NodeRef::<leptos::html::Div>::new();
    let wrapper = NodeRef::<leptos::html::Div>::new();
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let items = move || -> Vec<web_sys::HtmlElement> {
        let Some(m) = menu.get_untracked() else {
            return Vec::new();
        };
        let Ok(nodes) = m.query_selector_all("[role=menuitem]") else {
            return Vec::new();
        };
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect()
    };
    Effect::new(move |_| {
        if open.get() && menu.get().is_some() {
            if let Some(first) = items().into_iter().next() {
                let _ = first.focus();
            }
        }
    });
    let outside = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let inside = match (wrapper.get_untracked(), ev.target()) {
            (Some(w), Some(t)) => t.dyn_ref::<web_sys::Node>().is_some_and(|n| w.contains(Some(n))),
            _ => false,
        };
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    let on_keydown = move |ev: KeyboardEvent| {
        if !open.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                close(true);
            }
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                let list = items();
                if list.is_empty() {
                    return;
                }
                let active = document().active_element();
                let at = list
                    .iter()
                    .position(|i| active.as_ref().is_some_and(|a| a == i.as_ref() as &web_sys::Element));
                let next = match (at, ev.key() == "ArrowDown") {
                    (Some(i), true) => (i + 1) % list.len(),
                    (Some(i), false) => (i + list.len() - 1) % list.len(),
                    (None, _) => 0,
                };
                let _ = list[next].focus();
            }
            "Tab" => close(false),
            _ => {}
        }
    };
    view! {
        <div class="menu-anchor" node_ref=wrapper on:keydown=on_keydown>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                node_ref=button
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=menu_id.clone()
                disabled=move || disabled.get()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <Icon name=IconName::Clock/>
                "Snooze"
            </button>
            <Show when=move || open.get()>
                <div class="menu menu-down" role="menu" id=menu_id.clone() aria-label="Snooze until" node_ref=menu>
                    {snooze_choices(Utc::now(), &tz)
                        .into_iter()
                        .map(|(label, until)| {
                            view! {
                                <button
                                    type="button"
                                    class="menu-item"
                                    role="menuitem"
                                    on:click=move |_| {
                                        close(true);
                                        on_pick.run(until);
                                    }
                                >
                                    {label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </Show>
        </div>
    }
}
