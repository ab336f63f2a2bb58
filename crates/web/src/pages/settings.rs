//! `/settings/*`: the settings heading and its sub-navigation; each tab is its own page module.

pub mod account;
pub mod api_keys;
pub mod audit_log;
pub mod onboarding;
pub mod pipeline;

use audienceos_shared::permissions::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::components::tabs::TabLink;
use crate::routes::Route;
use crate::state::session::use_session;

/// Heading, tabs ("Account", "Pipeline", "API keys", "Audit log") and the selected tab.
#[component]
pub fn SettingsLayout() -> impl IntoView {
    let session = use_session();
    let can_read_settings = move || session.can(Resource::Settings, Action::Read);
    let can_read_clients = move || session.can(Resource::Clients, Action::Read);
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Settings"</h1>
                    <p class="page-subtitle">"Your account, your agency's pipeline and its security settings."</p>
                </div>
            </header>
            <nav class="tabs" aria-label="Settings">
                <TabLink route=Route::SettingsAccount label="Account"/>
                <Show when=can_read_clients>
                    <TabLink route=Route::SettingsPipeline label="Pipeline"/>
                </Show>
                <Show when=move || session.can(Resource::Onboarding, Action::Read)>
                    <TabLink route=Route::SettingsOnboarding label="Onboarding"/>
                </Show>
                <Show when=can_read_settings>
                    <TabLink route=Route::SettingsApiKeys label="API keys"/>
                    <TabLink route=Route::SettingsAuditLog label="Audit log"/>
                </Show>
            </nav>
            <div class="tab-panel">
                <Outlet/>
            </div>
        </div>
    }
}
