//! The thread list: its state (first page, "Load more", live refresh, errors) and its view, a
//! `role=list` named "Threads" of buttons. Shared by the inbox and the client's communications tab.

use audienceos_shared::communications::ThreadSummary;
use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::logic::{platform_badge, refresh_limit, sender_text, thread_title, Filters, PAGE_SIZE};
use crate::api::communications::list_threads;
use crate::api::ApiError;
use crate::components::button::{Button, ButtonKind};
use crate::components::error_view::ErrorView;
use crate::components::icons::{Icon, IconName};
use crate::components::spinner::LoadingBlock;
use crate::format;
use crate::pages::agency_time_zone;

/// The listed threads and how they were loaded; `Copy`.
#[derive(Clone, Copy)]
pub struct ThreadList {
    pub items: RwSignal<Vec<ThreadSummary>>,
    next_cursor: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    /// Bumped by every reload, so a slower earlier answer never overwrites a newer one.
    generation: StoredValue<u64>,
    filters: Signal<Filters>,
}

impl ThreadList {
    /// Untracked: the keys in list order (for keyboard moves).
    pub fn keys(&self) -> Vec<String> {
        self.items.with_untracked(|l| l.iter().map(|t| t.key.clone()).collect())
    }

    /// Re-reads the list: from scratch (`keep` false, after a filter change) or keeping as many threads
    /// as are shown (a live refresh).
    pub fn reload(&self, keep: bool) {
        let this = *self;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let limit = if keep {
            refresh_limit(self.items.with_untracked(Vec::len))
        } else {
            PAGE_SIZE
        };
        let query = self.filters.with_untracked(|f| f.page_query(limit, None));
        self.loading.set(true);
        spawn_local(async move {
            let answer = list_threads(&query).await;
            // A newer load started, or the list was unmounted meanwhile.
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            this.loading.set(false);
            match answer {
                Ok(page) => {
                    this.error.set(None);
                    this.items.set(page.items);
                    this.next_cursor.set(page.next_cursor);
                }
                Err(e) => {
                    if !keep {
                        this.items.set(Vec::new());
                        this.next_cursor.set(None);
                    }
                    this.error.set(Some(e));
                }
            }
        });
    }

    fn load_more(&self) {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        if self.loading_more.get_untracked() {
            return;
        }
        let this = *self;
        let generation = self.generation.get_value();
        let query = self.filters.with_untracked(|f| f.page_query(PAGE_SIZE, Some(cursor)));
        self.loading_more.set(true);
        spawn_local(async move {
            let answer = list_threads(&query).await;
            this.loading_more.set(false);
            // A newer load started, or the list was unmounted meanwhile.
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            match answer {
                Ok(page) => {
                    this.error.set(None);
                    this.items.update(|l| {
                        for t in page.items {
                            if !l.iter().any(|x| x.key == t.key) {
                                l.push(t);
                            }
                        }
                    });
                    this.next_cursor.set(page.next_cursor);
                }
                Err(e) => this.error.set(Some(e)),
            }
        });
    }
}

/// A list that loads for `filters` and re-reads when they or `version` (live updates) change.
pub fn use_thread_list(filters: Signal<Filters>, version: Signal<u64>) -> ThreadList {
    let list = ThreadList {
        items: RwSignal::new(Vec::new()),
        next_cursor: RwSignal::new(None),
        loading: RwSignal::new(true),
        loading_more: RwSignal::new(false),
        error: RwSignal::new(None),
        generation: StoredValue::new(0),
        filters,
    };
    Effect::new(move |prev: Option<Filters>| {
        let current = filters.get();
        version.track();
        let same_filters = prev.as_ref() == Some(&current);
        list.reload(same_filters);
        current
    });
    list
}

