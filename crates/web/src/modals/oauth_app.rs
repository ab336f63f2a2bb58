//! "Use your own OAuth app": the agency's Owner registers an app at Google, Slack or Meta (the steps and
//! the redirect URI to register are shown) and pastes its client id and secret; `PUT
//! /integrations/credentials/{provider}`, closing only when it succeeded. The secret is write-only: its
//! field starts empty even when an app is set, and it is never shown back.

use audienceos_shared::integrations::{OAuthApp, OAuthAppProvider, SetOAuthAppRequest};
use leptos::prelude::*;
use validator::Validate;

use crate::api::integrations::set_oauth_app;
use crate::components::copy_field::CopyField;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ActionModal;
use crate::pages::integrations::copy::{oauth_app_labels, oauth_app_steps};
use crate::state::toasts::use_toasts;

/// The modal for the app at `app`. `current_client_id` prefills the id when the agency has an app already.
#[component]
pub fn OAuthAppModal(
    app: OAuthAppProvider,
    /// The redirect URI to register at the provider (the API reports it).
    redirect_uri: String,
    current_client_id: Option<String>,
    on_close: Callback<()>,
    /// Runs after the app was saved (refresh the cards).
    on_saved: Callback<OAuthApp>,
) -> impl IntoView {
    let toasts = use_toasts();
    let replacing = current_client_id.is_some();
    let client_id = RwSignal::new(current_client_id.unwrap_or_default());
    let client_secret = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let (id_label, secret_label) = oauth_app_labels(app);
    let submit = move || {
        let req = SetOAuthAppRequest {
            client_id: client_id.get_untracked(),
            client_secret: client_secret.get_untracked(),
        };
        if let Err(v) = req.validate() {
            errors.set_validation(&v);
            return None;
        }
        let req = req.trimmed();
        Some(async move {
            let saved = set_oauth_app(app, &req).await.map_err(|e| {
                if e.is("oauth_app_in_use") {
                    e.with_field("client_id", "cannot change while a connection made with the current app is live; disconnect it first, or keep this client ID to replace only the secret")
                } else {
                    e
                }
            })?;
            toasts.success(format!("The agency's {} OAuth app is saved.", app.label()));
            on_saved.run(saved);
            Ok(())
        })
    };
    let intro = format!(
        "Connect with an OAuth app your agency registers at {} itself. This server has none for {}, so the app you add here is used for this agency only.",
        app.label(),
        app.label()
    );

    view! {
        <ActionModal
            title=format!("Use your own {} OAuth app", app.label())
            action_label="Save app"
            on_close=on_close
            errors=errors
            submit=submit
        >
            <p>{intro}</p>
            <ol class="oauth-app-steps">
                {oauth_app_steps(app).iter().map(|step| view! { <li>{*step}</li> }).collect_view()}
            </ol>
            <CopyField label="Redirect URI" value=redirect_uri copied_message="Redirect URI copied to the clipboard."/>
            <Field
                label=id_label
                value=client_id
                error=errors.field("client_id")
                required=true
                autocomplete="off"
                autofocus=true
            />
            <Field
                label=secret_label
                value=client_secret
                error=errors.field("client_secret")
                input_type="password"
                autocomplete="new-password"
                required=true
                hint=if replacing {
                    "Stored encrypted and never shown again. Paste the secret again to keep the app, or a new one after rotating it."
                } else {
                    "Stored encrypted and never shown again."
                }
            />
        </ActionModal>
    }
}
