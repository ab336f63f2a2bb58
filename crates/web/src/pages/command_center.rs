//! The shell's command palette and keyboard shortcuts (issue 20), mounted once in the sidebar: its
//! "Search" button, Ctrl/Cmd+K for the palette, `g` then a letter for the main pages, `?` for the sheet of
//! every shortcut. The palette lists the pages and actions the caller may use and searches clients and
//! threads through the API (debounced); choosing a row navigates. An action opens its page's "new" form
//! with `?new=1`, which the page honours through [`use_new_param`].

mod results;

use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::ev::KeyboardEvent;
use leptos::portal::Portal;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::time::Duration;
use wasm_bindgen::JsCast;

use self::results::{
    actions, client_item, local_group, pages, placeholder, search_clients, search_threads, searched_group, thread_item,
    Command,
};
use super::use_set_param;
use crate::components::command_palette::CommandPalette;
use crate::components::icons::{Icon, IconName};
use crate::components::shortcuts::{
    command_key, decide, is_typing_target, KeyAction, Press, ShortcutsSheet, GO_TIMEOUT_MS, GO_TO,
};
use crate::routes::{with_param, Route, CLIENT_PARAM};
use crate::state::session::use_session;

/// How long typing pauses before the palette searches.
const SEARCH_DELAY: Duration = Duration::from_millis(180);
/// The longest search the API takes.
const MAX_QUERY: usize = 200;

/// The parameter that opens a page's "new" form on arrival (`/clients?new=1`), as the tasks page reads it.
pub const NEW_PARAM: &str = "new";

/// Runs `open` when the URL carries `?new=1` (a palette action), then drops the parameter so that a
/// reload or Back does not open the form again.
pub fn use_new_param(open: impl Fn() + 'static) {
    let query = use_query_map();
    let set_param = use_set_param();
    Effect::new(move |_| {
        if query.with(|q| q.get(NEW_PARAM)).is_some() {
            open();
            set_param(NEW_PARAM, None);
        }
    });
}

/// The sidebar's "Search" button, the palette, the shortcut sheet and the global key handler.
#[component]
pub fn CommandCenter() -> impl IntoView {
    let navigate = use_navigate();
    let palette = RwSignal::new(false);
    let sheet = RwSignal::new(false);
    let go_pending = RwSignal::new(false);
    let go_timer = StoredValue::new(None::<TimeoutHandle>);
    let stop_go = move || {
        if let Some(h) = go_timer.get_value() {
            h.clear();
        }
        go_timer.set_value(None);
        go_pending.set(false);
    };

    let go = {
        let navigate = navigate.clone();
        move |route: Route| navigate(route.path(), NavigateOptions::default())
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.default_prevented() || ev.repeat() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        let action = decide(Press {
            key: &ev.key(),
            command: ev.ctrl_key() || ev.meta_key(),
            alt: ev.alt_key(),
            in_field: is_typing_target(target.as_ref()),
            go_pending: go_pending.get_untracked(),
        });
        // Another dialog (a form, a confirmation) keeps the keyboard to itself.
        if another_dialog_is_open() && !palette.get_untracked() {
            stop_go();
            return;
        }
        match action {
            KeyAction::OpenPalette => {
                ev.prevent_default();
                stop_go();
                sheet.set(false);
                palette.update(|open| *open = !*open);
            }
            _ if palette.get_untracked() || sheet.get_untracked() => {}
            KeyAction::OpenSheet => {
                ev.prevent_default();
                sheet.set(true);
            }
            KeyAction::StartGo => {
                ev.prevent_default();
                stop_go();
                go_pending.set(true);
                let handle = set_timeout_with_handle(stop_go, Duration::from_millis(GO_TIMEOUT_MS));
                go_timer.set_value(handle.ok());
            }
            KeyAction::Go(route) => {
                ev.prevent_default();
                // The page's own single-key shortcuts (the inbox's) must not see the letter.
                ev.stop_immediate_propagation();
                stop_go();
                go(route);
            }
            KeyAction::CancelGo => {
                ev.stop_immediate_propagation();
                stop_go();
            }
            KeyAction::Nothing => {}
        }
    });
    on_cleanup(move || {
        keys.remove();
        if let Some(h) = go_timer.get_value() {
            h.clear();
        }
    });

    let shortcut = format!("{}K", if command_key() == "⌘" { "⌘" } else { "Ctrl " });
    view! {
        <button
            type="button"
            class="sidebar-search"
            aria-haspopup="dialog"
            aria-keyshortcuts="Control+K Meta+K"
            on:click=move |_| palette.set(true)
        >
            <Icon name=IconName::Search/>
            <span class="sidebar-search-label">"Search…"</span>
            <kbd class="sidebar-search-key" aria-hidden="true">{shortcut}</kbd>
        </button>
        // In the body, outside the sidebar's stacking context, so nothing of the page covers them.
        <Portal>
            <Show when=move || palette.get()>
                <Palette
                    on_close=Callback::new(move |_| palette.set(false))
                    on_shortcuts=Callback::new(move |_| sheet.set(true))
                />
            </Show>
            <Show when=move || sheet.get()>
                <ShortcutsSheet on_close=Callback::new(move |_| sheet.set(false))/>
            </Show>
            // A live region that stays, so the hint is announced when it appears.
            <div role="status">
                <Show when=move || go_pending.get()>
                    <div class="go-hint">
                        <span class="go-hint-title">"Go to"</span>
                        {GO_TO
                            .iter()
                            .map(|(key, _, name)| {
                                view! {
                                    <span class="go-hint-item">
                                        <kbd>{key.to_uppercase()}</kbd>
                                        {*name}
                                    </span>
                                }
                            })
                            .collect_view()}
                    </div>
                </Show>
            </div>
        </Portal>
    }
}

