//! `/inbox`: the communications inbox in three panes. Filters with counts and search on the left, the
//! thread list in the middle, the open thread (`?thread=<key>`, so a reload keeps it) on the right.
//! Keyboard: j/k move and open, r focuses the composer, e marks the thread done and moves on, / focuses
//! search, Escape leaves a field or closes the thread. Lists, counts and the open thread follow live
//! updates. Also the sidebar's Inbox link with its badges.

pub mod composer;
pub mod logic;
pub mod thread_list;
pub mod thread_view;

use std::time::Duration;

use audienceos_shared::communications::{ThreadCounts, ThreadQuery, UpdateThread};
use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use wasm_bindgen::JsCast;

use self::composer::COMPOSER_SELECTOR;
use self::logic::{
    after_done, badge_text, move_selection, nav_label, shortcut, Filters, Platform, Shortcut, StateFilter,
};
use self::thread_list::{use_thread_list, ThreadListView};
use self::thread_view::ThreadView;
use crate::api::communications::{thread_counts, update_thread};
use crate::components::focus_later;
use crate::components::icons::{Icon, IconName};
use crate::pages::use_set_param;
use crate::routes::{Route, THREAD_PARAM};
use crate::state::live::use_live;
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind};

/// Pause after the last keystroke before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// The live version (0 without a live stream) and the callback that reports a local change.
pub fn use_live_version() -> (Signal<u64>, Callback<()>) {
    let live = use_live();
    let version = Signal::derive(move || live.map(|l| l.version()).unwrap_or(0));
    let changed = Callback::new(move |_| {
        if let Some(l) = live {
            l.changed();
        }
    });
    (version, changed)
}

