//! "Get started": the first steps of a new agency (add a client, connect an integration, start an
//! onboarding), each ticked from the agency's real data, on the dashboard until all are done or the
//! person dismisses it (remembered in this browser, per agency).

use audienceos_shared::clients::ClientListQuery;
use audienceos_shared::integrations::IntegrationStatus;
use audienceos_shared::onboarding::ListInstancesQuery;
use leptos::prelude::*;

use crate::api::clients::list_clients;
use crate::api::integrations::list_integrations;
use crate::api::onboarding::list_instances;
use crate::components::icons::{Icon, IconName};
use crate::routes::Route;
use crate::state::session::use_session;

/// What the checklist knows: each step and whether it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    client: bool,
    integration: bool,
    onboarding: bool,
}

impl Progress {
    fn all_done(self) -> bool {
        self.client && self.integration && self.onboarding
    }
}

/// Reads the three facts; a failed read counts as "not done" (the checklist is a hint, not a report).
async fn progress() -> Progress {
    let clients = list_clients(&ClientListQuery {
        limit: Some(1),
        ..Default::default()
    })
    .await;
    let integrations = list_integrations().await;
    let onboardings = list_instances(&ListInstancesQuery {
        limit: Some(1),
        ..Default::default()
    })
    .await;
    Progress {
        client: clients.is_ok_and(|p| !p.items.is_empty()),
        integration: integrations.is_ok_and(|list| {
            list.iter()
                .any(|i| !matches!(i.status, IntegrationStatus::NotConnected))
        }),
        onboarding: onboardings.is_ok_and(|p| !p.items.is_empty()),
    }
}

fn storage_key(agency: &str) -> String {
    format!("aos.getting-started.dismissed.{agency}")
}

fn dismissed(agency: &str) -> bool {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(&storage_key(agency)).ok().flatten())
        .is_some()
}

fn dismiss(agency: &str) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(&storage_key(agency), "1");
    }
}

/// The checklist card, or nothing once every step is done or it was dismissed.
#[component]
pub fn GettingStarted() -> impl IntoView {
    let session = use_session();
    let agency = session.with_me(|m| m.agency.id.to_string()).unwrap_or_default();
    let hidden = RwSignal::new(dismissed(&agency));
    let state = LocalResource::new(progress);
    let agency = StoredValue::new(agency);
    move || {
        if hidden.get() {
            return None;
        }
        let p = state.get()?;
        if p.all_done() {
            return None;
        }
        let done = [p.client, p.integration, p.onboarding].iter().filter(|d| **d).count();
        Some(view! {
            <section class="card getting-started" aria-labelledby="getting-started-title">
                <div class="card-header">
                    <div>
                        <h2 class="card-title" id="getting-started-title">"Get started"</h2>
                        <p class="muted">{format!("{done} of 3 done")}</p>
                    </div>
                    <button
                        type="button"
                        class="icon-btn"
                        aria-label="Dismiss the getting-started steps"
                        on:click=move |_| {
                            dismiss(&agency.get_value());
                            hidden.set(true);
                        }
                    >
                        <Icon name=IconName::Close/>
                    </button>
                </div>
                <ol class="checklist">
                    <Step done=p.client href=Route::Clients.path().to_string() title="Add your first client" text="Or import them from a CSV file on the Clients page."/>
                    <Step done=p.integration href=Route::Integrations.path().to_string() title="Connect an integration" text="Gmail or Slack for conversations, Google Ads or Meta for results."/>
                    <Step done=p.onboarding href=Route::Onboarding.path().to_string() title="Start an onboarding" text="Send a client the intake form and follow their setup."/>
                </ol>
            </section>
        })
    }
}

#[component]
fn Step(done: bool, href: String, title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <li class="checklist-item" class:checklist-done=done>
            <span class="checklist-mark" aria-hidden="true">{done.then(|| view! { <Icon name=IconName::Check/> })}</span>
            <div>
                <a href=href class="checklist-title">
                    {title}
                    {done.then(|| view! { <span class="sr-only">" (done)"</span> })}
                </a>
                <p class="muted">{text}</p>
            </div>
        </li>
    }
}
