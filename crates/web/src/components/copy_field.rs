//! A read-only input with a Copy button: a secret or a link shown once (API keys, intake links).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::button::{Button, ButtonKind};
use super::icons::{Icon, IconName};
use super::unique_id;

/// `label`, the value selected on focus, and "Copy" (clipboard API, else select + execCommand).
#[component]
pub fn CopyField(
    label: &'static str,
    #[prop(into)] value: String,
    /// What the copy confirms, e.g. "Copied to the clipboard."
    #[prop(default = "Copied to the clipboard.")]
    copied_message: &'static str,
) -> impl IntoView {
    let id = unique_id("copy");
    let input = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let text = value.clone();
    let copy = Callback::new(move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let ok = copy_to_clipboard(&text).await || copy_by_selection(input);
            copied.set(Some(if ok {
                copied_message
            } else {
                "Select the text and press Ctrl+C (⌘C) to copy it."
            }));
        });
    });
    view! {
        <div class="field">
            <label class="field-label" for=id.clone()>{label}</label>
            <div class="input-group">
                <input
                    id=id
                    class="input input-mono"
                    readonly=true
                    node_ref=input
                    prop:value=value
                    on:focus=move |_| {
                        if let Some(i) = input.get_untracked() {
                            i.select();
                        }
                    }
                />
                <Button kind=ButtonKind::Secondary on_click=copy>
                    <Icon name=IconName::Copy/>
                    "Copy"
                </Button>
            </div>
            <p class="field-hint" role="status">{move || copied.get()}</p>
        </div>
    }
}

/// `navigator.clipboard.writeText`, false when unavailable or refused.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = window.navigator().clipboard();
    if clipboard.is_undefined() {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// The old way: select the input and `document.execCommand("copy")`.
fn copy_by_selection(input: NodeRef<leptos::html::Input>) -> bool {
    let Some(el) = input.get_untracked() else {
        return false;
    };
    el.select();
    document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}
