//! Reusable view pieces. Props in, callbacks out; none of them fetch.

pub mod auth_card;
pub mod badges;
pub mod button;
pub mod calendar;
pub mod error_view;
pub mod field;
pub mod icons;
pub mod member_list;
pub mod modal;
pub mod section_boundary;
pub mod spinner;
pub mod toasts;
pub mod trend_chart;
pub mod user_menu;

use std::sync::atomic::{AtomicU32, Ordering};

/// A document-unique id for `for`/`aria-describedby` pairs, e.g. `field-7`.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
