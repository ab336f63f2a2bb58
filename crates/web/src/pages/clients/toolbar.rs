//! The client list's search, filters and sort. Every change writes the URL (the page reads it back);
//! the filter choices (stages, owners, labels) come from the API, and a failed load says so.

use audienceos_shared::clients::{ClientListQuery, ClientSort, Health, HealthSet, SortDir};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::labels::list_labels;
use crate::api::pipeline::list_stages;
use crate::api::team::list_members;
use crate::api::ApiResult;
use crate::components::icons::{Icon, IconName};
use crate::components::unique_id;
use crate::format;

/// Milliseconds of quiet typing before the search is applied.
const SEARCH_DEBOUNCE_MS: u64 = 300;

/// `(value, label)` options of a select, or the load error.
fn options<T: Clone + 'static>(
    resource: LocalResource<ApiResult<Vec<T>>>,
    what: &'static str,
    to_option: fn(&T) -> (Uuid, String),
    selected: Signal<Option<Uuid>>,
) -> impl IntoView {
    move || {
        match resource.get() {
        Some(Ok(list)) => list
            .iter()
            .map(to_option)
            .map(|(id, label)| view! { <option value=id.to_string() selected=move || selected.get() == Some(id)>{label}</option> })
            .collect_view()
            .into_any(),
        Some(Err(_)) => view! { <option value="" disabled=true>{format!("{what} failed to load")}</option> }.into_any(),
        None => view! { <option value="" disabled=true>"Loading…"</option> }.into_any(),
    }
    }
}

