//! The account button at the bottom of the sidebar (initials, name, role) and its menu
//! ("Settings", "API docs", "Sign out"). Escape closes it and returns focus to the button; arrows move between items.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::icons::{Icon, IconName};
use super::unique_id;
use crate::routes::Route;

/// The user menu. It shows what it is given and reports "Sign out"; it does not call the API.
#[component]
pub fn UserMenu(
    #[prop(into)] initials: Signal<String>,
    #[prop(into)] name: Signal<String>,
    #[prop(into)] role: Signal<String>,
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let menu_id = unique_id("user-menu");
    let controls_id = menu_id.clone();
    let wrapper = NodeRef::<leptos::html::Div>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    let menu = NodeRef::<leptos::html::Div>::new();

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    // Close on a click anywhere outside the menu.
    let outside = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let inside = match (wrapper.get_untracked(), ev.target()) {
            (Some(w), Some(t)) => t.dyn_ref::<web_sys::Node>().is_some_and(|n| w.contains(Some(n))),
            _ => false,
        };
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());

    // Move focus into the menu when it opens.
    Effect::new(move |_| {
        if open.get() {
            if let Some(first) = menu.get().and_then(|m| menu_items(&m).into_iter().next()) {
                let _ = first.focus();
            }
        }
    });

    let on_keydown = move |ev: KeyboardEvent| {
        if !open.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close(true);
            }
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                if let Some(m) = menu.get_untracked() {
                    move_focus(&menu_items(&m), ev.key() == "ArrowDown");
                }
            }
            "Tab" => close(false),
            _ => {}
        }
    };

    view! {
        <div class="user-menu" node_ref=wrapper on:keydown=on_keydown>
            <Show when=move || open.get()>
                <div class="menu" role="menu" id=menu_id.clone() aria-label="Account" node_ref=menu>
                    <a
                        class="menu-item"
                        role="menuitem"
                        href=Route::SettingsAccount.path()
                        on:click=move |_| close(false)
                    >
                        <Icon name=IconName::Settings/>
                        "Settings"
                    </a>
                    <a
                        class="menu-item"
                        role="menuitem"
                        href=Route::ApiDocs.path()
                        rel="external"
                        on:click=move |_| close(false)
                    >
                        <Icon name=IconName::Book/>
                        "API docs"
                    </a>
                    <button
                        type="button"
                        class="menu-item"
                        role="menuitem"
                        on:click=move |_| {
                            close(false);
                            on_sign_out.run(());
                        }
                    >
                        <Icon name=IconName::SignOut/>
                        "Sign out"
                    </button>
                </div>
            </Show>
            <button
                type="button"
                class="user-button"
                aria-label="Account menu"
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=controls_id
                node_ref=button
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{move || initials.get()}</span>
                <span class="user-button-text">
                    <span class="user-button-name">{move || name.get()}</span>
                    <span class="user-button-role">{move || role.get()}</span>
                </span>
                <Icon name=IconName::Selector/>
            </button>
        </div>
    }
}

fn menu_items(menu: &web_sys::HtmlDivElement) -> Vec<HtmlElement> {
    let Ok(nodes) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn move_focus(items: &[HtmlElement], forward: bool) {
    if items.is_empty() {
        return;
    }
    let active = document().active_element();
    let current = items
        .iter()
        .position(|i| active.as_ref().is_some_and(|a| a == i.as_ref() as &web_sys::Element));
    let next = match (current, forward) {
        (Some(i), true) => (i + 1) % items.len(),
        (Some(i), false) => (i + items.len() - 1) % items.len(),
        (None, true) => 0,
        (None, false) => items.len() - 1,
    };
    let _ = items[next].focus();
}