/// The list view: threads as buttons, "Load more", and the loading, empty and error states.
#[component]
pub fn ThreadListView(
    list: ThreadList,
    #[prop(into)] selected: Signal<Option<String>>,
    on_select: Callback<String>,
    /// Shown when no thread matches.
    #[prop(into)]
    empty_text: String,
    /// The list's accessible name.
    #[prop(default = "Threads")]
    label: &'static str,
) -> impl IntoView {
    let tz = StoredValue::new(agency_time_zone());
    let is_empty = Memo::new(move |_| list.items.with(Vec::is_empty));
    let state = move || {
        let failed = list.error.get();
        match (failed, is_empty.get(), list.loading.get()) {
            (Some(e), true, _) => view! { <ListError error=e list=list/> }.into_any(),
            (Some(e), false, _) => view! {
                <p class="alert alert-danger thread-list-alert" role="alert">
                    {format!("Could not refresh the threads: {}", e.message())}
                </p>
            }
            .into_any(),
            (None, true, true) => view! { <LoadingBlock label="Loading threads…"/> }.into_any(),
            (None, true, false) => view! {
                <div class="empty-state empty-state-compact">
                    <span class="empty-icon"><Icon name=IconName::Mail/></span>
                    <p class="empty-title">"No threads"</p>
                    <p class="muted">{empty_text.clone()}</p>
                </div>
            }
            .into_any(),
            (None, false, _) => ().into_any(),
        }
    };
    view! {
        <div class="thread-list-pane" aria-busy=move || list.loading.get().then_some("true")>
            {state}
            <ul role="list" aria-label=label class="thread-list" hidden=move || is_empty.get()>
                <For
                    each=move || list.items.get()
                    key=|t| (t.key.clone(), t.last_message_at, t.unread, t.needs_reply, t.assigned_to, t.message_count)
                    let:thread
                >
                    <ThreadItem thread=thread selected=selected on_select=on_select tz=tz.get_value()/>
                </For>
            </ul>
            <Show when=move || list.next_cursor.with(Option::is_some)>
                <div class="thread-list-more">
                    <Button
                        kind=ButtonKind::Secondary
                        small=true
                        pending=list.loading_more
                        pending_label="Loading…"
                        on_click=Callback::new(move |_| list.load_more())
                    >
                        "Load more threads"
                    </Button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn ListError(error: ApiError, list: ThreadList) -> impl IntoView {
    view! {
        <section class="section-error" aria-label="Threads failed to load">
            <div class="section-error-icon"><Icon name=IconName::Alert/></div>
            <div class="section-error-body">
                <h3>"Threads failed to load"</h3>
                <ErrorView problem=error.0/>
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=list.loading
                    on_click=Callback::new(move |_| list.reload(false))
                >
                    "Retry"
                </Button>
            </div>
        </section>
    }
}

#[component]
fn ThreadItem(
    thread: ThreadSummary,
    selected: Signal<Option<String>>,
    on_select: Callback<String>,
    tz: String,
) -> impl IntoView {
    let key = thread.key.clone();
    let is_selected = {
        let key = key.clone();
        Memo::new(move |_| selected.with(|s| s.as_deref() == Some(key.as_str())))
    };
    let title = thread_title(thread.subject.as_deref(), &thread.snippet);
    let sender = sender_text(thread.last_sender_name.as_deref(), thread.last_sender_email.as_deref());
    let when = format::relative(&thread.last_message_at, &Utc::now(), &tz);
    let exact = format::date_time(&thread.last_message_at, &tz);
    let (platform, icon) = platform_badge(&thread.platform);
    // The name carries what identifies the thread; its state words go in the description, so the
    // filter buttons ("Unread", "Gmail") stay the only controls named by them.
    let name = format!(
        "{title}, {}, from {sender}, {}, {when}",
        thread.client_name, thread.snippet
    );
    let mut states = vec![platform.clone()];
    if thread.needs_reply {
        states.push("Needs reply".into());
    }
    if thread.unread {
        states.push("Unread".into());
    }
    let description_id = crate::components::unique_id("thread-state");
    let on_click = {
        let key = key.clone();
        move |_| on_select.run(key.clone())
    };
    view! {
        <li class="thread-item" class:is-unread=thread.unread class:is-selected=move || is_selected.get()>
            <button
                type="button"
                class="thread-item-button"
                data-thread-key=key
                aria-label=name
                aria-describedby=description_id.clone()
                aria-current=move || is_selected.get().then_some("true")
                on:click=on_click
            >
                <span class="thread-item-top">
                    <span class="unread-dot" aria-hidden="true" hidden=!thread.unread></span>
                    <span class="thread-client">{thread.client_name.clone()}</span>
                    <time class="thread-time muted" datetime=thread.last_message_at.to_rfc3339() title=exact>
                        {when}
                    </time>
                </span>
                <span class="thread-title">{title}</span>
                <span class="thread-sender">{sender}</span>
                <span class="thread-snippet muted">{thread.snippet.clone()}</span>
                <span class="thread-badges">
                    <span class="badge badge-neutral comm-platform">
                        <Icon name=icon/>
                        {platform}
                    </span>
                    {thread.needs_reply.then(|| view! { <span class="badge badge-warning">"Needs reply"</span> })}
                    {(thread.message_count > 1)
                        .then(|| view! { <span class="muted small">{format!("{} messages", thread.message_count)}</span> })}
                </span>
                <span class="sr-only" id=description_id.clone()>{states.join(", ")}</span>
            </button>
        </li>
    }
}
