//! One field of an intake form, as the client sees it: the public intake page and the form builder's
//! live preview render the same component, so the preview is what the client gets.

use audienceos_shared::onboarding::{check_value, FieldType, PublicField};
use leptos::prelude::*;

use super::unique_id;

/// A labelled input of the field's type, its placeholder, a "required" mark and its error.
#[component]
pub fn IntakeInput(
    field: PublicField,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = unique_id("intake");
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let invalid = move || error.with(Option::is_some).then_some("true");
    let describedby = move || error.with(Option::is_some).then(|| described.clone());
    let placeholder = field.placeholder.clone().unwrap_or_default();
    let required = field.required;
    let input_id = id.clone();
    let control = match field.field_type {
        FieldType::Textarea => view! {
            <textarea
                id=input_id
                class="input textarea"
                rows="4"
                placeholder=placeholder
                required=required
                aria-required=required.then_some("true")
                aria-invalid=invalid
                aria-describedby=describedby
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        }
        .into_any(),
        FieldType::Select => {
            let options = field.options.clone();
            view! {
                <select
                    id=input_id
                    class="input select"
                    required=required
                    aria-required=required.then_some("true")
                    aria-invalid=invalid
                    aria-describedby=describedby
                    prop:value=move || value.get()
                    on:change=move |ev| value.set(event_target_value(&ev))
                >
                    <option value="">{if placeholder.is_empty() { "Choose…".to_string() } else { placeholder }}</option>
                    {options
                        .into_iter()
                        .map(|o| {
                            let selected = o.clone();
                            let shown = o.clone();
                            view! { <option value=o selected=move || value.with(|v| *v == selected)>{shown}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        t => {
            let (input_type, mode) = match t {
                FieldType::Email => ("email", Some("email")),
                // Text, so `example.com` can be typed and completed on blur (type=url would refuse it).
                FieldType::Url => ("text", Some("url")),
                FieldType::Number => ("text", Some("decimal")),
                FieldType::Date => ("date", None),
                _ => ("text", None),
            };
            view! {
                <input
                    id=input_id
                    class="input"
                    type=input_type
                    inputmode=mode
                    placeholder=placeholder
                    required=required
                    aria-required=required.then_some("true")
                    aria-invalid=invalid
                    aria-describedby=describedby
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    on:blur=move |_| {
                        if t == FieldType::Url {
                            value.update(|v| *v = with_scheme(v));
                        }
                    }
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label class="field-label" for=id>
                {field.label.clone()}
                {required.then(|| view! { <span class="required-mark" aria-hidden="true">" *"</span> })}
            </label>
            {control}
            <p class="field-error" id=error_id hidden=move || error.with(Option::is_none)>{move || error.get()}</p>
        </div>
    }
}

/// A web address typed without a scheme (`example.com`) with `https://` in front, as the server stores it.
pub fn with_scheme(v: &str) -> String {
    let t = v.trim();
    if t.is_empty() || t.contains("://") || t.chars().any(char::is_whitespace) {
        v.to_string()
    } else {
        format!("https://{t}")
    }
}

/// The client-side check of one value (the server checks again, patterns included): `None` when fine.
pub fn value_error(field: &PublicField, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return field.required.then(|| format!("{} is required.", field.label));
    }
    let v = if field.field_type == FieldType::Url {
        with_scheme(v)
    } else {
        v.to_string()
    };
    check_value(field.field_type, &field.options, &v)
        .err()
        .map(|(_, message)| format!("{} {message}.", field.label))
}
