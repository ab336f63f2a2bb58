//! A tab of a page's sub-navigation (`<nav class="tabs">`): a link marked current on its own path.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::routes::Route;

/// One tab linking to `route`, `aria-current="page"` while the URL is exactly its path.
#[component]
pub fn TabLink(route: Route, label: &'static str) -> impl IntoView {
    let location = use_location();
    view! {
        <a
            class="tab"
            href=route.path()
            aria-current=move || (location.pathname.get() == route.path()).then_some("page")
        >
            {label}
        </a>
    }
}
