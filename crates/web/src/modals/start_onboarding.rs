//! "Start onboarding": for an existing client (searched by name) or a new one (name, contact, email,
//! website), through a journey, optionally emailing the welcome message. On success the modal shows the
//! link once, to copy, and says whether the email was queued.

use audienceos_shared::clients::{ClientListQuery, ClientSort, SortDir};
use audienceos_shared::onboarding::{NewOnboardingClient, OnboardingStarted, StartOnboardingRequest};
use leptos::prelude::*;
use uuid::Uuid;
use validator::Validate;

use crate::api::clients::list_clients;
use crate::api::onboarding::{list_journeys, start_onboarding};
use crate::components::copy_field::CopyField;
use crate::components::field::{Field, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use crate::pages::onboarding::default_journey;
use crate::state::toasts::use_toasts;

fn optional(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The modal. `on_started` gets the new onboarding's id.
#[component]
pub fn StartOnboardingModal(on_close: Callback<()>, on_started: Callback<Uuid>) -> impl IntoView {
    let toasts = use_toasts();
    let new_client = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let client_id = RwSignal::new(None::<Uuid>);
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let website = RwSignal::new(String::new());
    let journey = RwSignal::new(None::<Uuid>);
    let send_email = RwSignal::new(true);
    let errors = FormErrors::new();
    let started = RwSignal::new(None::<OnboardingStarted>);

    let journeys = LocalResource::new(list_journeys);
    let clients = LocalResource::new(move || {
        let q = optional(search.get());
        async move {
            list_clients(&ClientListQuery {
                q,
                sort: Some(ClientSort::Name),
                dir: Some(SortDir::Asc),
                limit: Some(50),
                ..Default::default()
            })
            .await
        }
    });
    // Keep a valid choice as the search narrows the list; an agency without clients starts on "New client".
    let first_load = StoredValue::new(true);
    Effect::new(move |_| {
        if let Some(Ok(page)) = clients.get() {
            if first_load.get_value() {
                first_load.set_value(false);
                if page.items.is_empty() && search.with_untracked(String::is_empty) {
                    new_client.set(true);
                }
            }
            let still = client_id
                .get_untracked()
                .is_some_and(|id| page.items.iter().any(|c| c.id == id));
            if !still {
                client_id.set(page.items.first().map(|c| c.id));
            }
        }
    });

    let submit = move || {
        let req = if new_client.get_untracked() {
            StartOnboardingRequest {
                client: Some(NewOnboardingClient {
                    name: name.get_untracked().trim().to_string(),
                    contact_name: optional(contact.get_untracked()),
                    contact_email: email.get_untracked().trim().to_string(),
                    website: optional(website.get_untracked()),
                }),
                journey_id: journey.get_untracked(),
                send_email: send_email.get_untracked(),
                ..Default::default()
            }
        } else {
            let Some(id) = client_id.get_untracked() else {
                errors.set_message("Choose a client, or switch to a new client.");
                return None;
            };
            StartOnboardingRequest {
                client_id: Some(id),
                journey_id: journey.get_untracked(),
                send_email: send_email.get_untracked(),
                ..Default::default()
            }
        };
        if let Some(c) = &req.client {
            if let Err(v) = c.validate() {
                errors.set_validation(&v);
                return None;
            }
        }
        Some(async move {
            let s = start_onboarding(&req).await.map_err(|mut e| {
                if e.is("onboarding_in_progress") {
                    let message = format!("{} Open it from the board instead.", e.message());
                    return e.with_message(message);
                }
                // The new client's fields are named without their `client.` prefix here.
                for f in &mut e.0.errors {
                    if let Some(rest) = f.field.strip_prefix("client.") {
                        f.field = rest.to_string();
                    }
                }
                e
            })?;
            toasts.success(format!("Onboarding of {} started.", s.instance.client.name));
            on_started.run(s.instance.id);
            started.set(Some(s));
            Ok(())
        })
    };

    let search_id = unique_id("client-search");
    let client_select_id = unique_id("client");
    let journey_id = unique_id("journey");
    view! {
        <ActionModal
            title="Start onboarding"
            action_label="Start onboarding"
            on_close=on_close
            errors=errors
            submit=submit
            done=Signal::derive(move || started.with(Option::is_some))
        >
            {move || match started.get() {
                Some(s) => {
                    let to = s.instance.client.contact_email.clone().unwrap_or_default();
                    view! {
                        <div class="notice notice-success">
                            <span class="notice-icon"><Icon name=IconName::Check/></span>
                            <p>
                                {if s.link.email_queued {
                                    format!("The welcome email with the intake link is on its way to {to}.")
                                } else {
                                    "No email was sent: share the link below with the client.".to_string()
                                }}
                            </p>
                        </div>
                        <CopyField label="Intake link" value=s.link.intake_url.clone() copied_message="Link copied."/>
                        <p class="field-hint">"This link is shown only now. You can make a new one from the onboarding later."</p>
                    }
                    .into_any()
                }
                None => {
                    let search_id = search_id.clone();
                    let client_select_id = client_select_id.clone();
                    let journey_id = journey_id.clone();
                    view! {
                        <div class="segmented" role="radiogroup" aria-label="Client">
                            <label>
                                <input class="segmented-input" type="radio" name="which-client" prop:checked=move || !new_client.get() on:change=move |_| new_client.set(false)/>
                                <span class="segmented-label">"Existing client"</span>
                            </label>
                            <label>
                                <input class="segmented-input" type="radio" name="which-client" prop:checked=move || new_client.get() on:change=move |_| new_client.set(true)/>
                                <span class="segmented-label">"New client"</span>
                            </label>
                        </div>
                        <Show
                            when=move || new_client.get()
                            fallback=move || {
                                let search_id = search_id.clone();
                                let client_select_id = client_select_id.clone();
                                view! {
                                    <div class="field">
                                        <label class="field-label" for=search_id.clone()>"Find a client"</label>
                                        <input
                                            id=search_id
                                            class="input"
                                            type="search"
                                            placeholder="Name, contact or website"
                                            prop:value=move || search.get()
                                            on:input=move |ev| search.set(event_target_value(&ev))
                                        />
                                    </div>
                                    <div class="field">
                                        <label class="field-label" for=client_select_id.clone()>"Client"</label>
                                        {move || match clients.get() {
                                            None => view! { <p class="muted">"Loading clients…"</p> }.into_any(),
                                            Some(Err(e)) => view! { <p class="field-error" role="alert">{format!("Clients failed to load: {}", e.message())}</p> }.into_any(),
                                            Some(Ok(page)) if page.items.is_empty() => view! {
                                                <p class="muted">"No client matches. Switch to “New client” to add one."</p>
                                            }
                                            .into_any(),
                                            Some(Ok(page)) => {
                                                let id = client_select_id.clone();
                                                view! {
                                                    <select
                                                        id=id
                                                        class="input select"
                                                        on:change=move |ev| client_id.set(Uuid::parse_str(&event_target_value(&ev)).ok())
                                                    >
                                                        {page
                                                            .items
                                                            .into_iter()
                                                            .map(|c| {
                                                                let cid = c.id;
                                                                let email = c.contact_email.clone().map(|e| format!(" · {e}")).unwrap_or_else(|| " · no contact email".into());
                                                                view! {
                                                                    <option value=cid.to_string() selected=move || client_id.get() == Some(cid)>
                                                                        {format!("{}{}", c.name, email)}
                                                                    </option>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </select>
                                                }
                                                .into_any()
                                            }
                                        }}
                                    </div>
                                }
                            }
                        >
                            <Field label="Client name" value=name error=errors.field("name") required=true autocomplete="organization"/>
                            <Field label="Contact name" value=contact error=errors.field("contact_name") autocomplete="name"/>
                            <Field label="Contact email" value=email error=errors.field("contact_email") input_type="email" required=true autocomplete="email"/>
                            <Field label="Website" value=website error=errors.field("website") hint="e.g. acme.com"/>
                        </Show>
                        <div class="field">
                            <label class="field-label" for=journey_id.clone()>"Journey"</label>
                            {move || match journeys.get() {
                                None => view! { <p class="muted">"Loading journeys…"</p> }.into_any(),
                                Some(Err(e)) => view! { <p class="field-error" role="alert">{format!("Journeys failed to load: {}. The default journey will be used.", e.message())}</p> }.into_any(),
                                Some(Ok(list)) => {
                                    let default = default_journey(&list).map(|j| j.id);
                                    let id = journey_id.clone();
                                    view! {
                                        <select
                                            id=id
                                            class="input select"
                                            on:change=move |ev| journey.set(Uuid::parse_str(&event_target_value(&ev)).ok())
                                        >
                                            {list
                                                .into_iter()
                                                .map(|j| view! {
                                                    <option value=j.id.to_string() selected=Some(j.id) == default>
                                                        {format!("{}{}", j.name, if j.is_default { " (default)" } else { "" })}
                                                    </option>
                                                })
                                                .collect_view()}
                                        </select>
                                    }
                                    .into_any()
                                }
                            }}
                        </div>
                        <label class="check-row">
                            <input class="checkbox" type="checkbox" prop:checked=move || send_email.get() on:change=move |ev| send_email.set(event_target_checked(&ev))/>
                            "Email the welcome message with the intake link"
                        </label>
                    }
                    .into_any()
                }
            }}
        </ActionModal>
    }
}
