//! "New client": name (required), contact, email, website and stage; `POST /clients`, closing only
//! when it succeeded. A taken contact email shows under its field.

use audienceos_shared::clients::{Client, CreateClientRequest, PipelineStage};
use leptos::prelude::*;
use uuid::Uuid;
use validator::Validate;

use crate::api::clients::create_client;
use crate::api::pipeline::list_stages;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use crate::state::toasts::use_toasts;

fn optional(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The new-client modal.
#[component]
pub fn CreateClientModal(on_close: Callback<()>, on_created: Callback<Client>) -> impl IntoView {
    let toasts = use_toasts();
    let stages = LocalResource::new(list_stages);
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let website = RwSignal::new(String::new());
    let stage = RwSignal::new(None::<Uuid>);
    let errors = FormErrors::new();
    let submit = move || {
        let req = CreateClientRequest {
            name: name.get_untracked().trim().to_string(),
            contact_name: optional(contact.get_untracked()),
            contact_email: optional(email.get_untracked()),
            website: optional(website.get_untracked()),
            stage_id: stage.get_untracked(),
            ..Default::default()
        };
        if let Err(v) = req.validate() {
            errors.set_validation(&v);
            return None;
        }
        Some(async move {
            let c = create_client(&req).await.map_err(|e| {
                if e.is("contact_email_taken") {
                    e.with_field("contact_email", "is already the contact of another client")
                } else {
                    e
                }
            })?;
            toasts.success(format!("{} created in {}.", c.name, c.stage));
            on_created.run(c);
            Ok(())
        })
    };

    view! {
        <ActionModal title="New client" action_label="Create client" on_close=on_close errors=errors submit=submit>
            <Field label="Name" value=name error=errors.field("name") required=true autocomplete="organization"/>
            <Field label="Contact name" value=contact error=errors.field("contact_name") autocomplete="name"/>
            <Field label="Contact email" value=email error=errors.field("contact_email") input_type="email" autocomplete="email"/>
            <Field label="Website" value=website error=errors.field("website") hint="e.g. acme.com"/>
            {move || match stages.get() {
                None => view! { <p class="muted">"Loading stages…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="field-error" role="alert">{format!("Stages failed to load: {}. The client will start in the first stage.", e.message())}</p>
                }
                .into_any(),
                Some(Ok(list)) => view! { <StageField stages=list stage=stage/> }.into_any(),
            }}
        </ActionModal>
    }
}

#[component]
fn StageField(stages: Vec<PipelineStage>, stage: RwSignal<Option<Uuid>>) -> impl IntoView {
    let id = unique_id("stage");
    view! {
        <div class="field">
            <label class="field-label" for=id.clone()>"Stage"</label>
            <select
                id=id
                class="input select"
                on:change=move |ev| stage.set(Uuid::parse_str(&event_target_value(&ev)).ok())
            >
                {stages
                    .into_iter()
                    .map(|s| view! { <option value=s.id.to_string()>{s.name}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}
