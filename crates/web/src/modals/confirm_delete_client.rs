//! "Delete client" (Owner/Admin): confirms, calls `DELETE /clients/{id}`, closes only when that succeeded.

use audienceos_shared::clients::Client;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::clients::delete_client;
use crate::components::modal::Modal;
use crate::state::toasts::use_toasts;

/// Confirmation for deleting `client` with everything attached to it.
#[component]
pub fn ConfirmDeleteClientModal(client: Client, on_close: Callback<()>, on_deleted: Callback<Uuid>) -> impl IntoView {
    let toasts = use_toasts();
    let error = RwSignal::new(None::<String>);
    let id = client.id;
    let name = client.name.clone();
    let remove = Action::new_local(move |_: &()| {
        let name = name.clone();
        async move {
            match delete_client(id).await {
                Ok(()) => {
                    toasts.success(format!("{name} deleted."));
                    on_close.run(());
                    on_deleted.run(id);
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    view! {
        <Modal
            title="Delete client"
            action_label="Delete client"
            danger=true
            on_action=Callback::new(move |_| {
                error.set(None);
                remove.dispatch(());
            })
            on_close=on_close
            pending=remove.pending()
            error=error
        >
            <p>
                "Delete " <strong>{client.name.clone()}</strong>
                " with its notes, tasks, files and history? This can't be undone. Archive it instead to keep the history."
            </p>
        </Modal>
    }
}
