//! Entry point of the SPA: installs the panic hooks and mounts [`app::App`] on `<body>`.
//! Everything else lives in the modules below.

mod ad_metrics;
mod api;
mod app;
mod components;
mod format;
mod modals;
mod pages;
mod routes;
mod state;
mod wording;

use wasm_bindgen::JsCast;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_screen();
    }));
    leptos::mount::mount_to_body(app::App);
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
