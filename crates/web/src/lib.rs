//! The AudienceOS SPA, built as three wasm modules that share this library ([`routes::Entry`]):
//!
//! - `audienceos-web` (`src/main.rs`, `index.html`): the agency app, [`app::App`], with every route.
//! - `audienceos-auth` (`src/bin/audienceos-auth.rs`, `auth.html`): [`auth_app::AuthApp`], sign-in,
//!   sign-up, forgot and reset password, so signing in does not download the agency app.
//! - `audienceos-intake` (`src/bin/audienceos-intake.rs`, `intake.html`): [`pages::intake::IntakeApp`],
//!   the client's intake form alone, small for a phone.
//!
//! The server picks the HTML file by path (`crates/api/src/routes/spa.rs`, mirroring
//! [`routes::entry_of`]); going from one module to another is a full page load
//! ([`routes::load_page`]). Each binary links only what it reaches.

pub mod ad_metrics;
pub mod api;
pub mod app;
pub mod auth_app;
pub mod components;
pub mod format;
pub mod modals;
pub mod pages;
pub mod routes;
pub mod startup;
pub mod state;
pub mod wording;

use leptos::prelude::IntoView;
use wasm_bindgen::JsCast;

/// Installs the panic hooks (console message, then the crash screen) and mounts `app` on `<body>`.
pub fn start<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_screen();
    }));
    leptos::mount::mount_to_body(app);
}

/// Replaces the page with a visible fallback so a panic never leaves a blank page.
///
/// The "Reload" button is a plain GET form to the current URL, so it works without calling back into
/// the (now aborted) wasm module.
fn show_crash_screen() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    let location = document.location();
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".into());
    let search = location.and_then(|l| l.search().ok()).unwrap_or_default();
    let hidden: String = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape_html(&decode_query(k)),
                escape_html(&decode_query(v))
            )
        })
        .collect();
    body.set_inner_html(&format!(
        r#"<main class="crash" role="alert">
  <div class="crash-card">
    <span class="logo-mark" aria-hidden="true">A</span>
    <h1>Something went wrong</h1>
    <p>AudienceOS hit an unexpected error and stopped. Your data is safe; reloading the page usually fixes this.</p>
    <form method="get" action="{}">{}<button class="btn btn-primary" type="submit">Reload</button></form>
  </div>
</main>"#,
        escape_html(&path),
        hidden
    ));
    if let Ok(Some(button)) = body.query_selector("button") {
        if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
            let _ = button.focus();
        }
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn decode_query(s: &str) -> String {
    let plus_as_space = s.replace('+', " ");
    js_sys::decode_uri_component(&plus_as_space)
        .map(String::from)
        .unwrap_or(plus_as_space)
}
