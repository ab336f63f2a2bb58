//! The centered card of the public pages (sign-in, sign-up, password reset), with the product mark.

use leptos::prelude::*;

/// Logo mark, product name, heading, optional lead text, the form, and a footer line.
#[component]
pub fn AuthCard(
    heading: &'static str,
    #[prop(optional)] lead: Option<&'static str>,
    #[prop(optional, into)] footer: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-brand">
                <span class="logo-mark" aria-hidden="true">"A"</span>
                <span class="auth-brand-name">"AudienceOS"</span>
            </div>
            <div class="auth-card">
                <h1 class="auth-heading">{heading}</h1>
                {lead.map(|l| view! { <p class="auth-lead">{l}</p> })}
                {children()}
            </div>
            {footer.map(|f| view! { <p class="auth-footer">{f.run()}</p> })}
        </main>
    }
}
