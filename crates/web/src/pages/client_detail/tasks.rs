//! The client's tasks: add (title, assignee, due date), complete/reopen with a checkbox, change the
//! assignee or due date in place, delete.

use audienceos_shared::client_work::{CreateTaskRequest, Task, UpdateTaskRequest};
use audienceos_shared::team::TeamMember;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use validator::Validate;

use crate::api::tasks::{complete_task, create_task, delete_task, list_tasks, reopen_task, update_task};
use crate::api::team::list_members;
use crate::api::ApiResult;
use crate::components::button::{Button, ButtonKind};
use crate::components::field::FormAlert;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::toasts::{use_toasts, ToastKind};

/// The tasks section.
#[component]
pub fn TasksSection(
    client_id: Uuid,
    can_write: Memo<bool>,
    /// A task changed (open/overdue counts and health may change).
    on_changed: Callback<()>,
) -> impl IntoView {
    let tasks = LocalResource::new(move || list_tasks(client_id));
    let members: LocalResource<ApiResult<Vec<TeamMember>>> = LocalResource::new(|| list_members(None));
    let changed = Callback::new(move |_| {
        tasks.refetch();
        on_changed.run(());
    });
    view! {
        <section class="drawer-section" aria-labelledby="client-tasks-title">
            <h3 class="drawer-section-title" id="client-tasks-title">"Tasks"</h3>
            <SectionBoundary section="Tasks" resource=tasks let:list>
                <TaskList client_id=client_id tasks=list members=members can_write=can_write on_changed=changed/>
            </SectionBoundary>
            <Show when=move || can_write.get()>
                <NewTask client_id=client_id members=members on_created=changed/>
            </Show>
            {members_error(members)}
        </section>
    }
}

/// The `<option>`s of an assignee select, or nothing while the team loads or failed.
fn member_options(members: LocalResource<ApiResult<Vec<TeamMember>>>, selected: Option<Uuid>) -> impl IntoView {
    move || {
        members
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let is = Some(m.id) == selected;
                view! { <option value=m.id.to_string() selected=is>{m.name()}</option> }
            })
            .collect_view()
    }
}

/// A line under a select when the team failed to load, so an empty list is never mistaken for "nobody".
fn members_error(members: LocalResource<ApiResult<Vec<TeamMember>>>) -> impl IntoView {
    move || {
        members.get().and_then(|r| r.err()).map(|e| {
            view! { <p class="field-error" role="alert">{format!("The team failed to load: {}", e.message())}</p> }
        })
    }
}

