//! "Create API key": name, role (at or below the caller's) and lifetime; on success the same modal
//! shows the secret once, with Copy and Done.

use audienceos_shared::api_keys::{CreateApiKeyRequest, CreatedApiKey};
use audienceos_shared::permissions::SystemRole;
use leptos::prelude::*;
use validator::Validate;
use wasm_bindgen::JsCast;

use crate::api::api_keys::create_api_key;
use crate::components::button::{Button, ButtonKind};
use crate::components::field::{Field, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::Modal;
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
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<CreatedApiKey>);

    let create_key = Action::new_local(move |req: &CreateApiKeyRequest| {
        let req = req.clone();
        async move {
            match create_api_key(&req).await {
                Ok(key) => {
                    created.set(Some(key));
                    on_created.try_run(());
                }
                Err(e) => {
                    errors.set_problem(&e, None);
                    error.set(Some(e.message()));
                }
            }
        }
    });

    let submit = Callback::new(move |_| {
        errors.clear();
        error.set(None);
        let Ok(expires_in_days) = days.get_untracked().trim().parse::<u32>() else {
            errors.set_field("expires_in_days", "Enter a whole number of days from 1 to 365.");
            return;
        };
        let req = CreateApiKeyRequest {
            name: name.get_untracked().trim().to_string(),
            role: role.get_untracked(),
            expires_in_days,
        };
        match req.validate() {
            Ok(()) => {
                create_key.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    });

    view! {
        <Modal
            title="Create API key"
            action_label="Create key"
            on_action=submit
            on_close=on_close
            pending=create_key.pending()
            error=error
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
        </Modal>
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
    let id = unique_id("secret");
    let input = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let secret = key.secret.clone();
    let copy = Callback::new(move |_| {
        let secret = secret.clone();
        leptos::task::spawn_local(async move {
            let ok = copy_to_clipboard(&secret).await || copy_by_selection(input);
            copied.set(Some(if ok {
                "Copied to the clipboard."
            } else {
                "Select the key and press Ctrl+C (⌘C) to copy it."
            }));
        });
    });
    view! {
        <div class="notice notice-success">
            <span class="notice-icon"><Icon name=IconName::Check/></span>
            <p>"Key " <strong>{key.api_key.name.clone()}</strong> " created with the " {key.api_key.role.name()} " role."</p>
        </div>
        <div class="field">
            <label class="field-label" for=id.clone()>"Your new API key"</label>
            <div class="input-group">
                <input
                    id=id
                    class="input input-mono"
                    readonly=true
                    node_ref=input
                    prop:value=key.secret.clone()
                    on:focus=move |_| {
                        if let Some(i) = input.get_untracked() {
                            i.select();
                        }
                    }
                />
                <Button kind=ButtonKind::Secondary on_click=copy>
                    <Icon name=IconName::Copy/>
                    "Copy"
                </Button>
            </div>
            <p class="field-hint" role="status">{move || copied.get()}</p>
        </div>
        <p class="alert alert-warning">
            <Icon name=IconName::Alert/>
            <span>"Copy this key now and store it somewhere safe. It won't be shown again."</span>
        </p>
    }
}

/// `navigator.clipboard.writeText`, false when unavailable or refused.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = window.navigator().clipboard();
    if clipboard.is_undefined() {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// The old way: select the input and `document.execCommand("copy")`.
fn copy_by_selection(input: NodeRef<leptos::html::Input>) -> bool {
    let Some(el) = input.get_untracked() else {
        return false;
    };
    el.select();
    document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}
