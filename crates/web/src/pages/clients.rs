//! `/clients`: the client list with search, filters and sort in the URL (the names of
//! `ClientListQuery`), cursor "Load more", "New client", CSV export of the same filters and CSV import
//! with a per-row report. A row opens the detail panel (`?client=<id>`).

mod query;
mod toolbar;

use audienceos_shared::clients::{Client, ClientListQuery};
use audienceos_shared::Page;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use uuid::Uuid;

use self::query::{from_params, is_filtered, to_search};
use self::toolbar::Toolbar;
use super::client_detail::ClientPanelHost;
use super::command_center::use_new_param;
use super::{agency_time_zone, use_set_param};
use crate::api::clients::{export_csv_url, list_clients};
use crate::api::ApiResult;
use crate::components::badges::{Avatar, HealthBadge, LabelChip};
use crate::components::button::{Button, ButtonKind};
use crate::components::field::FormAlert;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::modals::create_client::CreateClientModal;
use crate::modals::import_clients::ImportClientsModal;
use crate::routes::{Route, CLIENT_PARAM};

/// Rows per page.
const PAGE_SIZE: u32 = 50;

async fn load(q: ClientListQuery, cursor: Option<String>) -> ApiResult<Page<Client>> {
    list_clients(&ClientListQuery {
        limit: Some(PAGE_SIZE),
        cursor,
        ..q
    })
    .await
}