#[component]
fn TaskList(
    client_id: Uuid,
    tasks: Vec<Task>,
    members: LocalResource<ApiResult<Vec<TeamMember>>>,
    can_write: Memo<bool>,
    on_changed: Callback<()>,
) -> impl IntoView {
    if tasks.is_empty() {
        return view! { <p class="muted">"No tasks yet."</p> }.into_any();
    }
    view! {
        <ul class="tasks">
            {tasks
                .into_iter()
                .map(|t| view! { <TaskRow client_id=client_id task=t members=members can_write=can_write on_changed=on_changed/> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn TaskRow(
    client_id: Uuid,
    task: Task,
    members: LocalResource<ApiResult<Vec<TeamMember>>>,
    can_write: Memo<bool>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let tz = agency_time_zone();
    let today = format::today(&tz);
    let pending = RwSignal::new(false);
    let task_id = task.id;
    let done = task.done_at.is_some();
    let title = task.title.clone();
    let run = move |label: &'static str, fut: std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<()>>>>| {
        pending.set(true);
        spawn_local(async move {
            let result = fut.await;
            pending.try_set(false);
            match result {
                Ok(()) => on_changed.run(()),
                Err(e) => toasts.push(ToastKind::Error, format!("Could not {label}: {}", e.message())),
            }
        });
    };
    let toggle = move |_| {
        if done {
            run(
                "reopen the task",
                Box::pin(async move { reopen_task(client_id, task_id).await.map(drop) }),
            );
        } else {
            run(
                "complete the task",
                Box::pin(async move { complete_task(client_id, task_id).await.map(drop) }),
            );
        }
    };
    let set_assignee = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let req = UpdateTaskRequest {
            assignee_id: Some(Uuid::parse_str(&value).ok()),
            ..Default::default()
        };
        run(
            "change the assignee",
            Box::pin(async move { update_task(client_id, task_id, &req).await.map(drop) }),
        );
    };
    let set_due = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let req = UpdateTaskRequest {
            due_date: Some(format::parse_day(&value)),
            ..Default::default()
        };
        run(
            "change the due date",
            Box::pin(async move { update_task(client_id, task_id, &req).await.map(drop) }),
        );
    };
    let remove = move |_| {
        run(
            "delete the task",
            Box::pin(async move { delete_task(client_id, task_id).await }),
        );
    };
    let check_id = unique_id("task");
    let assignee = task.assignee.as_ref().map(|a| a.id);
    let due = task.due_date;
    view! {
        <li class="task" class:task-done=done aria-busy=move || pending.get().then_some("true")>
            <input
                id=check_id.clone()
                type="checkbox"
                class="checkbox"
                checked=done
                disabled=move || !can_write.get() || pending.get()
                on:change=toggle
            />
            <label for=check_id class="task-title">
                {title.clone()}
                {done.then(|| view! { <span class="sr-only">" (done)"</span> })}
            </label>
            {task.overdue.then(|| view! { <span class="status status-danger"><Icon name=IconName::Alert/>"Overdue"</span> })}
            <div class="task-controls">
                <select
                    class="input select input-sm"
                    aria-label=format!("Assignee of {title}")
                    disabled=move || !can_write.get() || pending.get()
                    on:change=set_assignee
                >
                    <option value="" selected=assignee.is_none()>"Unassigned"</option>
                    {member_options(members, assignee)}
                </select>
                <input
                    type="date"
                    class="input input-sm"
                    aria-label=format!("Due date of {title}")
                    value=due.map(format::iso_day).unwrap_or_default()
                    disabled=move || !can_write.get() || pending.get()
                    on:change=set_due
                />
                {due.map(|d| view! { <span class="sr-only">{format!("Due {}", format::short_day(d, today))}</span> })}
                <Show when=move || can_write.get()>
                    <button type="button" class="icon-btn" aria-label=format!("Delete task {title}") on:click=remove>
                        <Icon name=IconName::Trash/>
                    </button>
                </Show>
            </div>
        </li>
    }
}

#[component]
fn NewTask(
    client_id: Uuid,
    members: LocalResource<ApiResult<Vec<TeamMember>>>,
    on_created: Callback<()>,
) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let assignee = RwSignal::new(None::<Uuid>);
    let due = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = unique_id("new-task");
    let add_task = Action::new_local(move |req: &CreateTaskRequest| {
        let req = req.clone();
        async move {
            match create_task(client_id, &req).await {
                Ok(_) => {
                    title.set(String::new());
                    due.set(String::new());
                    assignee.set(None);
                    on_created.run(());
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    view! {
        <form
            class="new-task"
            on:submit=move |ev| {
                ev.prevent_default();
                error.set(None);
                let req = CreateTaskRequest {
                    title: title.get_untracked().trim().to_string(),
                    description: None,
                    assignee_id: assignee.get_untracked(),
                    due_date: format::parse_day(&due.get_untracked()),
                };
                match req.validate() {
                    Ok(()) => {
                        add_task.dispatch(req);
                    }
                    Err(_) => error.set(Some("Give the task a title (up to 200 characters).".into())),
                }
            }
        >
            <label class="sr-only" for=id.clone()>"New task"</label>
            <input
                id=id
                class="input input-sm"
                placeholder="Add a task…"
                prop:value=move || title.get()
                on:input=move |ev| title.set(event_target_value(&ev))
            />
            <select
                class="input select input-sm"
                aria-label="Assignee of the new task"
                on:change=move |ev| assignee.set(Uuid::parse_str(&event_target_value(&ev)).ok())
            >
                <option value="">"Unassigned"</option>
                {member_options(members, None)}
            </select>
            <input
                type="date"
                class="input input-sm"
                aria-label="Due date of the new task"
                prop:value=move || due.get()
                on:input=move |ev| due.set(event_target_value(&ev))
            />
            <Button button_type="submit" small=true kind=ButtonKind::Secondary pending=add_task.pending()>
                "Add task"
            </Button>
        </form>
        <FormAlert message=error/>
    }
}
