//! Collaborators picker: tick the team members who work on the client besides its owner (Members see
//! the clients they collaborate on). Saves with `PUT /clients/{id}/collaborators`.

use audienceos_shared::clients::Client;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::clients::set_collaborators;
use crate::api::team::list_members;
use crate::components::badges::Avatar;
use crate::components::error_view::ErrorView;
use crate::components::field::Field;
use crate::components::member_list::matches;
use crate::components::modal::ActionModal;
use crate::components::spinner::LoadingBlock;
use crate::state::toasts::use_toasts;

/// The collaborators picker for `client`.
#[component]
pub fn CollaboratorsPicker(client: Client, on_close: Callback<()>, on_saved: Callback<Client>) -> impl IntoView {
    let toasts = use_toasts();
    let members = LocalResource::new(|| list_members(None));
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(client.collaborators.iter().map(|u| u.id).collect::<Vec<Uuid>>());
    let id = client.id;
    view! {
        <ActionModal
            title=format!("Collaborators of {}", client.name)
            action_label="Save collaborators"
            on_close=on_close
            submit=move || {
                let ids = chosen.get_untracked();
                Some(async move {
                    let c = set_collaborators(id, ids).await?;
                    toasts.success(format!("Collaborators of {} saved.", c.name));
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
                Some(Ok(list)) => {
                    let q = search.get();
                    let shown: Vec<_> = list.into_iter().filter(|m| matches(m, &q)).collect();
                    if shown.is_empty() {
                        return view! { <p class="muted">"No team member matches."</p> }.into_any();
                    }
                    view! {
                        <fieldset class="choices">
                            <legend class="sr-only">"Collaborators"</legend>
                            <ul class="choice-list">
                                {shown
                                    .into_iter()
                                    .map(|m| {
                                        let member = m.id;
                                        let check = format!("collab-{member}");
                                        view! {
                                            <li class="choice">
                                                <input
                                                    type="checkbox"
                                                    class="checkbox"
                                                    id=check.clone()
                                                    checked=move || chosen.with(|c| c.contains(&member))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        chosen.update(|c| {
                                                            c.retain(|x| *x != member);
                                                            if on {
                                                                c.push(member);
                                                            }
                                                        });
                                                    }
                                                />
                                                <label for=check>
                                                    <Avatar name=m.name()/>
                                                    <span class="choice-name">{m.name()}</span>
                                                    <span class="muted">{format!("{} · {}", m.role, m.email)}</span>
                                                </label>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </fieldset>
                    }
                    .into_any()
                }
            }}
        </ActionModal>
    }
}
