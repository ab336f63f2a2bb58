//! `SectionBoundary`: the `Transition` + `ErrorBoundary` every section sits in. It owns the section's
//! resource: while it first loads it shows "Loading …"; when the fetch fails it shows "{Section}
//! failed to load" with the problem and a Retry button; anything else a child throws lands in the
//! `ErrorBoundary` with the same fallback. The rest of the page (sidebar included) keeps working.
//!
//! A failed fetch is deliberately *not* rendered as a thrown `Err` for the `ErrorBoundary` to catch.
//! A `Result` rendered inside a `Suspend` is thrown after an `.await`, into whatever error hook the
//! thread-local `throw_error` slot holds at that moment, and Leptos sets that slot with guards held
//! across awaits in concurrently running tasks. When a page is left while its own `Suspend` is still
//! pending (Settings > Account, then straight to API keys), that task restores a stale hook after the
//! new section's task installed its own, so the error went to no boundary (or a disposed one) and the
//! section rendered nothing. Here the failure is read from the resource itself and rendered by this
//! component, which does not depend on which task ran last.

use audienceos_shared::Problem;
use leptos::prelude::*;

use super::button::{Button, ButtonKind};
use super::error_view::ErrorView;
use super::icons::{Icon, IconName};
use super::spinner::LoadingBlock;
use crate::api::{ApiError, ApiResult};

/// Loads `resource` and renders `children` with its data (`let:data`), or the section's fallback
/// when the fetch failed. Retry refetches the resource and keeps the current view until it answers.
#[component]
pub fn SectionBoundary<T, F, V>(
    /// The section's name as the user knows it: "API keys", "Dashboard".
    section: &'static str,
    /// The section's data.
    resource: LocalResource<ApiResult<T>>,
    /// The view of the loaded data.
    children: F,
    /// A placeholder in the shape of the data to show while it first loads, instead of "Loading …".
    #[prop(optional, into)]
    skeleton: Option<ViewFn>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let retrying = RwSignal::new(false);
    let retry = Callback::new(move |_| resource.refetch());
    // The last answer's problem, if it failed. A refetch keeps the previous answer until the new one
    // arrives, so the fallback (with its pending Retry) stays up while retrying.
    let failure = Memo::new(move |_| resource.map(|r| r.as_ref().err().map(|e| e.0.clone())).flatten());

    view! {
        <Transition
            fallback=move || match skeleton.clone() {
                Some(placeholder) => placeholder.run(),
                None => view! { <LoadingBlock label=format!("Loading {}…", section_noun(section))/> }.into_any(),
            }
            set_pending=retrying
        >
            {move || {
                failure
                    .get()
                    .map(|problem| {
                        view! {
                            <SectionFallback
                                section=section
                                problem=Signal::stored(Some(problem))
                                retry=retry
                                retrying=retrying
                            />
                        }
                    })
            }}
            <ErrorBoundary fallback=move |errors| {
                view! {
                    <SectionFallback
                        section=section
                        problem=Signal::derive(move || first_problem(&errors.get()))
                        retry=retry
                        retrying=retrying
                    />
                }
            }>
                {move || {
                    let children = children.clone();
                    // A failure renders nothing here: the fallback above shows it.
                    Suspend::new(async move { resource.await.ok().map(children) })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// "{Section} failed to load", the problem and Retry.
#[component]
fn SectionFallback(
    section: &'static str,
    problem: Signal<Option<Problem>>,
    retry: Callback<()>,
    retrying: RwSignal<bool>,
) -> impl IntoView {
    let heading_id = format!("{}-error", slug(section));
    let labelled_by = heading_id.clone();
    view! {
        <section class="section-error" aria-labelledby=labelled_by>
            <div class="section-error-icon"><Icon name=IconName::Alert/></div>
            <div class="section-error-body">
                <h3 id=heading_id>{format!("{section} failed to load")}</h3>
                {move || problem.get().map(|p| view! { <ErrorView problem=p/> })}
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=retrying
                    on_click=Callback::new(move |_| retry.run(()))
                >
                    "Retry"
                </Button>
            </div>
        </section>
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