/// The toolbar above the table.
#[component]
pub fn Toolbar(filters: Memo<ClientListQuery>, set_filters: Callback<ClientListQuery>) -> impl IntoView {
    let stages = LocalResource::new(list_stages);
    let labels = LocalResource::new(list_labels);
    let members = LocalResource::new(|| list_members(None));
    let search = RwSignal::new(filters.get_untracked().q.unwrap_or_default());
    let typing = StoredValue::new(0u64);
    let update = move |f: &dyn Fn(&mut ClientListQuery)| {
        let mut q = filters.get_untracked();
        f(&mut q);
        set_filters.run(q);
    };
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        search.set(text.clone());
        let generation = typing.get_value() + 1;
        typing.set_value(generation);
        set_timeout(
            move || {
                if typing.get_value() == generation {
                    update(&|q| q.q = Some(text.trim().to_string()).filter(|t| !t.is_empty()));
                }
            },
            std::time::Duration::from_millis(SEARCH_DEBOUNCE_MS),
        );
    };
    let failures = move || {
        let mut failed = Vec::new();
        if let Some(Err(e)) = stages.get() {
            failed.push(format!("Stages: {}", e.message()));
        }
        if let Some(Err(e)) = labels.get() {
            failed.push(format!("Labels: {}", e.message()));
        }
        if let Some(Err(e)) = members.get() {
            failed.push(format!("Team: {}", e.message()));
        }
        (!failed.is_empty()).then(|| {
            view! {
                <div class="alert alert-danger" role="alert">
                    <Icon name=IconName::Alert/>
                    <span>{format!("Some filters could not load. {}", failed.join(" "))}</span>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| {
                        stages.refetch();
                        labels.refetch();
                        members.refetch();
                    }>"Retry"</button>
                </div>
            }
        })
    };
    let search_id = unique_id("search");
    let stage_sel = Signal::derive(move || filters.get().stage_id);
    let owner_sel = Signal::derive(move || filters.get().owner_id);
    let label_sel = Signal::derive(move || filters.get().label_id);

    view! {
        <div class="toolbar" role="search" aria-label="Filter clients">
            <div class="toolbar-search">
                <Icon name=IconName::Search/>
                <label class="sr-only" for=search_id.clone()>"Search clients"</label>
                <input
                    id=search_id
                    class="input"
                    type="search"
                    placeholder="Search name, contact, email, website…"
                    prop:value=move || search.get()
                    on:input=on_search
                />
            </div>
            <select class="input select input-sm" aria-label="Stage" on:change=move |ev| {
                let v = Uuid::parse_str(&event_target_value(&ev)).ok();
                update(&|q| q.stage_id = v);
            }>
                <option value="" selected=move || stage_sel.get().is_none()>"All stages"</option>
                {options(stages, "Stages", |s| (s.id, s.name.clone()), stage_sel)}
            </select>
            <select class="input select input-sm" aria-label="Health" on:change=move |ev| {
                let v = HealthSet::parse(&event_target_value(&ev));
                update(&|q| q.health = v.clone());
            }>
                <option value="" selected=move || filters.get().health.is_none()>"Any health"</option>
                {health_choices()
                    .into_iter()
                    .map(|(set, label)| {
                        let value = set.as_query();
                        view! { <option value=value selected=move || filters.get().health.as_ref() == Some(&set)>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <select class="input select input-sm" aria-label="Owner" on:change=move |ev| {
                let v = Uuid::parse_str(&event_target_value(&ev)).ok();
                update(&|q| q.owner_id = v);
            }>
                <option value="" selected=move || owner_sel.get().is_none()>"Any owner"</option>
                {options(members, "Team", |m| (m.id, m.name()), owner_sel)}
            </select>
            <select class="input select input-sm" aria-label="Label" on:change=move |ev| {
                let v = Uuid::parse_str(&event_target_value(&ev)).ok();
                update(&|q| q.label_id = v);
            }>
                <option value="" selected=move || label_sel.get().is_none()>"Any label"</option>
                {options(labels, "Labels", |l| (l.id, l.name.clone()), label_sel)}
            </select>
            <label class="toolbar-date">
                <span>"Due after"</span>
                <input
                    class="input input-sm"
                    type="date"
                    prop:value=move || filters.get().due_after.map(format::iso_day).unwrap_or_default()
                    on:change=move |ev| {
                        let v = format::parse_day(&event_target_value(&ev));
                        update(&|q| q.due_after = v);
                    }
                />
            </label>
            <label class="toolbar-date">
                <span>"Due before"</span>
                <input
                    class="input input-sm"
                    type="date"
                    prop:value=move || filters.get().due_before.map(format::iso_day).unwrap_or_default()
                    on:change=move |ev| {
                        let v = format::parse_day(&event_target_value(&ev));
                        update(&|q| q.due_before = v);
                    }
                />
            </label>
            <label class="toolbar-check">
                <input
                    type="checkbox"
                    class="checkbox"
                    prop:checked=move || filters.get().archived == Some(true)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        update(&|q| q.archived = on.then_some(true));
                    }
                />
                "Archived only"
            </label>
            <div class="toolbar-sort">
                <select class="input select input-sm" aria-label="Sort by" on:change=move |ev| {
                    let v = ClientSort::parse(&event_target_value(&ev));
                    update(&|q| q.sort = v);
                }>
                    {ClientSort::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || filters.get().sort.unwrap_or_default() == s>
                                    {format!("Sort: {}", s.label())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    aria-label=move || {
                        if filters.get().dir.unwrap_or_default() == SortDir::Asc {
                            "Sort direction: ascending"
                        } else {
                            "Sort direction: descending"
                        }
                    }
                    on:click=move |_| {
                        update(&|q| {
                            q.dir = Some(if q.dir.unwrap_or_default() == SortDir::Asc { SortDir::Desc } else { SortDir::Asc })
                        })
                    }
                >
                    {move || {
                        if filters.get().dir.unwrap_or_default() == SortDir::Asc {
                            view! { <Icon name=IconName::ArrowUp/> "Asc" }.into_any()
                        } else {
                            view! { <Icon name=IconName::ArrowDown/> "Desc" }.into_any()
                        }
                    }}
                </button>
            </div>
        </div>
        {failures}
    }
}

/// The health filter's choices: each value, and "needs attention or at risk" (the dashboard's card).
fn health_choices() -> Vec<(HealthSet, &'static str)> {
    let mut choices: Vec<(HealthSet, &'static str)> = Health::ALL
        .into_iter()
        .map(|h| (HealthSet::from(h), h.label()))
        .collect();
    choices.push((
        HealthSet::of([Health::Yellow, Health::Red]),
        "Needs attention or at risk",
    ));
    choices
}
