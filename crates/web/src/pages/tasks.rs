//! `/tasks`: every task of the agency's active clients, mine or everyone's, open or done, filtered by due
//! group and client, grouped by when they are due (overdue first). Complete a task inline with its
//! checkbox; arrow keys move between tasks. The filters live in the URL (`?assignee=me&due=overdue`), so
//! the dashboard's task cards link here; `?new=1` opens "New task".

use audienceos_shared::tasks::{TaskDue, TaskListItem, TaskListQuery, TaskStatus};
use audienceos_shared::Page;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{agency_time_zone, use_set_param};
use crate::api::tasks::{complete_task, list_agency_tasks, reopen_task};
use crate::api::ApiResult;
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::load_more::{LoadMore, Pager};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::modals::create_task::CreateTaskModal;
use crate::pages::command_center::NEW_PARAM;
use crate::routes::{encode_component, Route, CLIENT_PARAM};
use crate::state::toasts::{use_toasts, ToastKind};

/// Tasks per page.
const PAGE_SIZE: u32 = 100;

/// The filters of the URL.
fn from_params(get: impl Fn(&str) -> Option<String>) -> TaskListQuery {
    TaskListQuery {
        status: get("status").and_then(|s| match s.as_str() {
            "done" => Some(TaskStatus::Done),
            "all" => Some(TaskStatus::All),
            _ => None,
        }),
        assignee: get("assignee").filter(|s| !s.is_empty()),
        due: get("due").as_deref().and_then(TaskDue::parse),
        client_id: get("client_id").and_then(|s| Uuid::parse_str(&s).ok()),
        ..Default::default()
    }
}

async fn load(q: TaskListQuery, cursor: Option<String>) -> ApiResult<Page<TaskListItem>> {
    list_agency_tasks(&TaskListQuery {
        limit: Some(PAGE_SIZE),
        cursor,
        ..q
    })
    .await
}

/// The tasks page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let params = use_query_map();
    let set_param = use_set_param();
    let filters = Memo::new(move |_| params.with(|m| from_params(|k| m.get(k))));
    let creating = Memo::new(move |_| params.with(|m| m.get(NEW_PARAM).is_some()));
    let reload = RwSignal::new(0u32);
    let first = LocalResource::new(move || {
        reload.track();
        load(filters.get(), None)
    });
    let set = {
        let set_param = set_param.clone();
        move |key: &'static str, value: Option<String>| set_param(key, value)
    };
    let close_new = {
        let set = set.clone();
        Callback::new(move |_| set(NEW_PARAM, None))
    };
    let open_new = {
        let set = set.clone();
        Callback::new(move |_| set(NEW_PARAM, Some("1".into())))
    };
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Tasks"</h1>
                    <p class="page-subtitle">"Everything due across your clients, soonest first."</p>
                </div>
                <div class="page-actions">
                    <Button on_click=open_new>
                        <Icon name=IconName::Plus/>
                        "New task"
                    </Button>
                </div>
            </header>
            <TaskToolbar filters=filters set=Callback::new(move |(k, v): (&'static str, Option<String>)| set(k, v))/>
            <SectionBoundary section="Tasks" resource=first let:page>
                <TaskGroups first=page filters=filters.get_untracked() on_reset=Callback::new({
                    let set_param = set_param.clone();
                    move |_| {
                        for key in ["assignee", "due", "client_id", "status"] {
                            set_param(key, None);
                        }
                    }
                })/>
            </SectionBoundary>
            <Show when=move || creating.get()>
                <CreateTaskModal
                    client=filters.get_untracked().client_id
                    on_close=close_new
                    on_created=Callback::new(move |_| reload.update(|n| *n += 1))
                />
            </Show>
        </div>
    }
}

