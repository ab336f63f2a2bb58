//! The command palette's frame: a modal dialog with a combobox input over a grouped listbox of results.
//! Arrow keys move the active option (`aria-activedescendant`, focus stays in the input), Enter chooses
//! it, Escape closes the dialog and focus goes back to what opened it. The view only shows what it is
//! given: the caller owns the query, builds the groups (from local lists and searches) and decides what
//! a chosen value does. Groups still searching or failed are said below the list, outside the listbox.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::icons::{Icon, IconName};
use super::spinner::Spinner;
use super::unique_id;

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct PaletteItem<T> {
    pub label: String,
    /// Secondary text after the label (a client's stage, a thread's client).
    pub detail: Option<String>,
    pub icon: IconName,
    /// The keys that do the same outside the palette (e.g. `["G", "C"]`), shown on the right.
    pub keys: &'static [&'static str],
    /// What choosing the row hands back.
    pub value: T,
}

/// Where a group's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupState {
    /// The rows are current.
    Ready,
    /// A search is running; the rows (if any) are the previous search's.
    Loading,
    /// The search failed with this message.
    Failed(String),
}

/// A titled group of rows ("Pages", "Clients").
#[derive(Debug, Clone, PartialEq)]
pub struct PaletteGroup<T> {
    pub title: &'static str,
    pub items: Vec<PaletteItem<T>>,
    pub state: GroupState,
}

/// How well `query` matches `text` (a label and its keywords), lower is better, `None` when some word of
/// the query is missing: every word of the query must occur in the text, case-insensitively. Text that
/// starts with the query ranks first, then text with a word starting with it, then any other match.
pub fn rank(text: &str, query: &str) -> Option<u8> {
    let text = text.to_lowercase();
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Some(0);
    }
    if !query.split_whitespace().all(|w| text.contains(w)) {
        return None;
    }
    Some(if text.starts_with(&query) {
        0
    } else if text.split_whitespace().any(|w| w.starts_with(&query)) || text.contains(&format!(" {query}")) {
        1
    } else {
        2
    })
}

/// The index after moving `delta` from `current` among `len` options, wrapping at both ends.
pub fn step(current: usize, len: usize, delta: isize) -> usize {
    if len == 0 {
        return 0;
    }
    let len = len as isize;
    ((current.min(len as usize - 1) as isize + delta).rem_euclid(len)) as usize
}

