//! The one modal primitive: title, body slot, a pending-aware primary action, Cancel, and the action's
//! error inline. It never closes itself on a failed action; Escape and Cancel close it (not while the
//! action runs). Focus is trapped inside while open and returned to the opener on close.
//!
//! Feature modals use [`ActionModal`], which owns the request: it runs the feature's submit, shows the
//! button as pending while the request runs, puts a failure inline (and under the fields it names) and
//! closes only on success. [`ConfirmModal`] is the yes/no question on top of it. [`Modal`] is the bare
//! frame, for a modal without a request of its own.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::button::{Button, ButtonKind};
use super::field::{FormAlert, FormErrors};
use super::icons::{Icon, IconName};
use super::unique_id;
use crate::api::ApiResult;

/// Everything that can take focus inside the dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The request an [`ActionModal`] sends: the API call and, after it, what a success does (a toast,
/// telling the page). It fails with the problem to show.
type Request = Pin<Box<dyn Future<Output = ApiResult<()>>>>;

/// The submit of an [`ActionModal`]: a closure that reads the fields and returns the request to send,
/// or `None` when a check in the browser failed (it has put its messages in the modal's `FormErrors`).
pub struct Submit(Box<dyn Fn() -> Option<Request>>);

impl<F, Fut> From<F> for Submit
where
    F: Fn() -> Option<Fut> + 'static,
    Fut: Future<Output = ApiResult<()>> + 'static,
{
    fn from(submit: F) -> Self {
        Self(Box::new(move || submit().map(|request| Box::pin(request) as Request)))
    }
}

/// The action of a [`ConfirmModal`]: a closure that returns the request to send once confirmed.
pub struct Confirm(Box<dyn Fn() -> Request>);

impl<F, Fut> From<F> for Confirm
where
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = ApiResult<()>> + 'static,
{
    fn from(action: F) -> Self {
        Self(Box::new(move || Box::pin(action()) as Request))
    }
}