/// The client list page.
#[component]
pub fn ClientsPage() -> impl IntoView {
    let params = use_query_map();
    let navigate = use_navigate();
    let set_param = use_set_param();
    let filters = Memo::new(move |_| params.with(|m| from_params(|k| m.get(k))));
    let set_filters = Callback::new(move |q: ClientListQuery| {
        let client = params.with_untracked(|m| m.get(CLIENT_PARAM));
        navigate(
            &format!("{}{}", Route::Clients.path(), to_search(&q, client.as_deref())),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let first = LocalResource::new(move || load(filters.get(), None));
    let rows = RwSignal::new(Vec::<Client>::new());
    let creating = RwSignal::new(false);
    let importing = RwSignal::new(false);
    // The command palette's "New client" (`?new=1`).
    use_new_param(move || creating.set(true));
    let open_client = Callback::new(move |id: Uuid| set_param(CLIENT_PARAM, Some(id.to_string())));

    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Clients"</h1>
                    <p class="page-subtitle">"Search, filter and sort; the address bar keeps the view, so a copied link shows the same list."</p>
                </div>
                <div class="page-actions">
                    <a class="btn btn-secondary" href=move || export_csv_url(&filters.get()) download="clients.csv">
                        <Icon name=IconName::Download/>
                        "Export CSV"
                    </a>
                    <Button kind=ButtonKind::Secondary on_click=Callback::new(move |_| importing.set(true))>
                        <Icon name=IconName::Upload/>
                        "Import CSV"
                    </Button>
                    <Button on_click=Callback::new(move |_| creating.set(true))>
                        <Icon name=IconName::Plus/>
                        "New client"
                    </Button>
                </div>
            </header>
            <Toolbar filters=filters set_filters=set_filters/>
            <SectionBoundary section="Clients" resource=first let:page>
                <ClientsTable
                    page=page
                    rows=rows
                    filters=filters
                    on_open=open_client
                    on_clear=Callback::new(move |_| set_filters.run(ClientListQuery {
                        sort: filters.get_untracked().sort,
                        dir: filters.get_untracked().dir,
                        ..Default::default()
                    }))
                    on_create=Callback::new(move |_| creating.set(true))
                />
            </SectionBoundary>
            <ClientPanelHost
                on_changed=Callback::new(move |c: Client| {
                    rows.update(|list| {
                        if let Some(row) = list.iter_mut().find(|r| r.id == c.id) {
                            *row = c;
                        }
                    })
                })
                on_removed=Callback::new(move |id: Uuid| rows.update(|list| list.retain(|r| r.id != id)))
                on_reload=Callback::new(move |_| first.refetch())
            />
            <Show when=move || creating.get()>
                <CreateClientModal
                    on_close=Callback::new(move |_| creating.set(false))
                    on_created=Callback::new(move |c: Client| {
                        first.refetch();
                        open_client.run(c.id);
                    })
                />
            </Show>
            <Show when=move || importing.get()>
                <ImportClientsModal
                    on_close=Callback::new(move |_| importing.set(false))
                    on_imported=Callback::new(move |_| first.refetch())
                />
            </Show>
        </div>
    }
}

#[component]
fn ClientsTable(
    page: Page<Client>,
    rows: RwSignal<Vec<Client>>,
    filters: Memo<ClientListQuery>,
    on_open: Callback<Uuid>,
    on_clear: Callback<()>,
    on_create: Callback<()>,
) -> impl IntoView {
    let tz = agency_time_zone();
    let today = format::today(&tz);
    rows.set(page.items);
    let cursor = RwSignal::new(page.next_cursor);
    let load_error = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |c: &String| {
        let c = c.clone();
        async move {
            match load(filters.get_untracked(), Some(c)).await {
                Ok(p) => {
                    rows.update(|list| list.extend(p.items));
                    cursor.set(p.next_cursor);
                }
                Err(e) => load_error.set(Some(format!("{} Try again.", e.message()))),
            }
        }
    });

    view! {
        <Show
            when=move || !rows.with(Vec::is_empty)
            fallback=move || {
                if is_filtered(&filters.get_untracked()) {
                    view! {
                        <div class="empty-state">
                            <span class="empty-icon"><Icon name=IconName::Search/></span>
                            <p class="empty-title">"No clients match these filters"</p>
                            <Button kind=ButtonKind::Secondary on_click=Callback::new(move |_| on_clear.run(()))>
                                "Clear filters"
                            </Button>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <div class="empty-state">
                            <span class="empty-icon"><Icon name=IconName::Users/></span>
                            <p class="empty-title">"No clients yet"</p>
                            <p class="muted">"Add your first client, or import a CSV from your old tool."</p>
                            <Button kind=ButtonKind::Secondary on_click=Callback::new(move |_| on_create.run(()))>
                                "New client"
                            </Button>
                        </div>
                    }
                    .into_any()
                }
            }
        >
            <div class="table-wrap card card-flush">
                <table class="table clients-table">
                    <caption class="sr-only">"Clients"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Stage"</th>
                            <th scope="col">"Health"</th>
                            <th scope="col">"Owner"</th>
                            <th scope="col">"In stage"</th>
                            <th scope="col">"Labels"</th>
                            <th scope="col">"Due"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|c| (c.id, c.updated_at) let:c>
                            <ClientRow client=c today=today on_open=on_open/>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
        <FormAlert message=load_error/>
        <Show when=move || cursor.with(Option::is_some)>
            <div class="load-more">
                <Button
                    kind=ButtonKind::Secondary
                    pending=load_more.pending()
                    on_click=Callback::new(move |_| {
                        load_error.set(None);
                        if let Some(c) = cursor.get_untracked() {
                            load_more.dispatch(c);
                        }
                    })
                >
                    "Load more"
                </Button>
            </div>
        </Show>
    }
}

#[component]
fn ClientRow(client: Client, today: chrono::NaiveDate, on_open: Callback<Uuid>) -> impl IntoView {
    let id = client.id;
    let labels = client
        .labels
        .iter()
        .cloned()
        .map(|l| view! { <LabelChip label=l/> })
        .collect_view();
    let due = client.due_date.map(|d| {
        let overdue = d < today;
        view! {
            <span class:card-overdue=overdue>
                {format::short_day(d, today)}
                {overdue.then_some(" (overdue)")}
            </span>
        }
    });
    view! {
        <tr>
            <th scope="row" class="cell-strong">
                <button type="button" class="link-button" on:click=move |_| on_open.run(id)>
                    {client.name.clone()}
                </button>
                {client.contact_email.clone().map(|e| view! { <span class="cell-sub">{e}</span> })}
                {client.archived_at.map(|_| view! { <span class="badge badge-warning">"Archived"</span> })}
            </th>
            <td data-label="Stage">{client.stage.clone()}</td>
            <td><HealthBadge health=client.health/></td>
            <td>
                {match client.owner.clone() {
                    Some(o) => view! { <span class="owner"><Avatar name=o.name.clone()/>{o.name}</span> }.into_any(),
                    None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
                }}
            </td>
            <td class="cell-nowrap" data-label="In stage">{format::days(client.days_in_stage)}</td>
            <td><span class="card-labels">{labels}</span></td>
            <td class="cell-nowrap" data-label="Due">{due}</td>
        </tr>
    }
}
