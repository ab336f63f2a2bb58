//! The page for a path the app does not know.

use leptos::prelude::*;

use crate::routes::Route;

/// 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
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
}
