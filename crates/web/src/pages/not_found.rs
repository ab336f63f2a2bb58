//! The page for a path the app does not know: inside the app shell for a signed-in user (the sidebar
//! stays, so the way back is where it always is), a card of its own for everyone else.

use leptos::prelude::*;

use crate::components::icons::{Icon, IconName};
use crate::routes::Route;

/// 404. `in_shell`: drawn in the app shell's `<main>`, so it brings none of its own.
#[component]
pub fn NotFoundPage(#[prop(optional)] in_shell: bool) -> impl IntoView {
    if in_shell {
        view! {
            <div class="page not-found-page">
                <div class="empty-state not-found-state">
                    <span class="empty-icon"><Icon name=IconName::Search/></span>
                    <p class="eyebrow">"404"</p>
                    <h1 class="page-title">"Page not found"</h1>
                    <p class="muted">"The page you were looking for doesn't exist or has moved."</p>
                    <a class="btn btn-primary" href=Route::Dashboard.path()>"Go to the dashboard"</a>
                </div>
            </div>
        }
        .into_any()
    } else {
        view! {
            <main class="full-page-center">
                <div class="auth-card not-found">
                    <span class="logo-mark" aria-hidden="true">"A"</span>
                    <p class="eyebrow">"404"</p>
                    <h1 class="auth-heading">"Page not found"</h1>
                    <p class="auth-lead">"The page you were looking for doesn't exist or has moved."</p>
                    <a class="btn btn-primary" href=Route::Dashboard.path()>"Go to the dashboard"</a>
                </div>
            </main>
        }
        .into_any()
    }
}
