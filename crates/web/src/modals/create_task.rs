//! The new-task modal of the tasks page: which client, a title, an assignee and a due date; saves with
//! `POST /clients/{id}/tasks` and shows the API's errors under their fields.

use audienceos_shared::client_work::CreateTaskRequest;
use audienceos_shared::clients::{ClientListQuery, ClientSort, SortDir};
use audienceos_shared::pagination::MAX_LIMIT;
use leptos::prelude::*;
use uuid::Uuid;
use validator::Validate;

use crate::api::clients::list_clients;
use crate::api::tasks::create_task;
use crate::api::team::list_members;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use crate::format;
use crate::state::toasts::use_toasts;

/// The new-task modal; `client` is preselected when the page is filtered to one client.
#[component]
pub fn CreateTaskModal(client: Option<Uuid>, on_close: Callback<()>, on_created: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let clients = LocalResource::new(|| async {
        list_clients(&ClientListQuery {
            sort: Some(ClientSort::Name),
            dir: Some(SortDir::Asc),
            limit: Some(MAX_LIMIT),
            ..Default::default()
        })
        .await
    });
    let members = LocalResource::new(|| list_members(None));
    let chosen = RwSignal::new(client);
    let title = RwSignal::new(String::new());
    let assignee = RwSignal::new(None::<Uuid>);
    let due = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let submit = move || {
        let Some(client_id) = chosen.get_untracked() else {
            errors.set_field("client_id", "Choose the client the task is for.");
            return None;
        };
        let req = CreateTaskRequest {
            title: title.get_untracked().trim().to_string(),
            description: None,
            assignee_id: assignee.get_untracked(),
            due_date: format::parse_day(&due.get_untracked()),
        };
        if let Err(v) = req.validate() {
            errors.set_validation(&v);
            return None;
        }
        Some(async move {
            let t = create_task(client_id, &req).await?;
            toasts.success(format!("Task \u{201c}{}\u{201d} added.", t.title));
            on_created.run(());
            Ok(())
        })
    };
    let client_select = unique_id("task-client");
    let assignee_select = unique_id("task-assignee");
    let due_input = unique_id("task-due");
    view! {
        <ActionModal title="New task" action_label="Add task" on_close=on_close errors=errors submit=submit>
            <div class="field">
                <label class="field-label" for=client_select.clone()>"Client"</label>
                <select
                    id=client_select
                    class="input select"
                    aria-invalid=move || errors.field("client_id").get().is_some().then_some("true")
                    on:change=move |ev| chosen.set(Uuid::parse_str(&event_target_value(&ev)).ok())
                >
                    <option value="" selected=client.is_none()>"Choose a client…"</option>
                    {move || {
                        clients
                            .get()
                            .and_then(Result::ok)
                            .map(|p| p.items)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|c| view! { <option value=c.id.to_string() selected=Some(c.id) == client>{c.name}</option> })
                            .collect_view()
                    }}
                </select>
                {move || match clients.get() {
                    None => Some(view! { <p class="field-hint">"Loading clients…"</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <p class="field-error" role="alert">{format!("Clients failed to load: {}", e.message())}</p> }.into_any()),
                    Some(Ok(_)) => None,
                }}
                {move || errors.field("client_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <Field label="Title" value=title error=errors.field("title") required=true autofocus=true/>
            <div class="field">
                <label class="field-label" for=assignee_select.clone()>"Assignee"</label>
                <select
                    id=assignee_select
                    class="input select"
                    on:change=move |ev| assignee.set(Uuid::parse_str(&event_target_value(&ev)).ok())
                >
                    <option value="">"Unassigned"</option>
                    {move || {
                        members
                            .get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|m| view! { <option value=m.id.to_string()>{m.name()}</option> })
                            .collect_view()
                    }}
                </select>
                {move || errors.field("assignee_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="field">
                <label class="field-label" for=due_input.clone()>"Due date"</label>
                <input
                    id=due_input
                    type="date"
                    class="input"
                    prop:value=move || due.get()
                    on:input=move |ev| due.set(event_target_value(&ev))
                />
                {move || errors.field("due_date").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
        </ActionModal>
    }
}
