//! The reply composer: a textarea labelled "Reply" and "Send reply" (Ctrl/Cmd+Enter too). One
//! `Idempotency-Key` per composed reply, reused while the text is unchanged, so a double click or a
//! re-submit after a lost answer never sends twice. A problem (not connected, invalid) shows inline and
//! keeps the text; any saved reply (sent, queued or failed) clears it and is handed to the thread view.

use audienceos_shared::communications::{NewReply, Reply};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use validator::Validate;

use crate::api::communications::send_reply;
use crate::components::button::{Button, ButtonKind};
use crate::components::unique_id;

/// The composer's textarea, for the `r` shortcut.
pub const COMPOSER_SELECTOR: &str = ".composer textarea";

/// The key for sending `text`: the stored one if it was made for the same text, else a new one.
pub fn idempotency_key(stored: Option<&(String, Uuid)>, text: &str, fresh: impl FnOnce() -> Uuid) -> Uuid {
    match stored {
        Some((t, key)) if t == text => *key,
        _ => fresh(),
    }
}

/// The composer. `target` is the message replied to (the thread's latest).
#[component]
pub fn Composer(#[prop(into)] target: Signal<Option<Uuid>>, on_reply: Callback<Reply>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let key = StoredValue::new(None::<(String, Uuid)>);
    let sending = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let id = unique_id("reply");
    let error_id = format!("{id}-error");

    let send = move || {
        if sending.get_untracked() {
            return;
        }
        let body = text.get_untracked();
        let invalid = NewReply { body: body.clone() }.validate().is_err();
        if invalid || body.trim().is_empty() {
            problem.set(Some("Write a reply first.".into()));
            return;
        }
        let Some(message_id) = target.get_untracked() else {
            problem.set(Some("This thread has no message to reply to.".into()));
            return;
        };
        let idem = idempotency_key(key.get_value().as_ref(), &body, Uuid::now_v7);
        key.set_value(Some((body.clone(), idem)));
        sending.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = send_reply(message_id, idem, body).await;
            sending.set(false);
            match answer {
                Ok(reply) => {
                    text.set(String::new());
                    key.set_value(None);
                    on_reply.try_run(reply);
                }
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };

    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            send();
        }
    };

    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <label class="composer-label" for=id.clone()>"Reply"</label>
            <textarea
                id=id
                class="input textarea composer-input"
                rows="3"
                placeholder="Write a reply…"
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                aria-describedby=error_id.clone()
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    problem.set(None);
                }
                on:keydown=on_keydown
            ></textarea>
            <p class="field-error" id=error_id role="alert">{move || problem.get()}</p>
            <div class="composer-actions">
                <span class="muted small">"Ctrl+Enter to send"</span>
                <Button
                    kind=ButtonKind::Primary
                    button_type="submit"
                    pending=sending
                    pending_label="Sending…"
                    disabled=Signal::derive(move || target.with(Option::is_none))
                >
                    "Send reply"
                </Button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_reused_for_the_same_text_only() {
        let k1 = Uuid::from_u128(1);
        let fresh = || Uuid::from_u128(2);
        let stored = ("Thanks!".to_string(), k1);
        assert_eq!(idempotency_key(Some(&stored), "Thanks!", fresh), k1);
        assert_eq!(idempotency_key(Some(&stored), "Thanks!!", fresh), Uuid::from_u128(2));
        assert_eq!(idempotency_key(None, "Thanks!", fresh), Uuid::from_u128(2));
    }
}
