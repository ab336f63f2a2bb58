//! The resource linker: the provider's resources (Slack channels, Google Ads customer accounts, Meta ad
//! accounts) each with a client `<select>`. Every change is saved at once with
//! `PUT /integrations/{id}/links/{external_id}` and reported on its row; "Done" closes.

use audienceos_shared::clients::{Client, ClientListQuery, ClientSort, SortDir};
use audienceos_shared::integrations::{IntegrationProvider, ProviderResource};
use audienceos_shared::pagination::MAX_LIMIT;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::clients::list_clients;
use crate::api::integrations::{link_resource, list_resources};
use crate::api::ApiResult;
use crate::components::error_view::ErrorView;
use crate::components::modal::Modal;
use crate::components::spinner::LoadingBlock;

/// Where one row's save is.
#[derive(Debug, Clone, PartialEq)]
enum RowState {
    Idle,
    Saving,
    Saved,
    Failed(String),
}

/// The linker for the integration `integration_id` of `provider`.
#[component]
pub fn LinkResourcesModal(
    provider: IntegrationProvider,
    integration_id: Uuid,
    on_close: Callback<()>,
) -> impl IntoView {
    let data = LocalResource::new(move || async move {
        let resources = list_resources(integration_id).await?;
        let clients = list_clients(&ClientListQuery {
            sort: Some(ClientSort::Name),
            dir: Some(SortDir::Asc),
            limit: Some(MAX_LIMIT),
            ..Default::default()
        })
        .await?;
        ApiResult::Ok((resources, clients.items))
    });
    let noun = provider.resource_noun();
    view! {
        <Modal
            title=format!("Link {} {noun}s to clients", provider.label())
            action_label="Done"
            on_close=on_close
            done=true
        >
            <p class="muted">
                {format!(
                    "Choose the client each {noun} belongs to. Changes are saved at once; the next sync brings in their data."
                )}
            </p>
            {move || match data.get() {
                None => view! { <LoadingBlock label=format!("Loading {noun}s…")/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="alert alert-danger" role="alert">
                        <div>
                            <p>{format!("{} {noun}s failed to load.", provider.label())}</p>
                            <ErrorView problem=e.0/>
                        </div>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| data.refetch()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Some(Ok((resources, _))) if resources.is_empty() => view! {
                    <p class="empty-state link-empty">{empty_text(provider)}</p>
                }
                .into_any(),
                Some(Ok((resources, clients))) => view! {
                    <ResourceTable provider=provider integration_id=integration_id resources=resources clients=clients/>
                }
                .into_any(),
            }}
        </Modal>
    }
}

/// What an empty list means for the provider.
fn empty_text(provider: IntegrationProvider) -> &'static str {
    match provider {
        IntegrationProvider::Slack => "No channels visible to the bot — invite it to a channel in Slack",
        IntegrationProvider::GoogleAds => "No customer accounts visible to this Google Ads login.",
        IntegrationProvider::MetaAds => "No ad accounts visible to this Meta user.",
        IntegrationProvider::Gmail => "Gmail matches messages to clients by email address; nothing to link.",
    }
}

#[component]
fn ResourceTable(
    provider: IntegrationProvider,
    integration_id: Uuid,
    resources: Vec<ProviderResource>,
    clients: Vec<Client>,
) -> impl IntoView {
    let clients: Vec<(Uuid, String)> = clients.into_iter().map(|c| (c.id, c.name)).collect();
    let noun = provider.resource_noun();
    let heading = match provider {
        IntegrationProvider::Slack => "Channel",
        _ => "Account",
    };
    view! {
        <div class="table-wrap">
            <table class="table table-compact link-table">
                <caption class="sr-only">{format!("{} {noun}s and their clients", provider.label())}</caption>
                <thead>
                    <tr>
                        <th scope="col">{heading}</th>
                        <th scope="col">"Client"</th>
                        <th scope="col"><span class="sr-only">"Saved"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {resources
                        .into_iter()
                        .map(|r| view! { <ResourceRow integration_id=integration_id resource=r clients=clients.clone()/> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ResourceRow(integration_id: Uuid, resource: ProviderResource, clients: Vec<(Uuid, String)>) -> impl IntoView {
    let linked = RwSignal::new(resource.client_id);
    let state = RwSignal::new(RowState::Idle);
    let name = resource.name.clone();
    let external_id = resource.external_id.clone();
    // A client linked here but not in the list (archived, or past the first page) stays selectable.
    let mut options = clients;
    if let (Some(id), Some(client_name)) = (resource.client_id, resource.client_name.clone()) {
        if !options.iter().any(|(c, _)| *c == id) {
            options.push((id, client_name));
        }
    }
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let choice = Uuid::parse_str(&value).ok();
        if choice == linked.get_untracked() || state.get_untracked() == RowState::Saving {
            return;
        }
        state.set(RowState::Saving);
        let external_id = external_id.clone();
        let name = name.clone();
        spawn_local(async move {
            match link_resource(integration_id, &external_id, choice, name).await {
                Ok(saved) => {
                    linked.try_set(saved.client_id);
                    state.try_set(RowState::Saved);
                }
                Err(e) => {
                    // Put the select back on the link that is still stored.
                    linked.try_update(|_| {});
                    state.try_set(RowState::Failed(e.message()));
                }
            }
        });
    };
    view! {
        <tr>
            <th scope="row">{resource.name.clone()}</th>
            <td>
                <select
                    class="input select input-sm"
                    aria-label=format!("Client for {}", resource.name)
                    disabled=move || state.get() == RowState::Saving
                    prop:value=move || linked.get().map(|id| id.to_string()).unwrap_or_default()
                    on:change=on_change
                >
                    <option value="" selected=move || linked.get().is_none()>"Not linked"</option>
                    {options
                        .into_iter()
                        .map(|(id, client_name)| {
                            view! {
                                <option value=id.to_string() selected=move || linked.get() == Some(id)>
                                    {client_name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td class="link-state" aria-live="polite">
                {move || match state.get() {
                    RowState::Idle => ().into_any(),
                    RowState::Saving => view! { <span class="muted">"Saving…"</span> }.into_any(),
                    RowState::Saved => view! { <span class="trend-good">"Saved"</span> }.into_any(),
                    RowState::Failed(m) => view! { <span class="field-error">{format!("Not saved: {m}")}</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
