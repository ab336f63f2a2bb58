//! The button of the design system: kinds (primary, secondary, ghost, danger), sizes, and a pending
//! state that disables it and, when asked, swaps its text (e.g. "Working…").

use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::spinner::Spinner;

/// Visual weight of a button.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ButtonKind {
    #[default]
    Primary,
    Secondary,
    Ghost,
    Danger,
}

impl ButtonKind {
    fn class(self) -> &'static str {
        match self {
            ButtonKind::Primary => "btn btn-primary",
            ButtonKind::Secondary => "btn btn-secondary",
            ButtonKind::Ghost => "btn btn-ghost",
            ButtonKind::Danger => "btn btn-danger",
        }
    }
}

/// A `<button>`. While `pending` it is disabled and `aria-busy`; with `pending_label` its visible
/// text (and accessible name) becomes that label, otherwise a spinner is added next to the text.
#[component]
pub fn Button(
    #[prop(optional)] kind: ButtonKind,
    /// `button` (default) or `submit`.
    #[prop(default = "button")]
    button_type: &'static str,
    #[prop(optional, into)] pending: Signal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] pending_label: Option<&'static str>,
    #[prop(optional)] small: bool,
    /// Stretch to the container's width (auth forms).
    #[prop(optional)]
    block: bool,
    #[prop(optional)] on_click: Option<Callback<MouseEvent>>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Button>,
    children: Children,
) -> impl IntoView {
    let class = format!(
        "{}{}{}",
        kind.class(),
        if small { " btn-sm" } else { "" },
        if block { " btn-block" } else { "" }
    );
    let swap = pending_label.is_some();
    view! {
        <button
            type=button_type
            class=class
            node_ref=node_ref
            disabled=move || pending.get() || disabled.get()
            aria-busy=move || pending.get().then_some("true")
            on:click=move |ev| {
                if let Some(cb) = on_click {
                    cb.run(ev);
                }
            }
        >
            <Show when=move || pending.get() && !swap>
                <Spinner small=true/>
            </Show>
            <span class="btn-label" hidden=move || swap && pending.get()>
                {children()}
            </span>
            {pending_label
                .map(|label| {
                    view! {
                        <span class="btn-label" hidden=move || !pending.get()>
                            <Spinner small=true/>
                            {label}
                        </span>
                    }
                })}
        </button>
    }
}
