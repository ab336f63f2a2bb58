//! "Snooze until…": a custom date and time in the agency's time zone; `POST /alerts/{id}/snooze`.
//! The quick choices (1 hour, tomorrow 9:00, next week) live in the dashboard's snooze menu.

use audienceos_shared::alerts::Alert;
use chrono::{Duration, NaiveDateTime, NaiveTime, Utc};
use leptos::prelude::*;

use crate::api::alerts::snooze_alert;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ActionModal;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::toasts::use_toasts;

/// The custom snooze modal for `alert`.
#[component]
pub fn SnoozeAlertModal(alert: Alert, on_close: Callback<()>, on_saved: Callback<Alert>) -> impl IntoView {
    let toasts = use_toasts();
    let tz = agency_time_zone();
    let tomorrow = format::today(&tz) + Duration::days(1);
    let day = RwSignal::new(format::iso_day(tomorrow));
    let time = RwSignal::new("09:00".to_string());
    let errors = FormErrors::new();
    let id = alert.id;
    let tz_for_submit = tz.clone();
    view! {
        <ActionModal
            title=format!("Snooze “{}”", alert.title)
            action_label="Snooze"
            on_close=on_close
            errors=errors
            submit=move || {
                let Some(d) = format::parse_day(&day.get_untracked()) else {
                    errors.set_field("until_date", "Enter a date such as 2026-03-04.");
                    return None;
                };
                let Ok(t) = NaiveTime::parse_from_str(time.get_untracked().trim(), "%H:%M") else {
                    errors.set_field("until_time", "Enter a time such as 09:00.");
                    return None;
                };
                let until = format::zoned_to_utc(NaiveDateTime::new(d, t), &tz_for_submit);
                if until <= Utc::now() {
                    errors.set_message("Choose a time in the future.");
                    return None;
                }
                Some(async move {
                    let a = snooze_alert(id, until).await?;
                    toasts.success("Alert snoozed.");
                    on_saved.run(a);
                    Ok(())
                })
            }
        >
            <Field label="Date" value=day error=errors.field("until_date") input_type="date" required=true/>
            <Field label="Time" value=time error=errors.field("until_time") input_type="time" required=true
                hint="In your agency's time zone. At most 90 days ahead."/>
            <p class="muted">{format!("Time zone: {tz}")}</p>
        </ActionModal>
    }
}
