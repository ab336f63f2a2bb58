//! Owner picker: a searchable list of the team (`GET /team/members`) and "Unassigned"; saves with
//! `PUT /clients/{id}/owner` and closes only when that succeeded.

use audienceos_shared::clients::Client;
use leptos::prelude::*;

use crate::api::clients::set_owner;
use crate::api::team::list_members;
use crate::components::error_view::ErrorView;
use crate::components::field::Field;
use crate::components::member_list::MemberList;
use crate::components::modal::ActionModal;
use crate::components::spinner::LoadingBlock;
use crate::state::toasts::use_toasts;

/// The owner picker for `client`.
#[component]
pub fn OwnerPicker(client: Client, on_close: Callback<()>, on_saved: Callback<Client>) -> impl IntoView {
    let toasts = use_toasts();
    let members = LocalResource::new(|| list_members(None));
    let search = RwSignal::new(String::new());
    let choice = RwSignal::new(client.owner.as_ref().map(|o| o.id));
    let id = client.id;
    view! {
        <ActionModal
            title=format!("Owner of {}", client.name)
            action_label="Save owner"
            on_close=on_close
            submit=move || {
                let owner = choice.get_untracked();
                Some(async move {
                    let c = set_owner(id, owner).await?;
                    toasts.success(match &c.owner {
                        Some(o) => format!("{} now owns {}.", o.name, c.name),
                        None => format!("{} has no owner now.", c.name),
                    });
                    on_saved.run(c);
                    Ok(())
                })
            }
        >
            <Field label="Search the team" value=search error=Signal::stored(None::<String>) input_type="search" autocomplete="off"/>
            {move || match members.get() {
                None => view! { <LoadingBlock label="Loading the team…"/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="alert alert-danger" role="alert">
                        <ErrorView problem=e.0/>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| members.refetch()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <MemberList members=list choice=choice filter=search legend="Owner" none_label="Unassigned"/>
                }
                .into_any(),
            }}
        </ActionModal>
    }
}
