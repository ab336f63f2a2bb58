//! A labelled form input with hint and error text. The error comes from client-side validation or
//! from a `Problem.errors` entry whose `field` matches.

use leptos::prelude::*;

use super::unique_id;

/// `<label>` + `<input>` + error text bound to a string signal.
#[component]
pub fn Field(
    /// The visible label, also the input's accessible name.
    label: &'static str,
    value: RwSignal<String>,
    /// Error text under the input; sets `aria-invalid`.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] input_mode: Option<&'static str>,
    /// Extra link or control shown at the right of the label (e.g. "Forgot password?").
    #[prop(optional, into)]
    label_aside: Option<ViewFn>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let id = unique_id("field");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let describedby = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <div class="field-label-row">
                <label class="field-label" for=id.clone()>{label}</label>
                {label_aside.map(|aside| aside.run())}
            </div>
            <input
                id=id
                class="input"
                type=input_type
                autocomplete=autocomplete
                inputmode=input_mode
                required=required
                autofocus=autofocus
                node_ref=node_ref
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=describedby
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id hidden=move || error.with(Option::is_none)>
                {move || error.get().map(|m| sentence(label, &m))}
            </p>
        </div>
    }
}

/// "is required" under "Email" reads "Email is required"; a message that is already a sentence
/// (starts upper-case) is shown as it is.
fn sentence(label: &str, message: &str) -> String {
    if message.starts_with(|c: char| c.is_lowercase()) {
        format!("{label} {message}")
    } else {
        message.to_string()
    }
}

/// The error state of one form: per-field messages and one message for the whole form.
#[derive(Debug, Clone, Copy)]
pub struct FormErrors {
    fields: RwSignal<Vec<audienceos_shared::FieldError>>,
    form: RwSignal<Option<String>>,
}

impl FormErrors {
    /// No errors.
    pub fn new() -> Self {
        Self {
            fields: RwSignal::new(Vec::new()),
            form: RwSignal::new(None),
        }
    }

    /// The message for the input named `field` (the request JSON name).
    pub fn field(&self, field: &'static str) -> Signal<Option<String>> {
        let fields = self.fields;
        Signal::derive(move || fields.with(|errs| errs.iter().find(|e| e.field == field).map(|e| e.message.clone())))
    }

    /// The form-wide message, shown in the form's `role="alert"` element.
    pub fn form(&self) -> Signal<Option<String>> {
        self.form.into()
    }

    /// Forget every error (before a new submit).
    pub fn clear(&self) {
        self.fields.set(Vec::new());
        self.form.set(None);
    }

    /// Client-side `validator` failures: per field, no form message.
    pub fn set_validation(&self, errors: &validator::ValidationErrors) {
        self.fields.set(audienceos_shared::problem::field_errors(errors));
        self.form.set(None);
    }

    /// Put one message under one field.
    pub fn set_field(&self, field: &str, message: impl Into<String>) {
        self.fields.set(vec![audienceos_shared::FieldError {
            field: field.into(),
            code: "invalid".into(),
            message: message.into(),
        }]);
    }

    /// One message for the whole form (a check in the browser that no single field owns).
    pub fn set_message(&self, message: impl Into<String>) {
        self.form.set(Some(message.into()));
    }

    /// A failed request: its field errors under the inputs and `message` (or the problem's own
    /// detail) in the alert.
    pub fn set_problem(&self, problem: &crate::api::ApiError, message: Option<String>) {
        self.fields.set(problem.errors.clone());
        self.form.set(Some(message.unwrap_or_else(|| problem.message())));
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// The form-level error, `role="alert"`, rendered only while there is a message.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="alert alert-danger" role="alert">
                    <super::icons::Icon name=super::icons::IconName::Alert/>
                    <span>{m}</span>
                </div>
            }
        })
    }
}