/// Mine/everyone, open/done, and the due group.
#[component]
fn TaskToolbar(filters: Memo<TaskListQuery>, set: Callback<(&'static str, Option<String>)>) -> impl IntoView {
    let who = unique_id("tasks-who");
    let status_id = unique_id("tasks-status");
    let due_id = unique_id("tasks-due");
    let segment = move |value: Option<&'static str>, label: &'static str| {
        let id = format!("{who}-{}", value.unwrap_or("all"));
        let name = who.clone();
        view! {
            <input
                type="radio"
                class="segmented-input"
                id=id.clone()
                name=name
                checked=move || filters.with(|f| f.assignee.as_deref() == value)
                on:change=move |_| set.run(("assignee", value.map(String::from)))
            />
            <label class="segmented-label" for=id>{label}</label>
        }
    };
    view! {
        <div class="toolbar tasks-toolbar" role="search" aria-label="Filter tasks">
            <fieldset class="segmented">
                <legend class="sr-only">"Whose tasks"</legend>
                {segment(None, "Everyone")}
                {segment(Some("me"), "Mine")}
                {segment(Some("none"), "Unassigned")}
            </fieldset>
            <label class="sr-only" for=due_id.clone()>"Due"</label>
            <select
                id=due_id
                class="input select input-sm"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set.run(("due", (!v.is_empty()).then_some(v)));
                }
            >
                <option value="" selected=move || filters.with(|f| f.due.is_none())>"Any due date"</option>
                {TaskDue::ALL
                    .into_iter()
                    .map(|d| view! {
                        <option value=d.as_str() selected=move || filters.with(|f| f.due == Some(d))>{d.label()}</option>
                    })
                    .collect_view()}
            </select>
            <label class="sr-only" for=status_id.clone()>"Status"</label>
            <select
                id=status_id
                class="input select input-sm"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set.run(("status", (v != "open").then_some(v)));
                }
            >
                <option value="open" selected=move || filters.with(|f| f.status.is_none())>"Open"</option>
                <option value="done" selected=move || filters.with(|f| f.status == Some(TaskStatus::Done))>"Done"</option>
                <option value="all" selected=move || filters.with(|f| f.status == Some(TaskStatus::All))>"Open and done"</option>
            </select>
            {move || filters.with(|f| f.client_id).map(|_| view! {
                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| set.run(("client_id", None))>
                    "One client"
                    <Icon name=IconName::Close/>
                    <span class="sr-only">"Show every client"</span>
                </button>
            })}
        </div>
    }
}

