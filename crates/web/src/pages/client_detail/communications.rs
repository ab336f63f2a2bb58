//! The client's communications: the inbox's thread list and thread view, filtered to this client. A
//! thread opens in place of the list (the panel is narrow), with "Back to threads". The list keeps the
//! name "Messages" it had before the inbox existed (the integrations e2e reads it).

use leptos::prelude::*;
use uuid::Uuid;

use crate::pages::inbox::logic::Filters;
use crate::pages::inbox::thread_list::{use_thread_list, ThreadListView};
use crate::pages::inbox::thread_view::ThreadView;
use crate::pages::inbox::use_live_version;
use crate::routes::Route;

/// The section.
#[component]
pub fn CommunicationsSection(client_id: Uuid) -> impl IntoView {
    let filters = Signal::stored(Filters {
        client_id: Some(client_id),
        ..Filters::default()
    });
    let (version, changed) = use_live_version();
    let list = use_thread_list(filters, version);
    let selected = RwSignal::new(None::<String>);
    view! {
        <section class="drawer-section client-comms" aria-labelledby="client-comms-title">
            <div class="drawer-section-header">
                <h3 class="drawer-section-title" id="client-comms-title">"Communications"</h3>
                <a class="btn btn-ghost btn-sm" href=Route::Inbox.path()>"Open inbox"</a>
            </div>
            <div hidden=move || selected.with(Option::is_some)>
                <ThreadListView
                    list=list
                    selected=selected
                    on_select=Callback::new(move |key| selected.set(Some(key)))
                    label="Messages"
                    empty_text="Connect Gmail or Slack in Integrations (and link the client's Slack channels) to see its messages here."
                />
            </div>
            {move || {
                selected
                    .get()
                    .map(|key| {
                        view! {
                            <ThreadView
                                thread_key=key
                                version=version
                                on_changed=changed
                                on_back=Callback::new(move |_| selected.set(None))
                            />
                        }
                    })
            }}
        </section>
    }
}
