//! `/settings/onboarding`: how long public intake links stay valid, and the SEO lookups the agency
//! paid for (calls and cost this month and over 30 days).

use audienceos_shared::onboarding::OnboardingSettings;
use audienceos_shared::permissions::{Action as Perm, Resource};
use audienceos_shared::seo::{SeoUsage, SeoUsagePeriod};
use leptos::prelude::*;
use validator::Validate;

use crate::api::onboarding::{get_settings, set_settings};
use crate::api::seo::usage;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::state::session::use_session;
use crate::state::toasts::use_toasts;

/// The onboarding tab.
#[component]
pub fn OnboardingSettingsPage() -> impl IntoView {
    let session = use_session();
    let settings = LocalResource::new(get_settings);
    view! {
        <div class="stack">
            <h2 class="section-title">"Onboarding"</h2>
            <SectionBoundary section="Onboarding settings" resource=settings let:s>
                <LinkExpiry settings=s/>
            </SectionBoundary>
            <Show when=move || session.can(Resource::Settings, Perm::Read)>
                <SeoUsageCard/>
            </Show>
        </div>
    }
}

#[component]
fn LinkExpiry(settings: OnboardingSettings) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let can_manage = session.can(Resource::Onboarding, Perm::Manage);
    let days = RwSignal::new(settings.link_expiry_days.to_string());
    let errors = FormErrors::new();
    let save = Action::new_local(move |_: &()| async move {
        errors.clear();
        let Ok(n) = days.get_untracked().trim().parse::<i64>() else {
            errors.set_field("link_expiry_days", "must be a whole number of days");
            return;
        };
        let req = OnboardingSettings { link_expiry_days: n };
        if let Err(v) = req.validate() {
            errors.set_validation(&v);
            return;
        }
        match set_settings(&req).await {
            Ok(s) => {
                days.set(s.link_expiry_days.to_string());
                toasts.success(format!(
                    "New intake links now stay valid for {} days.",
                    s.link_expiry_days
                ));
            }
            Err(e) => errors.set_problem(&e, None),
        }
    });
    view! {
        <form
            class="card"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                if can_manage {
                    save.dispatch(());
                }
            }
        >
            <h3 class="card-title">"Intake links"</h3>
            <p class="card-text">"The link in the welcome email opens the client's intake form. Links already sent keep the expiry they were made with."</p>
            <Field label="Days a new link stays valid" value=days error=errors.field("link_expiry_days") input_mode="numeric" hint="1 to 365 days (default 30)"/>
            <FormAlert message=errors.form()/>
            {can_manage.then(|| view! { <Button button_type="submit" pending=save.pending() pending_label="Saving…">"Save"</Button> })}
        </form>
    }
}

#[component]
fn SeoUsageCard() -> impl IntoView {
    let report = LocalResource::new(usage);
    view! {
        <section class="card" aria-labelledby="seo-usage-title">
            <h3 class="card-title" id="seo-usage-title">"SEO lookups"</h3>
            <p class="card-text">
                "Each client's website is looked up on DataForSEO when its onboarding starts, and on demand from the client's SEO section (10 per hour per agency). Every try is a billed call."
            </p>
            <SectionBoundary section="SEO usage" resource=report let:r>
                <UsageTable report=r/>
            </SectionBoundary>
        </section>
    }
}

#[component]
fn UsageTable(report: SeoUsage) -> impl IntoView {
    let row = |label: &'static str, p: &SeoUsagePeriod| {
        let failed: i64 = p.by_outcome.iter().filter(|o| o.outcome != "ok").map(|o| o.calls).sum();
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td>{format::count(p.calls)}</td>
                <td>{format::count(failed)}</td>
                <td>{format!("${:.2}", p.cost_usd)}</td>
            </tr>
        }
    };
    view! {
        {(!report.configured).then(|| view! {
            <p class="alert alert-warning">"Not configured: an administrator needs to add the agency's DataForSEO login to the server's settings."</p>
        })}
        <table class="table table-compact">
            <thead>
                <tr><th scope="col">"Period"</th><th scope="col">"Calls"</th><th scope="col">"Failed"</th><th scope="col">"Cost"</th></tr>
            </thead>
            <tbody>
                {row("This month", &report.this_month)}
                {row("Last 30 days", &report.last_30_days)}
            </tbody>
        </table>
    }
}