/// The loaded tasks in their due groups, with "Load more".
#[component]
fn TaskGroups(first: Page<TaskListItem>, filters: TaskListQuery, on_reset: Callback<()>) -> impl IntoView {
    if first.items.is_empty() {
        let filtered = filters.assignee.is_some() || filters.due.is_some() || filters.client_id.is_some();
        let (title, text) = match (filters.status.unwrap_or_default(), filtered) {
            (_, true) => ("No tasks match these filters", "Try everyone's tasks or any due date."),
            (TaskStatus::Done, false) => ("No completed tasks yet", "Tasks you complete show up here."),
            _ => (
                "No open tasks",
                "Add tasks here or on a client; the ones with due dates are what the dashboard counts.",
            ),
        };
        return view! {
            <div class="empty-state">
                <span class="empty-icon"><Icon name=IconName::Check/></span>
                <p class="empty-title">{title}</p>
                <p class="muted">{text}</p>
                {filtered.then(|| view! {
                    <Button kind=ButtonKind::Secondary small=true on_click=Callback::new(move |_| on_reset.run(()))>"Clear filters"</Button>
                })}
            </div>
        }
        .into_any();
    }
    let by_due = filters.status.unwrap_or_default() != TaskStatus::Done;
    let pager = Pager::new(
        first,
        move |c| load(filters.clone(), Some(c)),
        |t: &TaskListItem| t.task.id,
    );
    let items = pager.items;
    let tz = agency_time_zone();
    let today = format::today(&tz);
    let groups = move || {
        let list = items.get();
        if !by_due {
            return vec![("Completed", list)];
        }
        TaskDue::ALL
            .into_iter()
            .map(|d| {
                let group: Vec<TaskListItem> = list
                    .iter()
                    .filter(|t| t.task.done_at.is_none() && TaskDue::of(t.task.due_date, today) == d)
                    .cloned()
                    .collect();
                (d.label(), group)
            })
            .chain(std::iter::once((
                "Completed",
                list.iter().filter(|t| t.task.done_at.is_some()).cloned().collect(),
            )))
            .filter(|(_, g)| !g.is_empty())
            .collect()
    };
    let updated = Callback::new(move |t: TaskListItem| {
        items.update(|list| {
            if let Some(x) = list.iter_mut().find(|x| x.task.id == t.task.id) {
                *x = t;
            }
        })
    });
    view! {
        <div class="task-groups" on:keydown=move_between_tasks>
            {move || {
                groups()
                    .into_iter()
                    .map(|(label, group)| {
                        let heading = unique_id("task-group");
                        let labelled_by = heading.clone();
                        let count = group.len();
                        view! {
                            <section class="card task-group" aria-labelledby=labelled_by>
                                <h2 class="task-group-title" id=heading>
                                    {label}
                                    <span class="badge">{count}</span>
                                </h2>
                                <ul class="tasks">
                                    {group.into_iter().map(|t| view! { <AgencyTaskRow item=t today=today on_updated=updated/> }).collect_view()}
                                </ul>
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </div>
        <LoadMore pager=pager/>
    }
    .into_any()
}

/// ArrowDown/ArrowUp move focus between the tasks' checkboxes.
fn move_between_tasks(ev: KeyboardEvent) {
    let down = match ev.key().as_str() {
        "ArrowDown" => true,
        "ArrowUp" => false,
        _ => return,
    };
    let Some(active) = document().active_element() else {
        return;
    };
    if !active.class_list().contains("task-check") {
        return;
    }
    let Ok(nodes) = document().query_selector_all(".task-groups .task-check") else {
        return;
    };
    let boxes: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let Some(at) = boxes.iter().position(|b| b.as_ref() as &web_sys::Element == &active) else {
        return;
    };
    let next = if down { at + 1 } else { at.wrapping_sub(1) };
    if let Some(b) = boxes.get(next) {
        ev.prevent_default();
        let _ = b.focus();
    }
}

/// One task: complete/reopen, its client, assignee and due date.
#[component]
fn AgencyTaskRow(item: TaskListItem, today: chrono::NaiveDate, on_updated: Callback<TaskListItem>) -> impl IntoView {
    let toasts = use_toasts();
    let pending = RwSignal::new(false);
    let task = item.task.clone();
    let client = item.client.clone();
    let done = task.done_at.is_some();
    let (client_id, task_id) = (client.id, task.id);
    let title = task.title.clone();
    let toggle = move |_| {
        pending.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = if done {
                reopen_task(client_id, task_id).await
            } else {
                complete_task(client_id, task_id).await
            };
            pending.try_set(false);
            match result {
                Ok(t) => {
                    toasts.success(if done {
                        format!("Reopened \u{201c}{}\u{201d}.", t.title)
                    } else {
                        format!("Completed \u{201c}{}\u{201d}.", t.title)
                    });
                    on_updated.run(TaskListItem { task: t, client });
                }
                Err(e) => toasts.push(ToastKind::Error, format!("Could not update the task: {}", e.message())),
            }
        });
    };
    let check_id = unique_id("agency-task");
    let client_href = format!(
        "{}?{CLIENT_PARAM}={}",
        Route::Clients.path(),
        encode_component(&client_id.to_string())
    );
    view! {
        <li class="task agency-task" class:task-done=done aria-busy=move || pending.get().then_some("true")>
            <input
                id=check_id.clone()
                type="checkbox"
                class="checkbox task-check"
                checked=done
                disabled=move || pending.get()
                on:change=toggle
            />
            <div class="agency-task-main">
                <label for=check_id class="task-title">
                    {title}
                    {done.then(|| view! { <span class="sr-only">" (done)"</span> })}
                </label>
                <div class="agency-task-meta">
                    <a href=client_href>{item.client.name.clone()}</a>
                    {task.assignee.as_ref().map(|a| view! { <span>{a.name.clone()}</span> })}
                    {task.description.clone().map(|d| view! { <span class="muted agency-task-desc">{d}</span> })}
                </div>
            </div>
            {task.overdue.then(|| view! { <span class="status status-danger"><Icon name=IconName::Alert/>"Overdue"</span> })}
            {task.due_date.map(|d| view! {
                <time class="agency-task-due muted" datetime=format::iso_day(d)>{format::short_day(d, today)}</time>
            })}
        </li>
    }
}
