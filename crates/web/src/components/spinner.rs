//! Loading indicators: an inline spinner and the full-page one shown while the session loads.

use leptos::prelude::*;

/// A small rotating ring; decorative (the surrounding text or `aria-busy` says what is loading).
#[component]
pub fn Spinner(#[prop(optional)] small: bool) -> impl IntoView {
    view! { <span class=if small { "spinner spinner-sm" } else { "spinner" } aria-hidden="true"></span> }
}

/// A spinner with a visible label, centered in its section.
#[component]
pub fn LoadingBlock(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="loading-block" role="status" aria-live="polite">
            <Spinner/>
            <span>{label}</span>
        </div>
    }
}

/// The whole viewport while `GET /auth/me` answers.
#[component]
pub fn FullPageSpinner() -> impl IntoView {
    view! {
        <div class="full-page-center" role="status" aria-live="polite" aria-busy="true">
            <span class="logo-mark logo-mark-lg" aria-hidden="true">"A"</span>
            <Spinner/>
            <span class="sr-only">"Loading AudienceOS…"</span>
        </div>
    }
}
