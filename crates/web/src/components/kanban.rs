//! What the drag-and-drop lists (the pipeline and onboarding boards, the form builder) share: the drag
//! state with its dragover / dragleave / drop handling, the keyboard chord that moves a focused card one
//! column, its announcement at the board's edges, and the drag payload. The two boards also share
//! their column, [`KanbanColumn`].

use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use uuid::Uuid;

/// What is being dragged and which drop target (a column, or the row it would land before) is under it.
#[derive(Debug, Clone, Copy)]
pub struct DragState {
    dragging: RwSignal<Option<Uuid>>,
    target: RwSignal<Option<Uuid>>,
}

impl DragState {
    pub fn new() -> Self {
        Self {
            dragging: RwSignal::new(None),
            target: RwSignal::new(None),
        }
    }

    /// `dragstart` of item `id`.
    pub fn start(self, ev: &DragEvent, id: Uuid) {
        start_drag(ev, id);
        self.dragging.set(Some(id));
    }

    /// `dragend`, or a finished drop: nothing is dragged or targeted any more.
    pub fn end(self) {
        self.dragging.set(None);
        self.target.set(None);
    }

    /// `dragover` of drop target `target`: accept the move and highlight the target.
    pub fn over(self, ev: &DragEvent, target: Uuid) {
        if self.dragging.get_untracked().is_some() {
            ev.prevent_default();
            if let Some(dt) = ev.data_transfer() {
                dt.set_drop_effect("move");
            }
            if self.target.get_untracked() != Some(target) {
                self.target.set(Some(target));
            }
        }
    }

    /// `dragleave` of drop target `target`.
    pub fn leave(self, target: Uuid) {
        if self.target.get_untracked() == Some(target) {
            self.target.set(None);
        }
    }

    /// `drop`: the dropped item's id (from this page's drag, else the payload), and the drag ends.
    pub fn take_drop(self, ev: &DragEvent) -> Option<Uuid> {
        ev.prevent_default();
        let id = self.dragging.get_untracked().or_else(|| {
            ev.data_transfer()
                .and_then(|dt| dt.get_data("text/plain").ok())
                .and_then(|s| Uuid::parse_str(&s).ok())
        });
        self.end();
        id
    }

    /// True (tracked) while `target` is under the dragged item.
    pub fn is_target(self, target: Uuid) -> bool {
        self.target.get() == Some(target)
    }
}

impl Default for DragState {
    fn default() -> Self {
        Self::new()
    }
}

/// Anything below a [`KanbanColumn`]'s cards, e.g. "Load more".
#[slot]
pub struct ColumnFooter {
    children: Children,
}

/// One column of a board, a region named by its heading: the header with the name and the count, the
/// drop target for dragged cards, the cards (each an `<li>`), a line while it has none, and an optional
/// [`ColumnFooter`].
#[component]
pub fn KanbanColumn(
    /// The column's id, also the drop target's.
    id: Uuid,
    /// The element id of the heading, which names the region.
    title_id: String,
    #[prop(into)] name: Signal<String>,
    #[prop(into)] count: Signal<i64>,
    /// What the count counts, read out as e.g. "3 clients".
    noun: &'static str,
    /// True while the column shows no card.
    #[prop(into)]
    empty: Signal<bool>,
    /// The line shown then.
    empty_text: &'static str,
    drag: DragState,
    /// A card was dropped here: its id.
    on_drop: Callback<Uuid>,
    #[prop(optional)] column_footer: Option<ColumnFooter>,
    children: Children,
) -> impl IntoView {
    let labelled_by = title_id.clone();
    view! {
        <section
            class="kanban-column"
            class:kanban-drop=move || drag.is_target(id)
            aria-labelledby=labelled_by
            on:dragover=move |ev: DragEvent| drag.over(&ev, id)
            on:dragleave=move |_| drag.leave(id)
            on:drop=move |ev: DragEvent| {
                if let Some(card) = drag.take_drop(&ev) {
                    on_drop.run(card);
                }
            }
        >
            <header class="kanban-column-header">
                <h2 class="kanban-column-title" id=title_id>{name}</h2>
                <span class="kanban-count" aria-label=move || format!("{} {noun}", count.get())>{count}</span>
            </header>
            <ul class="kanban-cards" role="list">
                {children()}
            </ul>
            <Show when=move || empty.get()>
                <p class="kanban-empty">{empty_text}</p>
            </Show>
            {column_footer.map(|footer| (footer.children)())}
        </section>
    }
}

/// The keyboard chord on a focused card: the column to move it to (Alt+ArrowRight the next,
/// Alt+ArrowLeft the previous, as `neighbour(forward)` finds it), or `None`. At the board's edge,
/// `announce` says why nothing moves.
pub fn key_move(
    ev: &KeyboardEvent,
    announce: RwSignal<String>,
    neighbour: impl FnOnce(bool) -> Option<Uuid>,
) -> Option<Uuid> {
    let forward = move_key(ev)?;
    let to = neighbour(forward);
    if to.is_none() {
        announce.set(edge_message(forward));
    }
    to
}

/// Alt+ArrowRight is `Some(true)` (next column), Alt+ArrowLeft `Some(false)`; the key's default is
/// prevented. Anything else is `None`.
fn move_key(ev: &KeyboardEvent) -> Option<bool> {
    let forward = match ev.key().as_str() {
        "ArrowRight" if ev.alt_key() => true,
        "ArrowLeft" if ev.alt_key() => false,
        _ => return None,
    };
    ev.prevent_default();
    Some(forward)
}

/// What a screen reader hears when there is no column to move to.
fn edge_message(forward: bool) -> String {
    if forward {
        "Already in the last stage.".into()
    } else {
        "Already in the first stage.".into()
    }
}

/// Puts the card's id on the drag (for drops from elsewhere) and allows a move.
fn start_drag(ev: &DragEvent, id: Uuid) {
    if let Some(dt) = ev.data_transfer() {
        let _ = dt.set_data("text/plain", &id.to_string());
        dt.set_effect_allowed("move");
    }
}
