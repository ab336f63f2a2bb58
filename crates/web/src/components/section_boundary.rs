//! `SectionBoundary`: the `Transition` + `ErrorBoundary` every section sits in. A failed fetch or a
//! thrown error shows "{Section} failed to load" with the problem and a Retry button; the rest of the
//! page (sidebar included) keeps working.

use audienceos_shared::Problem;
use leptos::prelude::*;

use super::button::{Button, ButtonKind};
use super::error_view::ErrorView;
use super::icons::{Icon, IconName};
use super::spinner::LoadingBlock;
use crate::api::ApiError;

/// Wraps a section whose children read `LocalResource`s (typically through `Suspend`) and return
/// `Result<_, ApiError>`.
#[component]
pub fn SectionBoundary(
    /// The section's name as the user knows it: "API keys", "Dashboard".
    section: &'static str,
    /// Refetches the section's data (usually `resource.refetch()`).
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    let retrying = RwSignal::new(false);
    view! {
        <Transition
            fallback=move || view! { <LoadingBlock label=format!("Loading {}…", section_noun(section))/> }
            set_pending=retrying
        >
            <ErrorBoundary fallback=move |errors| {
                let problem = Signal::derive(move || first_problem(&errors.get()));
                view! {
                    <section class="section-error" aria-labelledby=format!("{}-error", slug(section))>
                        <div class="section-error-icon"><Icon name=IconName::Alert/></div>
                        <div class="section-error-body">
                            <h3 id=format!("{}-error", slug(section))>{format!("{section} failed to load")}</h3>
                            {move || problem.get().map(|p| view! { <ErrorView problem=p/> })}
                            {on_retry
                                .map(|retry| {
                                    view! {
                                        <Button
                                            kind=ButtonKind::Secondary
                                            small=true
                                            pending=retrying
                                            on_click=Callback::new(move |_| retry.run(()))
                                        >
                                            "Retry"
                                        </Button>
                                    }
                                })}
                        </div>
                    </section>
                }
            }>{children()}</ErrorBoundary>
        </Transition>
    }
}

/// The first error of a boundary as a problem (an `ApiError`'s own, or a generic one).
fn first_problem(errors: &Errors) -> Option<Problem> {
    errors
        .iter()
        .next()
        .map(|(_, err)| match err.downcast_ref::<ApiError>() {
            Some(api) => api.0.clone(),
            None => Problem::client("unexpected", "Something went wrong", err.to_string()),
        })
}

fn section_noun(section: &str) -> String {
    if section.chars().take(3).all(|c| c.is_uppercase()) {
        section.to_string()
    } else {
        section.to_lowercase()
    }
}

fn slug(section: &str) -> String {
    section
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