/// The page.
#[component]
pub fn InboxPage() -> impl IntoView {
    let toasts = use_toasts();
    let filters = RwSignal::new(Filters::default());
    let (version, changed) = use_live_version();
    let list = use_thread_list(filters.into(), version);
    let counts = LocalResource::new(move || {
        version.track();
        let query = filters.with(Filters::query);
        async move { thread_counts(&query).await }
    });

    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get(THREAD_PARAM)).filter(|k| !k.is_empty()));
    let set_param = use_set_param();
    let select = Callback::new(move |key: Option<String>| set_param(THREAD_PARAM, key));
    let open = Callback::new(move |key: String| select.run(Some(key)));

    let search = NodeRef::<leptos::html::Input>::new();
    let search_text = RwSignal::new(String::new());
    let debounce = StoredValue::new(None::<TimeoutHandle>);
    let on_search = move |ev| {
        let value = event_target_value(&ev);
        search_text.set(value.clone());
        if let Some(h) = debounce.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                filters.try_update(|f| f.q = value);
            },
            SEARCH_DEBOUNCE,
        )
        .ok();
        debounce.set_value(handle);
    };

    let move_by = move |delta: i32| {
        let keys = list.keys();
        if let Some(i) = move_selection(&keys, selected.get_untracked().as_deref(), delta) {
            let key = keys[i].clone();
            focus_later(format!("[data-thread-key=\"{}\"]", css_escape(&key)));
            select.run(Some(key));
        }
    };
    let mark_done = move || {
        let Some(current) = selected.get_untracked() else {
            return;
        };
        let next = after_done(&list.keys(), &current);
        spawn_local(async move {
            let body = UpdateThread {
                needs_reply: Some(false),
                ..Default::default()
            };
            match update_thread(&current, &body).await {
                Ok(_) => {
                    toasts.success("Marked done.");
                    // The page may have been left meanwhile.
                    select.try_run(next);
                    changed.try_run(());
                }
                Err(e) => toasts.push(
                    ToastKind::Error,
                    format!("Could not mark the thread done: {}", e.message()),
                ),
            }
        });
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        let in_field = target.as_ref().is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
        });
        let modified = ev.ctrl_key() || ev.meta_key() || ev.alt_key();
        let Some(action) = shortcut(&ev.key(), in_field, modified) else {
            return;
        };
        match action {
            Shortcut::Escape if in_field => {
                if let Some(el) = target {
                    let _ = el.blur();
                }
                return;
            }
            Shortcut::Escape => select.run(None),
            Shortcut::Next => move_by(1),
            Shortcut::Previous => move_by(-1),
            Shortcut::Reply => focus_later(COMPOSER_SELECTOR.to_string()),
            Shortcut::Done => mark_done(),
            Shortcut::Search => {
                if let Some(input) = search.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());

    let count_of =
        move |f: &dyn Fn(&ThreadCounts) -> i64| counts.get().and_then(|r| r.ok()).map(|c| crate::format::count(f(&c)));

    view! {
        <div class="page page-wide inbox-page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Inbox"</h1>
                    <p class="page-subtitle">"Gmail and Slack conversations with your clients, in one place."</p>
                </div>
            </header>
            <div class="inbox" class:inbox-has-thread=move || selected.with(Option::is_some)>
                <aside class="inbox-filters" aria-label="Inbox filters">
                    <label class="sr-only" for="inbox-search">"Search messages"</label>
                    <div class="inbox-search">
                        <Icon name=IconName::Search/>
                        <input
                            id="inbox-search"
                            class="input"
                            type="search"
                            placeholder="Search messages  /"
                            node_ref=search
                            prop:value=move || search_text.get()
                            on:input=on_search
                        />
                    </div>
                    <div class="inbox-filter-group" role="group" aria-label="Show">
                        {StateFilter::ALL
                            .into_iter()
                            .map(|f| {
                                view! {
                                    <button
                                        type="button"
                                        class="inbox-filter"
                                        aria-pressed=move || (filters.with(|x| x.state) == f).to_string()
                                        on:click=move |_| filters.update(|x| x.state = f)
                                    >
                                        <span>{f.label()}</span>
                                        <span class="inbox-filter-count">{move || count_of(&move |c| f.count(c))}</span>
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <div class="inbox-filter-group" role="group" aria-label="Platform">
                        {Platform::ALL
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <button
                                        type="button"
                                        class="inbox-filter"
                                        aria-pressed=move || (filters.with(|x| x.platform) == Some(p)).to_string()
                                        on:click=move |_| {
                                            filters.update(|x| {
                                                x.platform = if x.platform == Some(p) { None } else { Some(p) };
                                            })
                                        }
                                    >
                                        <span>{p.label()}</span>
                                        <span class="inbox-filter-count">{move || count_of(&move |c| p.count(c))}</span>
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                </aside>
                <section class="inbox-list" aria-label="Thread list">
                    <ThreadListView
                        list=list
                        selected=selected
                        on_select=open
                        empty_text="No conversation matches these filters. New Gmail and Slack messages appear here as they sync."
                    />
                </section>
                <div class="inbox-thread">
                    {move || match selected.get() {
                        Some(key) => view! {
                            <ThreadView
                                thread_key=key
                                version=version
                                on_changed=changed
                                on_back=Callback::new(move |_| select.run(None))
                            />
                        }
                        .into_any(),
                        None => view! {
                            <div class="empty-state inbox-no-thread">
                                <span class="empty-icon"><Icon name=IconName::Mail/></span>
                                <p class="empty-title">"No thread open"</p>
                                <p class="muted">"Pick a thread from the list, or press j."</p>
                            </div>
                        }
                        .into_any(),
                    }}
                </div>
            </div>
            <p class="inbox-shortcuts muted small" aria-label="Keyboard shortcuts">
                <kbd>"j"</kbd>" / "<kbd>"k"</kbd>" next / previous · "
                <kbd>"r"</kbd>" reply · "
                <kbd>"e"</kbd>" mark done · "
                <kbd>"/"</kbd>" search · "
                <kbd>"Esc"</kbd>" close"
            </p>
        </div>
    }
}

/// `s` safe inside a double-quoted CSS attribute selector.
fn css_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The sidebar's Inbox link with its needs-reply and unread badges, refreshed on live updates.
#[component]
pub fn InboxNavLink(#[prop(into)] current: Signal<Option<&'static str>>) -> impl IntoView {
    let session = use_session();
    let (version, _) = use_live_version();
    let counts = LocalResource::new(move || {
        version.track();
        let allowed = session.can(Resource::Communications, Perm::Read);
        async move {
            if allowed {
                thread_counts(&ThreadQuery::default()).await.ok()
            } else {
                None
            }
        }
    });
    let numbers = move || {
        counts
            .get()
            .flatten()
            .map(|c| (c.needs_reply, c.unread))
            .unwrap_or((0, 0))
    };
    view! {
        <a
            class="nav-link"
            href=Route::Inbox.path()
            aria-current=move || current.get()
            aria-label=move || {
                let (needs, unread) = numbers();
                nav_label(needs, unread)
            }
        >
            <Icon name=IconName::Mail/>
            "Inbox"
            <span class="nav-badges" aria-hidden="true">
                {move || {
                    badge_text(numbers().0)
                        .map(|n| view! { <span class="nav-badge nav-badge-warning" title="Need reply">{n}</span> })
                }}
                {move || {
                    badge_text(numbers().1)
                        .map(|n| view! { <span class="nav-badge" title="Unread">{n}</span> })
                }}
            </span>
        </a>
    }
}
