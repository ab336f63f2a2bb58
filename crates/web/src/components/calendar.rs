//! A month calendar of our own: a grid of weeks (Monday first), one roving tab stop, arrow keys move
//! the focused day, PageUp/PageDown change month (Shift for a year), Home/End go to the week's ends,
//! Enter or Space picks. Escape is left to the surrounding dialog.

use chrono::{Datelike, Duration, NaiveDate};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::icons::{Icon, IconName};
use super::unique_id;
use crate::format::{add_months, iso_day, long_day, week_start, WEEKDAYS};

/// The weeks shown for the month of `month`: whole Monday-to-Sunday weeks covering it.
pub fn month_grid(month: NaiveDate) -> Vec<[NaiveDate; 7]> {
    let first = month.with_day(1).unwrap_or(month);
    let last = add_months(first, 1) - Duration::days(1);
    let mut start = week_start(first);
    let mut weeks = Vec::new();
    while start <= last {
        let week: [NaiveDate; 7] = std::array::from_fn(|i| start + Duration::days(i as i64));
        weeks.push(week);
        start += Duration::days(7);
    }
    weeks
}

/// Where a key moves the focused day; `None` for keys the calendar does not handle.
pub fn key_target(key: &str, shift: bool, day: NaiveDate) -> Option<NaiveDate> {
    Some(match key {
        "ArrowLeft" => day - Duration::days(1),
        "ArrowRight" => day + Duration::days(1),
        "ArrowUp" => day - Duration::days(7),
        "ArrowDown" => day + Duration::days(7),
        "PageUp" => add_months(day, if shift { -12 } else { -1 }),
        "PageDown" => add_months(day, if shift { 12 } else { 1 }),
        "Home" => week_start(day),
        "End" => week_start(day) + Duration::days(6),
        _ => return None,
    })
}

/// The calendar. `selected` is the picked date (or none); `today` is marked.
#[component]
pub fn Calendar(selected: RwSignal<Option<NaiveDate>>, today: NaiveDate) -> impl IntoView {
    let focused = RwSignal::new(selected.get_untracked().unwrap_or(today));
    let heading_id = unique_id("calendar-month");
    let grid = NodeRef::<leptos::html::Table>::new();
    // True after a key moved the focus, so the effect below moves DOM focus too (not on first render).
    let keyboard = RwSignal::new(false);

    // When the selection changes from outside (a preset, the typed date), show its month.
    Effect::new(move |_| {
        if let Some(d) = selected.get() {
            if focused.get_untracked() != d {
                keyboard.set(false);
                focused.set(d);
            }
        }
    });
    Effect::new(move |_| {
        let day = focused.get();
        if !keyboard.get_untracked() {
            return;
        }
        if let Some(table) = grid.get() {
            let selector = format!("[data-date='{}']", iso_day(day));
            if let Ok(Some(el)) = table.query_selector(&selector) {
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    });

    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if key == "Enter" || key == " " {
            ev.prevent_default();
            selected.set(Some(focused.get_untracked()));
            return;
        }
        if let Some(next) = key_target(&key, ev.shift_key(), focused.get_untracked()) {
            ev.prevent_default();
            keyboard.set(true);
            focused.set(next);
        }
    };

    let month_label = move || focused.get().format("%B %Y").to_string();
    let shift_month = move |by: i32| {
        keyboard.set(false);
        focused.update(|d| *d = add_months(*d, by));
    };

    let headers = WEEKDAYS
        .iter()
        .map(|(_, short, long)| {
            view! {
                <th scope="col" abbr=*long>
                    <span aria-hidden="true">{*short}</span>
                    <span class="sr-only">{*long}</span>
                </th>
            }
        })
        .collect_view();

    view! {
        <div class="calendar">
            <div class="calendar-header">
                <button
                    type="button"
                    class="icon-btn"
                    aria-label="Previous month"
                    on:click=move |_| shift_month(-1)
                >
                    <Icon name=IconName::ChevronLeft/>
                </button>
                <h3 class="calendar-month" id=heading_id.clone() aria-live="polite">{month_label}</h3>
                <button type="button" class="icon-btn" aria-label="Next month" on:click=move |_| shift_month(1)>
                    <Icon name=IconName::ChevronRight/>
                </button>
            </div>
            <table class="calendar-grid" role="grid" aria-labelledby=heading_id node_ref=grid on:keydown=on_keydown>
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>
                    {move || {
                        let month = focused.get().month();
                        month_grid(focused.get())
                            .into_iter()
                            .map(|week| {
                                view! {
                                    <tr>
                                        {week
                                            .into_iter()
                                            .map(|day| {
                                                let is_focus = move || focused.get() == day;
                                                let is_selected = move || selected.get() == Some(day);
                                                let outside = day.month() != month;
                                                view! {
                                                    <td role="gridcell" aria-selected=move || if is_selected() { "true" } else { "false" }>
                                                        <button
                                                            type="button"
                                                            class="calendar-day"
                                                            class:calendar-outside=outside
                                                            class:calendar-today=day == today
                                                            class:calendar-selected=is_selected
                                                            data-date=iso_day(day)
                                                            tabindex=move || if is_focus() { "0" } else { "-1" }
                                                            aria-label=format!(
                                                                "{}{}",
                                                                long_day(day),
                                                                if day == today { " (today)" } else { "" },
                                                            )
                                                            aria-pressed=move || if is_selected() { "true" } else { "false" }
                                                            on:click=move |_| {
                                                                focused.set(day);
                                                                selected.set(Some(day));
                                                            }
                                                        >
                                                            {day.day()}
                                                        </button>
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <p class="field-hint">"Arrow keys move a day or a week, Page Up and Page Down a month, Enter picks."</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_is_whole_weeks_from_monday() {
        // March 2026 starts on a Sunday: the grid starts Monday Feb 23 and ends Sunday Apr 5.
        let weeks = month_grid(d(2026, 3, 17));
        assert_eq!(weeks.first().unwrap()[0], d(2026, 2, 23));
        assert_eq!(weeks.last().unwrap()[6], d(2026, 4, 5));
        assert_eq!(weeks.len(), 6);
    }

    #[test]
    fn keys_move_the_focused_day() {
        let day = d(2026, 1, 31);
        assert_eq!(key_target("ArrowRight", false, day), Some(d(2026, 2, 1)));
        assert_eq!(key_target("ArrowUp", false, day), Some(d(2026, 1, 24)));
        assert_eq!(key_target("PageDown", false, day), Some(d(2026, 2, 28)));
        assert_eq!(key_target("PageUp", true, day), Some(d(2025, 1, 31)));
        assert_eq!(key_target("Home", false, day), Some(d(2026, 1, 26)));
        assert_eq!(key_target("x", false, day), None);
    }
}
