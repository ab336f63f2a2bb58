//! "Disconnect {provider}": confirms, calls `DELETE /integrations/{id}` (the API revokes the grant at the
//! provider and deletes the tokens), and closes only when that succeeded.

use audienceos_shared::integrations::IntegrationProvider;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::integrations::disconnect;
use crate::components::modal::Modal;
use crate::state::toasts::use_toasts;

/// Confirmation for disconnecting `provider`.
#[component]
pub fn ConfirmDisconnectModal(
    provider: IntegrationProvider,
    integration_id: Uuid,
    /// The connected account, named in the question.
    account: Option<String>,
    on_close: Callback<()>,
    /// Runs after a successful disconnect (refresh the card).
    on_disconnected: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let error = RwSignal::new(None::<String>);
    let name = provider.label();
    let disconnect_integration = Action::new_local(move |_: &()| async move {
        match disconnect(integration_id).await {
            Ok(()) => {
                toasts.success(format!("{name} disconnected."));
                on_disconnected.try_run(());
                on_close.try_run(());
            }
            Err(e) => error.set(Some(e.message())),
        }
    });
    let who = account.map(|a| format!(" ({a})")).unwrap_or_default();
    view! {
        <Modal
            title=format!("Disconnect {name}?")
            action_label="Disconnect"
            danger=true
            on_action=Callback::new(move |_| {
                error.set(None);
                disconnect_integration.dispatch(());
            })
            on_close=on_close
            pending=disconnect_integration.pending()
            error=error
        >
            <p>
                {format!(
                    "AudienceOS gives up its access to {name}{who}: the grant is revoked at {name} and the stored tokens are deleted."
                )}
            </p>
            <p class="muted">
                "Data already synced stays. Syncing stops until someone connects again."
            </p>
        </Modal>
    }
}
