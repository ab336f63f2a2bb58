//! The side drawer of a detail view (a client, an onboarding): focus moves to its close button when it
//! opens and back to what opened it when it closes; Escape and the close button call `on_close`.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use super::icons::{Icon, IconName};

/// `<aside class="drawer">` with its toolbar (eyebrow + close) and a scrolling body.
#[component]
pub fn Drawer(
    /// The landmark's accessible name, e.g. "Client details".
    label: &'static str,
    /// The small heading of the toolbar, e.g. "Client".
    eyebrow: &'static str,
    /// The close button's accessible name, e.g. "Close client details".
    close_label: &'static str,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let close_button = NodeRef::<leptos::html::Button>::new();
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map(SendWrapper::new);
    request_animation_frame(move || {
        if let Some(b) = close_button.get_untracked() {
            let _ = b.focus();
        }
    });
    on_cleanup(move || {
        if let Some(o) = opener {
            if o.is_connected() {
                let _ = o.focus();
            }
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };
    view! {
        <aside class="drawer" aria-label=label on:keydown=on_keydown>
            <div class="drawer-toolbar">
                <span class="eyebrow">{eyebrow}</span>
                <button
                    type="button"
                    class="icon-btn"
                    aria-label=close_label
                    node_ref=close_button
                    on:click=move |_| on_close.run(())
                >
                    <Icon name=IconName::Close/>
                </button>
            </div>
            <div class="drawer-body">{children()}</div>
        </aside>
    }
}