/// A modal dialog other than the palette is open (the shared modal primitive marks the body).
fn another_dialog_is_open() -> bool {
    document().body().is_some_and(|b| b.class_list().contains("modal-open"))
}

/// The open palette: its query, the searches, the rows and what a chosen row does.
#[component]
fn Palette(on_close: Callback<()>, on_shortcuts: Callback<()>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let query = RwSignal::new(String::new());

    // The query the searches run for, once typing pauses.
    let searched = RwSignal::new(String::new());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let q: String = query.get().trim().chars().take(MAX_QUERY).collect();
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        if q.is_empty() {
            searched.set(q);
        } else {
            timer.set_value(set_timeout_with_handle(move || searched.set(q), SEARCH_DELAY).ok());
        }
    });
    on_cleanup(move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
    });

    let can_clients = move || session.can(Resource::Clients, Perm::Read);
    let can_threads = move || session.can(Resource::Communications, Perm::Read);
    let clients = LocalResource::new(move || {
        let q = searched.get();
        let allowed = can_clients();
        async move {
            let result = if q.is_empty() || !allowed {
                Ok(Vec::new())
            } else {
                search_clients(q.clone()).await
            };
            (q, result)
        }
    });
    let threads = LocalResource::new(move || {
        let q = searched.get();
        let allowed = can_threads();
        async move {
            let result = if q.is_empty() || !allowed {
                Ok(Vec::new())
            } else {
                search_threads(q.clone()).await
            };
            (q, result)
        }
    });

    let groups = Signal::derive(move || {
        let q = query.get();
        let wanted: String = q.trim().chars().take(MAX_QUERY).collect();
        let pages = local_group("Pages", pages(&session), &q);
        let actions = local_group("Actions", actions(&session), &q);
        // The group with the better match comes first ("new client" puts the action above the pages).
        let mut groups = if actions.0 < pages.0 {
            vec![actions.1, pages.1]
        } else {
            vec![pages.1, actions.1]
        };
        if !wanted.is_empty() {
            if can_clients() {
                groups.push(searched_group("Clients", clients.get(), &wanted, client_item));
            }
            if can_threads() {
                groups.push(searched_group("Threads", threads.get(), &wanted, thread_item));
            }
        }
        groups
    });

    let run = Callback::new(move |command: Command| {
        let target = match command {
            Command::Shortcuts => {
                on_shortcuts.run(());
                return;
            }
            Command::Go(path) => path,
            Command::Client(id) => {
                let path = location.pathname.get_untracked();
                // The client list and the pipeline show the panel over themselves, keeping their filters.
                if path == Route::Clients.path() || path == Route::Pipeline.path() {
                    let search = with_param(&location.search.get_untracked(), CLIENT_PARAM, Some(&id.to_string()));
                    format!("{path}{search}")
                } else {
                    format!("{}?{CLIENT_PARAM}={id}", Route::Clients.path())
                }
            }
        };
        // After the palette has given focus back, so the page's dialog or panel can take it.
        let navigate = navigate.clone();
        request_animation_frame(move || navigate(&target, NavigateOptions::default()));
    });

    view! {
        <CommandPalette
            query=query
            groups=groups
            placeholder=Signal::derive(move || placeholder(can_clients(), can_threads()))
            on_choose=run
            on_close=on_close
            footer_hint="? shows every shortcut"
        />
    }
}
