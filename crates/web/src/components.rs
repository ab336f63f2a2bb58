//! Reusable view pieces. Props in, callbacks out; none of them fetch.

pub mod ad_chart;
pub mod ad_kpis;
pub mod alert_actions;
pub mod auth_card;
pub mod badges;
pub mod button;
pub mod calendar;
pub mod command_palette;
pub mod copy_field;
pub mod drawer;
pub mod error_view;
pub mod field;
pub mod icons;
pub mod intake_input;
pub mod kanban;
pub mod load_more;
pub mod member_list;
pub mod modal;
pub mod nav_toggle;
pub mod section_boundary;
pub mod shortcuts;
pub mod spinner;
pub mod tabs;
pub mod toasts;
pub mod trend_chart;
pub mod user_menu;

use std::sync::atomic::{AtomicU32, Ordering};

/// A document-unique id for `for`/`aria-describedby` pairs, e.g. `field-7`.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Focus the first element matching `selector` after the next frame (once a re-render has drawn it):
/// keyboard moves keep focus on the moved card or row.
pub fn focus_later(selector: String) {
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Ok(Some(el)) = leptos::prelude::document().query_selector(&selector) {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}
