//! The menu button of narrow screens: below the shell's breakpoint (`app.css`, "Responsive layout") the
//! main navigation hides behind it. The button says whether the panel is open (`aria-expanded`) and
//! which element it shows (`aria-controls`). Opening moves focus to the panel's first link; Escape closes
//! it and returns focus to the button; a click outside, focus leaving the panel or following one of its
//! links closes it (after a link, focus goes to the page content). On wide screens the button is hidden
//! and the panel is always shown, so none of this applies.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

/// The menu button. `open` is the panel's state, shared with the element whose id is `controls` (the
/// shell styles that element by it); `content` is the id of the element to focus after a navigation.
#[component]
pub fn NavToggle(open: RwSignal<bool>, controls: &'static str, content: &'static str) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    let location = use_location();

    let in_panel = move |node: Option<&web_sys::Node>| {
        let panel = document().get_element_by_id(controls);
        matches!((panel, node), (Some(p), Some(n)) if p.contains(Some(n)))
    };
    let in_button = move |node: Option<&web_sys::Node>| {
        let b = button.get_untracked();
        matches!((b, node), (Some(b), Some(n)) if b.contains(Some(n)))
    };
    let focus_id = |id: &str| {
        if let Some(el) = document().get_element_by_id(id) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    };
    let focus_button = move || {
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    // Closing hides the panel: if focus was in it, it goes to `to` instead of being lost to the page.
    let close = move |to: Option<&'static str>| {
        if !open.get_untracked() {
            return;
        }
        let had_focus = in_panel(document().active_element().map(Into::into).as_ref());
        open.set(false);
        if had_focus {
            match to {
                Some(id) => focus_id(id),
                None => focus_button(),
            }
        }
    };

    // Opening: focus the first link of the panel once it is drawn.
    Effect::new(move |_| {
        if open.get() {
            request_animation_frame(move || {
                let first = document()
                    .get_element_by_id(controls)
                    .and_then(|p| p.query_selector("a[href], button").ok().flatten());
                if let Some(el) = first {
                    let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            });
        }
    });

    // A navigation (a link in the panel, the back button, a link elsewhere) closes the panel.
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            close(Some(content));
        }
        path
    });

    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if open.get_untracked() && ev.key() == "Escape" {
            ev.prevent_default();
            open.set(false);
            focus_button();
        }
    });
    let clicks = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        if in_button(target.as_ref()) {
            return;
        }
        if !in_panel(target.as_ref()) {
            open.set(false);
            return;
        }
        // A link of the panel, even one to the page already shown.
        let on_link = target
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
            .is_some();
        if on_link {
            close(Some(content));
        }
    });
    // Tab (or Shift+Tab) out of the panel closes it: the panel covers the page it would move into.
    let focus = window_event_listener(leptos::ev::focusin, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        if !in_panel(target.as_ref()) && !in_button(target.as_ref()) {
            open.set(false);
        }
    });
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
        focus.remove();
    });

    view! {
        <button
            type="button"
            class="icon-btn nav-toggle"
            aria-label="Menu"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            aria-controls=controls
            node_ref=button
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <svg
                class="icon"
                viewBox="0 0 24 24"
                width="18"
                height="18"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                aria-hidden="true"
                focusable="false"
            >
                {move || {
                    if open.get() {
                        view! { <path d="M18 6 6 18M6 6l12 12"></path> }.into_any()
                    } else {
                        view! { <path d="M4 6h16M4 12h16M4 18h16"></path> }.into_any()
                    }
                }}
            </svg>
        </button>
        <Show when=move || open.get()>
            <div class="nav-backdrop" aria-hidden="true"></div>
        </Show>
    }
}
