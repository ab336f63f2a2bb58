//! One thread: its header with the team's actions (read/unread, needs reply / mark done, assignee), the
//! messages and internal notes oldest first, the replies not sent yet (failed ones with Retry), and the
//! composer. A `region` named "Thread". Opening it marks it read once.

use audienceos_shared::communications::{Reply, ReplyStatus, Thread, ThreadSummary, UpdateThread};
use audienceos_shared::team::TeamMember;
use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::composer::Composer;
use super::logic::{platform_badge, reply_target, sender_text, thread_title, timeline, unsent_replies, Entry};
use crate::api::communications::{add_thread_note, get_thread, retry_reply, update_thread};
use crate::api::team::list_members;
use crate::api::ApiError;
use crate::components::button::{Button, ButtonKind};
use crate::components::error_view::ErrorView;
use crate::components::icons::{Icon, IconName};
use crate::components::spinner::LoadingBlock;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::toasts::{use_toasts, ToastKind, Toasts};

/// The view of the thread `thread_key`; re-reads it when `version` changes, and reports its own
/// changes through `on_changed` (the owner bumps the live version so lists and counts follow).
#[component]
pub fn ThreadView(
    thread_key: String,
    #[prop(into)] version: Signal<u64>,
    on_changed: Callback<()>,
    /// Shown as "Back to threads" (the narrow layout and the client tab).
    #[prop(optional)]
    on_back: Option<Callback<()>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let key = StoredValue::new(thread_key);
    let thread = RwSignal::new(None::<Thread>);
    let error = RwSignal::new(None::<ApiError>);
    let local_replies = RwSignal::new(Vec::<Reply>::new());
    let marked_read = StoredValue::new(false);
    let generation = StoredValue::new(0u64);

    let load = move || {
        let g = generation.get_value() + 1;
        generation.set_value(g);
        let k = key.get_value();
        spawn_local(async move {
            let answer = get_thread(&k).await;
            // A newer load started, or the view was closed meanwhile.
            if generation.try_get_value() != Some(g) {
                return;
            }
            match answer {
                Ok(t) => {
                    error.set(None);
                    let unread = t.summary.unread;
                    thread.set(Some(t));
                    if !marked_read.get_value() {
                        marked_read.set_value(true);
                        if unread {
                            patch(
                                key.get_value(),
                                UpdateThread {
                                    read: Some(true),
                                    ..Default::default()
                                },
                                thread,
                                on_changed,
                                toasts,
                            );
                        }
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        version.track();
        load();
    });

    let target = Signal::derive(move || thread.with(|t| t.as_ref().and_then(|t| reply_target(&t.messages))));
    let on_reply = Callback::new(move |reply: Reply| {
        local_replies.update(|l| {
            l.retain(|r| r.id != reply.id);
            l.push(reply);
        });
        on_changed.try_run(());
    });

    view! {
        <section class="thread-view" role="region" aria-label="Thread">
            {on_back
                .map(|back| {
                    view! {
                        <button type="button" class="btn btn-ghost btn-sm thread-back" on:click=move |_| back.run(())>
                            <Icon name=IconName::ChevronLeft/>
                            "Back to threads"
                        </button>
                    }
                })}
            {move || match (thread.with(Option::is_some), error.get()) {
                (false, Some(e)) => view! {
                    <section class="section-error" aria-label="Thread failed to load">
                        <div class="section-error-icon"><Icon name=IconName::Alert/></div>
                        <div class="section-error-body">
                            <h3>"Thread failed to load"</h3>
                            <ErrorView problem=e.0/>
                            <Button kind=ButtonKind::Secondary small=true on_click=Callback::new(move |_| load())>
                                "Retry"
                            </Button>
                        </div>
                    </section>
                }
                .into_any(),
                (false, None) => view! { <LoadingBlock label="Loading thread…"/> }.into_any(),
                (true, _) => ().into_any(),
            }}
            <Show when=move || thread.with(Option::is_some)>
                <ThreadHeader thread=thread on_changed=on_changed/>
                <Timeline thread=thread local_replies=local_replies on_reply=on_reply/>
                <Composer target=target on_reply=on_reply/>
                <NoteForm thread_key=key.get_value() thread=thread on_changed=on_changed/>
            </Show>
        </section>
    }
}

/// PATCHes the thread; the answer (its new summary) is shown at once, then the owner reloads.
fn patch(key: String, body: UpdateThread, thread: RwSignal<Option<Thread>>, on_changed: Callback<()>, toasts: Toasts) {
    spawn_local(async move {
        match update_thread(&key, &body).await {
            Ok(summary) => {
                thread.update(|t| {
                    if let Some(t) = t.as_mut() {
                        t.summary = summary;
                    }
                });
                on_changed.try_run(());
            }
            Err(e) => toasts.push(
                ToastKind::Error,
                format!("Could not update the thread: {}", e.message()),
            ),
        }
    });
}

#[component]
fn ThreadHeader(thread: RwSignal<Option<Thread>>, on_changed: Callback<()>) -> impl IntoView {
    let summary = Memo::new(move |_| thread.with(|t| t.as_ref().map(|t| t.summary.clone())));
    let toasts = use_toasts();
    let members = LocalResource::new(|| list_members(None));
    let with_summary = move |f: &dyn Fn(&ThreadSummary) -> UpdateThread| {
        if let Some(s) = summary.get_untracked() {
            patch(s.key.clone(), f(&s), thread, on_changed, toasts);
        }
    };
    let toggle_read = move |_| {
        with_summary(&|s| UpdateThread {
            read: Some(s.unread),
            ..Default::default()
        })
    };
    let toggle_needs_reply = move |_| {
        with_summary(&|s| UpdateThread {
            needs_reply: Some(!s.needs_reply),
            ..Default::default()
        })
    };
    let on_assign = move |ev| {
        let value = event_target_value(&ev);
        let assignee = Uuid::parse_str(&value).ok();
        with_summary(&|_| UpdateThread {
            assigned_to: Some(assignee),
            ..Default::default()
        })
    };
    move || {
        summary.get().map(|s| {
            let (platform, icon) = platform_badge(&s.platform);
            let assigned = s.assigned_to;
            view! {
                <header class="thread-header">
                    <div class="thread-heading">
                        <h2 class="thread-subject">{thread_title(s.subject.as_deref(), &s.snippet)}</h2>
                        <p class="thread-meta muted">
                            <span class="badge badge-neutral comm-platform"><Icon name=icon/>{platform}</span>
                            <span>{s.client_name.clone()}</span>
                            {s.needs_reply.then(|| view! { <span class="badge badge-warning">"Needs reply"</span> })}
                            {s.unread.then(|| view! { <span class="badge badge-accent">"Unread"</span> })}
                        </p>
                    </div>
                    <div class="thread-actions">
                        <button type="button" class="btn btn-secondary btn-sm" on:click=toggle_read>
                            {if s.unread { "Mark read" } else { "Mark unread" }}
                        </button>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=toggle_needs_reply>
                            <Icon name=if s.needs_reply { IconName::Check } else { IconName::Bell }/>
                            {if s.needs_reply { "Mark done" } else { "Mark needs reply" }}
                        </button>
                        <label class="thread-assign">
                            <span class="sr-only">"Assignee"</span>
                            <select class="input select input-sm" on:change=on_assign>
                                <option value="" selected=assigned.is_none()>"Unassigned"</option>
                                {move || {
                                    members
                                        .get()
                                        .and_then(Result::ok)
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|m: TeamMember| {
                                            let id = m.id;
                                            view! {
                                                <option value=id.to_string() selected=assigned == Some(id)>
                                                    {m.name()}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        </label>
                    </div>
                </header>
            }
        })
    }
}

#[component]
fn Timeline(
    thread: RwSignal<Option<Thread>>,
    local_replies: RwSignal<Vec<Reply>>,
    on_reply: Callback<Reply>,
) -> impl IntoView {
    let tz = StoredValue::new(agency_time_zone());
    let entries = Memo::new(move |_| {
        thread.with(|t| {
            t.as_ref()
                .map(|t| timeline(t.messages.clone(), t.notes.clone()))
                .unwrap_or_default()
        })
    });
    let unsent = Memo::new(move |_| {
        let from_thread = thread.with(|t| t.as_ref().map(|t| t.replies.clone()).unwrap_or_default());
        local_replies.with(|l| unsent_replies(&from_thread, l))
    });
    view! {
        <ol class="thread-timeline" aria-label="Conversation">
            <For
                each=move || entries.get()
                key=|e| match e {
                    Entry::Message(m) => m.id,
                    Entry::Note(n) => n.id,
                }
                let:entry
            >
                {match entry {
                    Entry::Message(m) => {
                        let sender = sender_text(m.sender_name.as_deref(), m.sender_email.as_deref());
                        let when = format::relative(&m.received_at, &Utc::now(), &tz.get_value());
                        let exact = format::date_time(&m.received_at, &tz.get_value());
                        let inbound = m.is_inbound;
                        view! {
                            <li class=if inbound { "msg msg-inbound" } else { "msg msg-outbound" }>
                                <div class="msg-meta">
                                    <span class="msg-sender">{sender}</span>
                                    <time class="muted small" datetime=m.received_at.to_rfc3339() title=exact>{when}</time>
                                    {(!inbound).then(|| view! {
                                        <span class="reply-status reply-status-sent"><Icon name=IconName::Check/>"Sent"</span>
                                    })}
                                </div>
                                <p class="msg-body">{if m.body.trim().is_empty() { m.snippet } else { m.body }}</p>
                            </li>
                        }
                        .into_any()
                    }
                    Entry::Note(n) => {
                        let when = format::relative(&n.created_at, &Utc::now(), &tz.get_value());
                        view! {
                            <li class="msg msg-note">
                                <div class="msg-meta">
                                    <span class="badge badge-neutral"><Icon name=IconName::Lock/>"Internal note"</span>
                                    <span class="muted small">{when}</span>
                                </div>
                                <p class="msg-body">{n.body}</p>
                            </li>
                        }
                        .into_any()
                    }
                }}
            </For>
            <For each=move || unsent.get() key=|r| (r.id, r.updated_at, r.status) let:reply>
                <UnsentReply reply=reply on_reply=on_reply/>
            </For>
        </ol>
    }
}

/// A reply being sent ("Sending…") or failed ("Failed", why, and Retry).
#[component]
fn UnsentReply(reply: Reply, on_reply: Callback<Reply>) -> impl IntoView {
    let toasts = use_toasts();
    let retrying = RwSignal::new(false);
    let id = reply.id;
    let retry = Callback::new(move |_| {
        if retrying.get_untracked() {
            return;
        }
        retrying.set(true);
        spawn_local(async move {
            let answer = retry_reply(id).await;
            retrying.set(false);
            match answer {
                Ok(r) => {
                    on_reply.try_run(r);
                }
                Err(e) => toasts.push(ToastKind::Error, format!("Could not retry the reply: {}", e.message())),
            }
        });
    });
    let failed = reply.status == ReplyStatus::Failed;
    view! {
        <li class="msg msg-outbound" class:msg-failed=failed>
            <div class="msg-meta">
                <span class="msg-sender">"You"</span>
                {if failed {
                    view! { <span class="reply-status reply-status-failed"><Icon name=IconName::Alert/>"Failed"</span> }
                        .into_any()
                } else {
                    view! { <span class="reply-status"><Icon name=IconName::Clock/>"Sending…"</span> }.into_any()
                }}
            </div>
            <p class="msg-body">{reply.body}</p>
            {failed
                .then(|| {
                    view! {
                        <div class="reply-failure" role="alert">
                            <p class="field-error">{reply.error.unwrap_or_else(|| "The provider did not accept the reply.".into())}</p>
                            <Button kind=ButtonKind::Secondary small=true pending=retrying on_click=retry>
                                "Retry"
                            </Button>
                        </div>
                    }
                })}
        </li>
    }
}

/// "Add internal note": a note for the team on this thread, never sent.
#[component]
fn NoteForm(thread_key: String, thread: RwSignal<Option<Thread>>, on_changed: Callback<()>) -> impl IntoView {
    let key = StoredValue::new(thread_key);
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let save = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() || saving.get_untracked() {
            return;
        }
        saving.set(true);
        let k = key.get_value();
        spawn_local(async move {
            let answer = add_thread_note(&k, body).await;
            saving.set(false);
            match answer {
                Ok(note) => {
                    thread.update(|t| {
                        if let Some(t) = t.as_mut() {
                            t.notes.push(note);
                        }
                    });
                    text.set(String::new());
                    open.set(false);
                    on_changed.try_run(());
                }
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    let id = crate::components::unique_id("note");
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! {
                <button type="button" class="btn btn-ghost btn-sm thread-add-note" on:click=move |_| open.set(true)>
                    <Icon name=IconName::Lock/>
                    "Add internal note"
                </button>
            }
        >
            <form
                class="composer note-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <label class="composer-label" for=id.clone()>"Internal note"</label>
                <textarea
                    id=id.clone()
                    class="input textarea"
                    rows="2"
                    placeholder="Only your team sees notes."
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        problem.set(None);
                    }
                ></textarea>
                <p class="field-error" role="alert">{move || problem.get()}</p>
                <div class="composer-actions">
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| open.set(false)>"Cancel"</button>
                    <Button kind=ButtonKind::Secondary small=true button_type="submit" pending=saving>
                        "Add note"
                    </Button>
                </div>
            </form>
        </Show>
    }
}
