//! "Revoke API key": confirms, calls `DELETE /api-keys/{id}`, and closes only when that succeeded.

use audienceos_shared::api_keys::ApiKey;
use leptos::prelude::*;

use crate::api::api_keys::revoke_api_key;
use crate::components::modal::Modal;
use crate::state::toasts::use_toasts;

/// Confirmation for revoking `key`.
#[component]
pub fn ConfirmRevokeModal(
    key: ApiKey,
    on_close: Callback<()>,
    /// Runs after a successful revoke (refresh the list).
    on_revoked: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let error = RwSignal::new(None::<String>);
    let id = key.id;
    let revoke_key = Action::new_local(move |_: &()| async move {
        match revoke_api_key(id).await {
            Ok(()) => {
                toasts.success("API key revoked.");
                on_revoked.try_run(());
                on_close.try_run(());
            }
            Err(e) => error.set(Some(e.message())),
        }
    });
    view! {
        <Modal
            title="Revoke API key"
            action_label="Revoke key"
            danger=true
            on_action=Callback::new(move |_| {
                error.set(None);
                revoke_key.dispatch(());
            })
            on_close=on_close
            pending=revoke_key.pending()
            error=error
        >
            <p>
                "Revoke " <strong>{key.name.clone()}</strong> " (" <code>{format!("{}…", key.prefix)}</code>
                ")? Anything using this key stops working immediately. This can't be undone."
            </p>
        </Modal>
    }
}
