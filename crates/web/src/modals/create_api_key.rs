//! "Create API key": name, role (at or below the caller's) and lifetime; on success the same modal
//! shows the secret once, with Copy and Done.

use audienceos_shared::api_keys::{CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::permissions::SystemRole;
use leptos::prelude::*;
use validator::Validate;

use crate::api::api_keys::create_api_key;
use crate::components::copy_field::CopyField;
use crate::components::field::{Field, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use crate::state::session::use_session;

/// Default lifetime of a new key, in days.
const DEFAULT_DAYS: &str = "90";

/// The create-key modal.
#[component]
pub fn CreateApiKeyModal(
    on_close: Callback<()>,
    /// Runs after the key was created (refresh the list behind the modal).
    on_created: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let roles = session.assignable_roles();
    // Least privilege by default: the lowest role the caller may hand out.
    let default_role = roles.last().copied().unwrap_or(SystemRole::Member);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(default_role);
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let errors = FormErrors::new();
    let created = RwSignal::new(None::<CreatedApiKey>);

    let submit = move || {
        let Ok(expires_in_days) = days.get_untracked().trim().parse::<u32>() else {
            errors.set_field("expires_in_days", "Enter a whole number of days from 1 to 365.");
            return None;
        };
        let req = CreateApiKeyRequest {
            name: name.get_untracked().trim().to_string(),
            role: role.get_untracked(),
            expires_in_days,
        };
        if let Err(v) = req.validate() {
            errors.set_validation(&v);
            return None;
        }
        Some(async move {
            created.set(Some(create_api_key(&req).await?));
            on_created.try_run(());
            Ok(())
        })
    };

    view! {
        <ActionModal
            title="Create API key"
            action_label="Create key"
            on_close=on_close
            errors=errors
            submit=submit
            done=Signal::derive(move || created.with(Option::is_some))
        >
            {move || match created.get() {
                Some(key) => view! { <SecretView key=key/> }.into_any(),
                None => view! {
                    <Field label="Name" value=name error=errors.field("name") required=true
                        hint="What the key is for, e.g. \"Reporting export\"."/>
                    <RoleSelect roles=roles.clone() role=role error=errors.field("role")/>
                    <Field
                        label="Expires in (days)"
                        value=days
                        error=errors.field("expires_in_days")
                        input_type="number"
                        input_mode="numeric"
                        hint="From 1 to 365 days."
                        required=true
                    />
                }
                .into_any(),
            }}
        </ActionModal>
    }
}

/// The role `<select>`, limited to roles at or below the caller's, with the chosen role's description.
#[component]
fn RoleSelect(
    roles: Vec<SystemRole>,
    role: RwSignal<SystemRole>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = unique_id("role");
    let hint_id = format!("{id}-hint");
    let options = roles
        .iter()
        .map(|r| {
            let r = *r;
            view! {
                <option value=r.name() selected=move || role.get() == r>{r.name()}</option>
            }
        })
        .collect_view();
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label class="field-label" for=id.clone()>"Role"</label>
            <select
                id=id
                class="input select"
                aria-describedby=hint_id.clone()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some(r) = SystemRole::ALL.into_iter().find(|r| r.name() == value) {
                        role.set(r);
                    }
                }
            >
                {options}
            </select>
            <p class="field-hint" id=hint_id>
                {move || format!("The key can do what a {} can: {}.", role.get().name(), role.get().description().to_lowercase())}
            </p>
            <p class="field-error" hidden=move || error.with(Option::is_none)>{move || error.get()}</p>
        </div>
    }
}

/// The secret, shown once.
#[component]
fn SecretView(key: CreatedApiKey) -> impl IntoView {
    view! {
        <div class="notice notice-success">
            <span class="notice-icon"><Icon name=IconName::Check/></span>
            <p>"Key " <strong>{key.api_key.name.clone()}</strong> " created with the " {key.api_key.role.name()} " role."</p>
        </div>
        <CopyField label="Your new API key" value=key.secret.clone()/>
        <p class="alert alert-warning">
            <Icon name=IconName::Alert/>
            <span>"Copy this key now and store it somewhere safe. It won't be shown again."</span>
        </p>
    }
}