/// The palette. Mount it while open; `on_close` runs on Escape, a click outside and after a choice.
#[component]
pub fn CommandPalette<T>(
    /// The text in the input.
    query: RwSignal<String>,
    /// The results to show for it.
    #[prop(into)]
    groups: Signal<Vec<PaletteGroup<T>>>,
    /// The input's accessible name and placeholder.
    #[prop(into)]
    placeholder: Signal<String>,
    /// Runs with the chosen row's value (after `on_close`).
    on_choose: Callback<T>,
    on_close: Callback<()>,
    /// Text under the list, e.g. where to find the shortcut sheet.
    #[prop(optional)]
    footer_hint: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let id = unique_id("palette");
    let listbox_id = format!("{id}-list");
    let option_id = {
        let id = id.clone();
        move |n: usize| format!("{id}-opt-{n}")
    };
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let backdrop_ref = NodeRef::<leptos::html::Div>::new();
    let active = RwSignal::new(0usize);

    // Every row in order, for the arrow keys and Enter.
    let flat = Memo::new(move |_| {
        groups.with(|gs| {
            gs.iter()
                .flat_map(|g| g.items.iter().map(|i| i.value.clone()))
                .collect::<Vec<T>>()
        })
    });
    let count = move || flat.with(Vec::len);
    // A new query starts at the top; a shorter list keeps the active row inside it.
    Effect::new(move |_| {
        query.track();
        active.set(0);
    });
    Effect::new(move |_| {
        let len = count();
        if active.get_untracked() >= len && len > 0 {
            active.set(len - 1);
        }
    });
    let active_id = Memo::new({
        let option_id = option_id.clone();
        move |_| (count() > 0).then(|| option_id(active.get().min(count() - 1)))
    });

    // Keep the active row visible when the arrow keys move past the list's edge.
    Effect::new(move |_| {
        let Some(option) = active_id.get() else { return };
        let Some(list) = list_ref.get_untracked() else { return };
        if let Some(el) = document()
            .get_element_by_id(&option)
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            scroll_into_list(&list, &el);
        }
    });

    // Focus the input once the dialog is in the document; give focus back on close.
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .map(SendWrapper::new);
    request_animation_frame(move || {
        if let Some(input) = input_ref.get_untracked() {
            let _ = input.focus();
            input.select();
        }
    });
    on_cleanup(move || {
        if let Some(opener) = opener {
            if opener.is_connected() {
                let _ = opener.focus();
            }
        }
    });

    let choose = move |n: usize| {
        if let Some(value) = flat.with_untracked(|f| f.get(n).cloned()) {
            on_close.run(());
            on_choose.run(value);
        }
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            ev.prevent_default();
            let delta = if ev.key() == "ArrowDown" { 1 } else { -1 };
            active.update(|a| *a = step(*a, count(), delta));
        }
        "PageDown" | "PageUp" => {
            ev.prevent_default();
            let len = count();
            if len > 0 {
                active.update(|a| {
                    *a = if ev.key() == "PageDown" {
                        (*a + 5).min(len - 1)
                    } else {
                        a.saturating_sub(5)
                    }
                });
            }
        }
        "Enter" => {
            ev.prevent_default();
            if !ev.is_composing() {
                choose(active.get_untracked());
            }
        }
        "Escape" => {
            ev.prevent_default();
            on_close.run(());
        }
        // Focus stays in the input: the options are reached with the arrow keys.
        "Tab" => ev.prevent_default(),
        _ => {}
    };
    // Keys stay in the palette (a page's own shortcuts must not act behind it); Ctrl/Cmd chords go on,
    // so Ctrl/Cmd+K closes the palette again.
    let on_keydown = move |ev: KeyboardEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            ev.stop_propagation();
        }
        on_keydown(ev);
    };

    let results = move || {
        let mut n = 0usize;
        groups
            .get()
            .into_iter()
            .filter(|g| !g.items.is_empty())
            .map(|g| {
                let title_id = format!("{id}-{}", g.title.to_lowercase().replace(' ', "-"));
                let rows = g
                    .items
                    .into_iter()
                    .map(|item| {
                        let at = n;
                        n += 1;
                        view! {
                            <PaletteRow
                                item=item
                                id=option_id(at)
                                selected=Signal::derive(move || active.get() == at)
                                on_hover=Callback::new(move |_| active.set(at))
                                on_pick=Callback::new(move |_| choose(at))
                            />
                        }
                    })
                    .collect_view();
                let labelledby = title_id.clone();
                view! {
                    <div class="palette-group" role="group" aria-labelledby=labelledby>
                        <div class="palette-group-title" id=title_id role="presentation">{g.title}</div>
                        {rows}
                    </div>
                }
            })
            .collect_view()
    };

    // What the list cannot say: searches still running or failed, and an empty result.
    let notes = move || {
        groups.with(|gs| {
            let loading: Vec<&str> = gs
                .iter()
                .filter(|g| g.state == GroupState::Loading)
                .map(|g| g.title)
                .collect();
            let failed: Vec<String> = gs
                .iter()
                .filter_map(|g| match &g.state {
                    GroupState::Failed(msg) => Some(format!("Could not search {}: {msg}", g.title.to_lowercase())),
                    _ => None,
                })
                .collect();
            let empty = gs.iter().all(|g| g.items.is_empty());
            (loading, failed, empty)
        })
    };
    let searching = move || {
        let (loading, _, _) = notes();
        (!loading.is_empty()).then(|| {
            let what = loading.join(" and ").to_lowercase();
            view! {
                <p class="palette-note">
                    <Spinner small=true/>
                    {format!("Searching {what}…")}
                </p>
            }
        })
    };
    let failures = move || {
        let (_, failed, _) = notes();
        failed
            .into_iter()
            .map(|msg| {
                view! {
                    <p class="palette-note palette-note-error">
                        <Icon name=IconName::Alert/>
                        {msg}
                    </p>
                }
            })
            .collect_view()
    };
    let empty = move || {
        let (loading, failed, empty) = notes();
        (empty && loading.is_empty() && failed.is_empty()).then(|| {
            let q = query.get();
            let text = if q.trim().is_empty() {
                "Nothing to show here.".to_string()
            } else {
                format!("No results for “{}”", q.trim())
            };
            view! {
                <div class="palette-empty">
                    <span class="empty-icon"><Icon name=IconName::Search/></span>
                    <p>{text}</p>
                    <p class="muted">"Try a client’s name, a page or an action."</p>
                </div>
            }
        })
    };
    // One polite sentence for screen readers when the results settle.
    let announcement = move || {
        let (loading, _, _) = notes();
        if !loading.is_empty() {
            return String::new();
        }
        match count() {
            0 => "No results.".to_string(),
            1 => "1 result.".to_string(),
            n => format!("{n} results."),
        }
    };

    view! {
        <div
            class="palette-backdrop"
            node_ref=backdrop_ref
            on:mousedown=move |ev| {
                let on_backdrop = match (ev.target(), backdrop_ref.get_untracked()) {
                    (Some(target), Some(backdrop)) => backdrop.is_same_node(target.dyn_ref::<web_sys::Node>()),
                    _ => false,
                };
                if on_backdrop {
                    ev.prevent_default();
                    on_close.run(());
                }
            }
        >
            <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette" on:keydown=on_keydown>
                <div class="palette-search">
                    <Icon name=IconName::Search/>
                    <input
                        class="palette-input"
                        type="text"
                        role="combobox"
                        autocomplete="off"
                        spellcheck="false"
                        aria-autocomplete="list"
                        aria-expanded="true"
                        aria-controls=listbox_id.clone()
                        aria-activedescendant=move || active_id.get()
                        aria-label=move || placeholder.get()
                        placeholder=move || placeholder.get()
                        node_ref=input_ref
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                    <kbd class="palette-esc" aria-hidden="true">"Esc"</kbd>
                </div>
                <div class="palette-results" id=listbox_id role="listbox" aria-label="Results" node_ref=list_ref>
                    {results}
                </div>
                <div class="palette-notes">
                    {searching}
                    {failures}
                    {empty}
                </div>
                <footer class="palette-footer" aria-hidden="true">
                    <span><kbd>"↑"</kbd><kbd>"↓"</kbd>" to move"</span>
                    <span><kbd>"Enter"</kbd>" to open"</span>
                    <span><kbd>"Esc"</kbd>" to close"</span>
                    {footer_hint.map(|hint| view! { <span class="palette-footer-hint">{hint}</span> })}
                </footer>
                <p class="sr-only" role="status" aria-live="polite">{announcement}</p>
            </div>
        </div>
    }
}

