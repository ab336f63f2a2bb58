//! `/onboarding/*`: the onboarding hub. Its heading with "Start onboarding", tabs for the board, the
//! journeys and the intake form builder, and the selected tab.

pub mod board;
pub mod form_builder;
pub mod instance;
pub mod journeys;

use audienceos_shared::onboarding::{Journey, StageState};
use audienceos_shared::permissions::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::components::tabs::TabLink;
use crate::routes::Route;
use crate::state::session::use_session;

/// A signal the board listens to: bumped when an onboarding starts elsewhere on the page.
#[derive(Clone, Copy)]
pub struct OnboardingsChanged(pub RwSignal<u32>);

/// Heading, tabs and the selected tab.
#[component]
pub fn OnboardingLayout() -> impl IntoView {
    let session = use_session();
    let can_manage = move || session.can(Resource::Onboarding, Action::Manage);
    provide_context(OnboardingsChanged(RwSignal::new(0)));
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Onboarding"</h1>
                    <p class="page-subtitle">"New clients from the welcome email to live support: journeys, intake forms and every onboarding's progress."</p>
                </div>
                <board::StartOnboardingButton/>
            </header>
            <nav class="tabs" aria-label="Onboarding">
                <TabLink route=Route::Onboarding label="Board"/>
                <Show when=can_manage>
                    <TabLink route=Route::OnboardingJourneys label="Journeys"/>
                    <TabLink route=Route::OnboardingForm label="Intake form"/>
                </Show>
            </nav>
            <div class="tab-panel">
                <Outlet/>
            </div>
        </div>
    }
}

/// The words and badge class of a stage state.
pub fn stage_state_badge(state: StageState) -> (&'static str, &'static str) {
    match state {
        StageState::Pending => ("Pending", "badge badge-neutral"),
        StageState::InProgress => ("In progress", "badge badge-info"),
        StageState::Completed => ("Completed", "badge badge-success"),
        StageState::Blocked => ("Blocked", "badge badge-danger"),
    }
}

/// The journey to show first: the default, else the first.
pub fn default_journey(journeys: &[Journey]) -> Option<&Journey> {
    journeys.iter().find(|j| j.is_default).or_else(|| journeys.first())
}