/// A modal whose primary action sends a request. The button shows "Working…" while it runs; a failure
/// stays inline (its field errors under the fields bound to `errors`) and the modal stays open; a
/// success closes it, unless `done` turned true (then it shows what the request made, with "Done").
#[component]
pub fn ActionModal(
    #[prop(into)] title: Signal<String>,
    /// Label of the primary action, e.g. "Create key".
    action_label: &'static str,
    /// Reads the fields and returns the request, or `None` after a failed check in the browser.
    /// `errors` is cleared before each submit.
    #[prop(into)]
    submit: Submit,
    /// Called on Cancel, Escape, the close button, Done, and after a successful request.
    on_close: Callback<()>,
    /// The form's errors, when the feature binds fields to them or checks fields itself.
    #[prop(optional)]
    errors: FormErrors,
    /// Style the action as destructive.
    #[prop(optional)]
    danger: bool,
    /// After a successful request that has something to show: stay open, hide the action, offer "Done".
    #[prop(optional, into)]
    done: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let submit = StoredValue::new_local(submit);
    // The request goes through the action's input so that the action owns it while it runs.
    let action = Action::new_local(move |request: &Rc<Cell<Option<Request>>>| {
        let request = request.take();
        async move {
            let Some(request) = request else {
                return;
            };
            match request.await {
                // The feature's success handling may have closed the page around the modal already.
                Ok(()) if !done.try_get_untracked().unwrap_or(false) => {
                    on_close.try_run(());
                }
                Ok(()) => {}
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });
    let on_action = Callback::new(move |_| {
        errors.clear();
        if let Some(request) = submit.with_value(|submit| (submit.0)()) {
            action.dispatch_local(Rc::new(Cell::new(Some(request))));
        }
    });
    view! {
        <Modal
            title=title
            action_label=action_label
            on_action=on_action
            on_close=on_close
            pending=action.pending()
            error=errors.form()
            danger=danger
            done=done
        >
            {children()}
        </Modal>
    }
}

/// A yes/no question: the message, Cancel, and the confirming action (e.g. "Delete client"). Closes
/// only when the action's request succeeded.
#[component]
pub fn ConfirmModal(
    #[prop(into)] title: Signal<String>,
    /// Label of the confirming button.
    confirm_label: &'static str,
    /// Style the confirming button as destructive.
    #[prop(optional)]
    danger: bool,
    /// The request to send once confirmed, with what its success does.
    #[prop(into)]
    action: Confirm,
    on_close: Callback<()>,
    /// The question.
    children: Children,
) -> impl IntoView {
    view! {
        <ActionModal
            title=title
            action_label=confirm_label
            danger=danger
            on_close=on_close
            submit=move || Some((action.0)())
        >
            {children()}
        </ActionModal>
    }
}

/// The bare modal frame; mount it while it should be open (e.g. inside `<Show>`).
#[component]
pub fn Modal(
    #[prop(into)] title: Signal<String>,
    /// Label of the primary action, e.g. "Create key".
    action_label: &'static str,
    /// Runs when the primary action is submitted (button or Enter).
    #[prop(optional)]
    on_action: Option<Callback<()>>,
    /// Called on Cancel, Escape, the close button, and Done.
    on_close: Callback<()>,
    /// True while the action's request is in flight.
    #[prop(optional, into)]
    pending: Signal<bool>,
    /// The action's failure, shown inline with `role="alert"`.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// Style the action as destructive.
    #[prop(optional)]
    danger: bool,
    /// After a successful action that has something to show: hide the action, offer "Done".
    #[prop(optional, into)]
    done: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let title_id = unique_id("modal-title");
    let labelledby = title_id.clone();
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    let backdrop_ref = NodeRef::<leptos::html::Div>::new();
    let opener = active_element().map(SendWrapper::new);
    set_body_scroll_lock(true);
    on_cleanup(move || {
        set_body_scroll_lock(false);
        if let Some(opener) = opener {
            if opener.is_connected() {
                let _ = opener.focus();
            }
        }
    });

    // Focus the first field (or button) once the dialog is in the document.
    Effect::new(move |_| {
        if let Some(dialog) = dialog_ref.get() {
            let first = dialog
                .query_selector(".modal-body input, .modal-body select, .modal-body textarea")
                .ok()
                .flatten()
                .or_else(|| focusables(&dialog).into_iter().next().map(Into::into));
            if let Some(el) = first.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });

    let close = move || {
        if !pending.get_untracked() {
            on_close.run(());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            close();
        }
        "Tab" => {
            if let Some(dialog) = dialog_ref.get_untracked() {
                trap_tab(&dialog, &ev);
            }
        }
        _ => {}
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if done.get_untracked() {
            on_close.run(());
        } else if let Some(on_action) = on_action.filter(|_| !pending.get_untracked()) {
            on_action.run(());
        }
    };
    let action_kind = if danger {
        ButtonKind::Danger
    } else {
        ButtonKind::Primary
    };

    view! {
        // A mouse-down on the backdrop itself keeps focus where it is, so it never leaves the dialog.
        <div
            class="modal-backdrop"
            node_ref=backdrop_ref
            on:mousedown=move |ev| {
                let on_backdrop = match (ev.target(), backdrop_ref.get_untracked()) {
                    (Some(target), Some(backdrop)) => backdrop.is_same_node(target.dyn_ref::<web_sys::Node>()),
                    _ => false,
                };
                if on_backdrop {
                    ev.prevent_default();
                }
            }
        >
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelledby
                node_ref=dialog_ref
                on:keydown=on_keydown
            >
                <form class="modal-form" on:submit=on_submit novalidate=true>
                    <header class="modal-header">
                        <h2 class="modal-title" id=title_id>{move || title.get()}</h2>
                        <button
                            type="button"
                            class="icon-btn"
                            aria-label="Close"
                            disabled=move || pending.get()
                            on:click=move |_| close()
                        >
                            <Icon name=IconName::Close/>
                        </button>
                    </header>
                    <div class="modal-body">
                        {children()}
                        <FormAlert message=error/>
                    </div>
                    <footer class="modal-footer">
                        <Show
                            when=move || done.get()
                            fallback=move || {
                                view! {
                                    <Button
                                        kind=ButtonKind::Secondary
                                        disabled=pending
                                        on_click=Callback::new(move |_| close())
                                    >
                                        "Cancel"
                                    </Button>
                                    <Button
                                        kind=action_kind
                                        button_type="submit"
                                        pending=pending
                                        pending_label="Working…"
                                    >
                                        {action_label}
                                    </Button>
                                }
                            }
                        >
                            <Button kind=ButtonKind::Primary button_type="submit">
                                "Done"
                            </Button>
                        </Show>
                    </footer>
                </form>
            </div>
        </div>
    }
}

fn active_element() -> Option<HtmlElement> {
    document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
}

fn set_body_scroll_lock(on: bool) {
    if let Some(body) = document().body() {
        let list = body.class_list();
        let _ = if on {
            list.add_1("modal-open")
        } else {
            list.remove_1("modal-open")
        };
    }
}

fn focusables(dialog: &web_sys::HtmlDivElement) -> Vec<HtmlElement> {
    let Ok(nodes) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        // Skip elements inside `hidden` ancestors (they have no layout box).
        .filter(|e| e.offset_parent().is_some())
        .collect()
}

/// Keep Tab and Shift+Tab cycling inside the dialog.
fn trap_tab(dialog: &web_sys::HtmlDivElement, ev: &KeyboardEvent) {
    let items = focusables(dialog);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        ev.prevent_default();
        return;
    };
    let active = active_element();
    let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a.as_ref())));
    let target = if ev.shift_key() {
        (!inside || active.as_ref() == Some(first)).then_some(last)
    } else {
        (!inside || active.as_ref() == Some(last)).then_some(first)
    };
    if let Some(target) = target {
        ev.prevent_default();
        let _ = target.focus();
    }
}
