//! What the kanban boards (pipeline, onboarding) share: the keyboard chord that moves a focused card
//! one column, its announcement at the board's edges, and the drag payload.

use leptos::ev::{DragEvent, KeyboardEvent};
use uuid::Uuid;

/// Alt+ArrowRight is `Some(true)` (next column), Alt+ArrowLeft `Some(false)`; the key's default is
/// prevented. Anything else is `None`.
pub fn move_key(ev: &KeyboardEvent) -> Option<bool> {
    let forward = match ev.key().as_str() {
        "ArrowRight" if ev.alt_key() => true,
        "ArrowLeft" if ev.alt_key() => false,
        _ => return None,
    };
    ev.prevent_default();
    Some(forward)
}

/// What a screen reader hears when there is no column to move to.
pub fn edge_message(forward: bool) -> String {
    if forward {
        "Already in the last stage.".into()
    } else {
        "Already in the first stage.".into()
    }
}

/// Puts the card's id on the drag (for drops from elsewhere) and allows a move.
pub fn start_drag(ev: &DragEvent, id: Uuid) {
    if let Some(dt) = ev.data_transfer() {
        let _ = dt.set_data("text/plain", &id.to_string());
        dt.set_effect_allowed("move");
    }
}
