//! How a `Problem` looks on screen: its title, detail, per-field errors and the request id to quote.

use audienceos_shared::Problem;
use leptos::prelude::*;

/// The body of an error panel for one problem.
#[component]
pub fn ErrorView(problem: Problem) -> impl IntoView {
    let Problem {
        title,
        detail,
        request_id,
        errors,
        ..
    } = problem;
    view! {
        <div class="problem">
            <p class="problem-title">{title}</p>
            {detail.map(|d| view! { <p class="problem-detail">{d}</p> })}
            {(!errors.is_empty())
                .then(|| {
                    view! {
                        <ul class="problem-fields">
                            {errors
                                .into_iter()
                                .map(|e| view! { <li><code>{e.field}</code>" "{e.message}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
            {request_id
                .map(|id| {
                    view! {
                        <p class="problem-request-id">"Request id: "<code>{id}</code></p>
                    }
                })}
        </div>
    }
}