#[component]
fn PaletteRow<T>(
    item: PaletteItem<T>,
    id: String,
    selected: Signal<bool>,
    on_hover: Callback<()>,
    on_pick: Callback<()>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let keys = (!item.keys.is_empty()).then(|| {
        view! {
            <span class="palette-keys" aria-hidden="true">
                {item.keys.iter().map(|k| view! { <kbd>{*k}</kbd> }).collect_view()}
            </span>
        }
    });
    view! {
        <div
            class="palette-option"
            role="option"
            id=id
            aria-selected=move || if selected.get() { "true" } else { "false" }
            // A pointer that moves picks the row; one that stays still while the list scrolls does not.
            on:mousemove=move |_| {
                if !selected.get_untracked() {
                    on_hover.run(());
                }
            }
            // Keep focus in the input.
            on:mousedown=|ev| ev.prevent_default()
            on:click=move |_| on_pick.run(())
        >
            <span class="palette-option-icon"><Icon name=item.icon/></span>
            <span class="palette-option-text">
                <span class="palette-option-label">{item.label}</span>
                {item.detail.map(|d| view! { <span class="palette-option-detail">{d}</span> })}
            </span>
            {keys}
        </div>
    }
}

/// Scrolls `list` the least needed to show `option` (the "nearest" of `scrollIntoView`).
fn scroll_into_list(list: &HtmlElement, option: &HtmlElement) {
    // The list is the options' offset parent (`position: relative` in the stylesheet).
    let top = option.offset_top();
    let bottom = top + option.offset_height();
    let view_top = list.scroll_top();
    let view_bottom = view_top + list.client_height();
    if top < view_top {
        list.set_scroll_top(top);
    } else if bottom > view_bottom {
        list.set_scroll_top(bottom - list.client_height());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_word_must_match() {
        assert_eq!(rank("Clients", "cli"), Some(0));
        assert_eq!(rank("Settings: API keys", "keys"), Some(1));
        assert_eq!(rank("Settings: API keys", "api set"), Some(2));
        assert_eq!(rank("Dashboard", "pipe"), None);
        assert_eq!(rank("Audit log", "  "), Some(0));
        assert_eq!(rank("Acme Outdoor", "ACME"), Some(0));
    }

    #[test]
    fn arrows_wrap_around() {
        assert_eq!(step(0, 3, 1), 1);
        assert_eq!(step(2, 3, 1), 0);
        assert_eq!(step(0, 3, -1), 2);
        assert_eq!(step(7, 3, 1), 0);
        assert_eq!(step(0, 0, 1), 0);
    }
}
