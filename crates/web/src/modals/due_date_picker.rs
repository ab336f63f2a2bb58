//! Due date picker: presets (Today, Tomorrow, Next week, In 2 weeks), a month calendar of our own, a
//! typed custom date, and Clear. Save sends the calendar date (`PATCH /clients/{id}` `due_date`, `null`
//! to clear) and closes only when that succeeded.

use audienceos_shared::clients::{Client, UpdateClientRequest};
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;

use crate::api::clients::update_client;
use crate::components::button::{Button, ButtonKind};
use crate::components::calendar::Calendar;
use crate::components::field::FormErrors;
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::toasts::use_toasts;

/// The presets, relative to today in the agency's time zone.
pub fn presets(today: NaiveDate) -> [(&'static str, NaiveDate); 4] {
    [
        ("Today", today),
        ("Tomorrow", today + Duration::days(1)),
        ("Next week", format::next_monday(today)),
        ("In 2 weeks", today + Duration::days(14)),
    ]
}

/// The due date picker for `client`.
#[component]
pub fn DueDatePicker(client: Client, on_close: Callback<()>, on_saved: Callback<Client>) -> impl IntoView {
    let toasts = use_toasts();
    let today = format::today(&agency_time_zone());
    let selected = RwSignal::new(client.due_date);
    let typed = RwSignal::new(client.due_date.map(format::iso_day).unwrap_or_default());
    let typed_error = RwSignal::new(None::<String>);
    let errors = FormErrors::new();
    let custom_id = unique_id("custom-date");
    let id = client.id;

    // Keep the typed field in step with the calendar and the presets.
    Effect::new(move |_| {
        typed.set(selected.get().map(format::iso_day).unwrap_or_default());
    });

    let preset_buttons = presets(today)
        .into_iter()
        .map(|(label, day)| {
            view! {
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    on_click=Callback::new(move |_| selected.set(Some(day)))
                >
                    {label}
                    <span class="muted preset-date">{format::short_day(day, today)}</span>
                </Button>
            }
        })
        .collect_view();

    view! {
        <ActionModal
            title=format!("Due date of {}", client.name)
            action_label="Save due date"
            on_close=on_close
            errors=errors
            submit=move || {
                if typed_error.get_untracked().is_some() {
                    errors.set_message("Fix the custom date first, or pick a day.");
                    return None;
                }
                let req = UpdateClientRequest {
                    due_date: Some(selected.get_untracked()),
                    ..Default::default()
                };
                Some(async move {
                    let c = update_client(id, &req).await?;
                    toasts.success(match c.due_date {
                        Some(d) => format!("{} is due {}.", c.name, format::day(d)),
                        None => format!("{} has no due date now.", c.name),
                    });
                    on_saved.run(c);
                    Ok(())
                })
            }
        >
            <p class="due-current" aria-live="polite">
                {move || match selected.get() {
                    Some(d) => format!("Due {}", format::long_day(d)),
                    None => "No due date".into(),
                }}
            </p>
            <div class="presets" role="group" aria-label="Presets">
                {preset_buttons}
                <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| selected.set(None))>
                    "Clear"
                </Button>
            </div>
            <Calendar selected=selected today=today/>
            <div class="field" class:field-invalid=move || typed_error.with(Option::is_some)>
                <label class="field-label" for=custom_id.clone()>"Custom date"</label>
                <input
                    id=custom_id
                    class="input"
                    type="date"
                    prop:value=move || typed.get()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        if text.trim().is_empty() {
                            typed_error.set(None);
                            selected.set(None);
                        } else if let Some(d) = format::parse_day(&text) {
                            typed_error.set(None);
                            selected.set(Some(d));
                        } else {
                            typed_error.set(Some("Enter a date such as 2026-03-04.".into()));
                        }
                    }
                />
                <p class="field-error" role="alert" hidden=move || typed_error.with(Option::is_none)>
                    {move || typed_error.get()}
                </p>
            </div>
        </ActionModal>
    }
}
