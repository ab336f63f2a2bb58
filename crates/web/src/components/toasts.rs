//! The toast stack, bottom-right: a `role="status"` live region listing the queued toasts.

use leptos::prelude::*;

use super::icons::{Icon, IconName};
use crate::state::toasts::{ToastKind, Toasts};

/// Renders the toasts of the `Toasts` context.
#[component]
pub fn ToastStack() -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items() key=|t| t.id let:toast>
                {
                    let (class, icon, word) = match toast.kind {
                        ToastKind::Success => ("toast toast-success", IconName::Check, "Success:"),
                        ToastKind::Error => ("toast toast-error", IconName::Alert, "Error:"),
                    };
                    let id = toast.id;
                    view! {
                        <div class=class>
                            <span class="toast-icon"><Icon name=icon/></span>
                            <span class="sr-only">{word}</span>
                            <p class="toast-message">{toast.message}</p>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label="Dismiss"
                                on:click=move |_| toasts.dismiss(id)
                            >
                                <Icon name=IconName::Close/>
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
