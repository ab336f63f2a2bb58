//! The client detail panel: a side drawer opened from the pipeline and the client list, kept open across
//! reloads by `?client=<id>`. Inline field edits, the stage, archive/restore/delete, the four pickers
//! (owner, labels, due date, files), health with its reasons, tasks, notes and stage history.

mod ad_performance;
mod alerts;
mod communications;
mod fields;
mod history;
mod notes;
mod seo;
mod tasks;

use audienceos_shared::client_work::ClientFile;
use audienceos_shared::clients::{Client, MoveStageRequest};
use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use self::ad_performance::AdPerformanceSection;
use self::alerts::ClientAlerts;
use self::communications::CommunicationsSection;
use self::fields::{EditField, InlineField};
use self::history::{HealthReasons, StageHistory};
use self::notes::NotesSection;
use self::seo::SeoSection;
use self::tasks::TasksSection;
use super::{agency_time_zone, use_set_param};
use crate::api::clients::{archive_client, delete_client, get_client, move_stage, restore_client};
use crate::api::files::{download_url, list_files};
use crate::api::pipeline::list_stages;
use crate::components::badges::{HealthBadge, LabelChip};
use crate::components::button::{Button, ButtonKind};
use crate::components::drawer::Drawer;
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ConfirmModal;
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::modals::collaborators_picker::CollaboratorsPicker;
use crate::modals::due_date_picker::DueDatePicker;
use crate::modals::file_picker::FilePicker;
use crate::modals::label_picker::LabelPicker;
use crate::modals::owner_picker::OwnerPicker;
use crate::routes::CLIENT_PARAM;
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind};

/// Shows the panel while the URL has `?client=<id>`.
#[component]
pub fn ClientPanelHost(
    /// A change saved in the panel (the page updates its row or card in place).
    on_changed: Callback<Client>,
    /// The client was deleted.
    on_removed: Callback<Uuid>,
    /// The page should refetch (after a stage conflict).
    #[prop(optional)]
    on_reload: Option<Callback<()>>,
) -> impl IntoView {
    let query = use_query_map();
    let set_param = use_set_param();
    let open = Memo::new(move |_| {
        query
            .with(|q| q.get(CLIENT_PARAM))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let close = Callback::new(move |_| set_param(CLIENT_PARAM, None));
    move || {
        open.get().map(|id| {
            view! {
                <ClientPanel id=id on_close=close on_changed=on_changed on_removed=on_removed on_reload=on_reload/>
            }
        })
    }
}

#[component]
fn ClientPanel(
    id: Uuid,
    on_close: Callback<()>,
    on_changed: Callback<Client>,
    on_removed: Callback<Uuid>,
    on_reload: Option<Callback<()>>,
) -> impl IntoView {
    let client = LocalResource::new(move || get_client(id));
    view! {
        <Drawer label="Client details" eyebrow="Client" close_label="Close client details" on_close=on_close>
                <SectionBoundary section="Client" resource=client let:data>
                    <ClientBody
                        data=data
                        on_changed=on_changed
                        on_removed=Callback::new(move |id| {
                            on_removed.run(id);
                            on_close.run(());
                        })
                        on_reload=Callback::new(move |_| {
                            client.refetch();
                            if let Some(r) = on_reload {
                                r.run(());
                            }
                        })
                    />
                </SectionBoundary>
        </Drawer>
    }
}

/// Which picker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picker {
    Owner,
    Collaborators,
    Labels,
    DueDate,
    Files,
    Delete,
}

#[component]
fn ClientBody(
    data: Client,
    on_changed: Callback<Client>,
    on_removed: Callback<Uuid>,
    on_reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let tz = agency_time_zone();
    let today = format::today(&tz);
    let id = data.id;
    let client = RwSignal::new(data);
    let saved = Callback::new(move |c: Client| {
        client.set(c.clone());
        on_changed.run(c);
    });
    // Task changes move the open/overdue counts and health: reread the client and update in place.
    let refresh = Callback::new(move |_| {
        spawn_local(async move {
            match get_client(id).await {
                Ok(c) => saved.run(c),
                Err(e) => toasts.push(
                    ToastKind::Error,
                    format!("Could not refresh the client: {}", e.message()),
                ),
            }
        })
    });
    let picker = RwSignal::new(None::<Picker>);
    let close_picker = Callback::new(move |_| picker.set(None));
    let can_write = Memo::new(move |_| session.can(Resource::Clients, Perm::Write));
    let can_manage = Memo::new(move |_| session.can(Resource::Clients, Perm::Manage));
    let files = LocalResource::new(move || list_files(id));

    let archived = move || client.with(|c| c.archived_at.is_some());
    let toggle_archive = Action::new_local(move |_: &()| async move {
        let result = if client.with_untracked(|c| c.archived_at.is_some()) {
            restore_client(id).await
        } else {
            archive_client(id).await
        };
        match result {
            Ok(c) => {
                toasts.success(if c.archived_at.is_some() {
                    format!("{} archived.", c.name)
                } else {
                    format!("{} restored.", c.name)
                });
                saved.run(c);
            }
            Err(e) => toasts.push(ToastKind::Error, e.message()),
        }
    });

    let owner_text = move || {
        client.with(|c| {
            c.owner
                .as_ref()
                .map(|o| o.name.clone())
                .unwrap_or_else(|| "Unassigned".into())
        })
    };
    let collaborators_text = move || {
        client.with(|c| {
            if c.collaborators.is_empty() {
                "None".to_string()
            } else {
                c.collaborators
                    .iter()
                    .map(|u| u.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        })
    };
    let due_text = move || {
        client.with(|c| match c.due_date {
            Some(d) if d < today => format!("{} (overdue)", format::day(d)),
            Some(d) => format::day(d),
            None => "No due date".into(),
        })
    };
    let label_chips = move || {
        let labels = client.with(|c| c.labels.clone());
        if labels.is_empty() {
            view! { <span class="muted">"No labels"</span> }.into_any()
        } else {
            labels
                .into_iter()
                .map(|l| view! { <LabelChip label=l/> })
                .collect_view()
                .into_any()
        }
    };

    view! {
        <div class="drawer-header">
            <h2 class="drawer-title" id="client-panel-title">{move || client.with(|c| c.name.clone())}</h2>
            <div class="drawer-badges">
                {move || view! { <HealthBadge health=client.with(|c| c.health)/> }}
                <span class="badge">{move || client.with(|c| c.stage.clone())}</span>
                <span class="muted">{move || client.with(|c| format!("{} in stage", format::days(c.days_in_stage)))}</span>
                <Show when=archived>
                    <span class="badge badge-warning">"Archived"</span>
                </Show>
            </div>
        </div>
        <div class="drawer-actions">
            <StageSelect client=client saved=saved on_reload=on_reload disabled=Signal::derive(move || !can_write.get())/>
            <Show when=move || can_write.get()>
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=toggle_archive.pending()
                    on_click=Callback::new(move |_| {
                        toggle_archive.dispatch(());
                    })
                >
                    <Icon name=IconName::Archive/>
                    {move || if archived() { "Restore" } else { "Archive" }}
                </Button>
            </Show>
            <Show when=move || can_manage.get()>
                <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| picker.set(Some(Picker::Delete)))>
                    <Icon name=IconName::Trash/>
                    "Delete"
                </Button>
            </Show>
        </div>

        <section class="drawer-section" aria-labelledby="client-props-title">
            <h3 class="drawer-section-title" id="client-props-title">"Details"</h3>
            <dl class="props">
                <PropRow label="Owner" icon=IconName::User action="Change owner" can=can_write on_open=Callback::new(move |_| picker.set(Some(Picker::Owner)))>
                    {owner_text}
                </PropRow>
                <PropRow label="Collaborators" icon=IconName::Users action="Change collaborators" can=can_write on_open=Callback::new(move |_| picker.set(Some(Picker::Collaborators)))>
                    {collaborators_text}
                </PropRow>
                <PropRow label="Labels" icon=IconName::Tag action="Edit labels" can=can_write on_open=Callback::new(move |_| picker.set(Some(Picker::Labels)))>
                    <span class="card-labels">{label_chips}</span>
                </PropRow>
                <PropRow label="Due date" icon=IconName::Calendar action="Set due date" can=can_write on_open=Callback::new(move |_| picker.set(Some(Picker::DueDate)))>
                    {due_text}
                </PropRow>
                <PropRow label="Files" icon=IconName::Paperclip action="Manage files" can=can_write on_open=Callback::new(move |_| picker.set(Some(Picker::Files)))>
                    <FileSummary client_id=id files=files/>
                </PropRow>
            </dl>
            <div class="props props-fields">
                {EditField::ALL
                    .into_iter()
                    .map(|field| view! { <InlineField field=field client=client saved=saved can_edit=can_write/> })
                    .collect_view()}
            </div>
        </section>

        <section class="drawer-section" aria-labelledby="client-health-title">
            <h3 class="drawer-section-title" id="client-health-title">"Health"</h3>
            {move || view! { <HealthReasons client=client.get()/> }}
        </section>

        <ClientAlerts client_id=id/>
        <SeoSection
            client_id=id
            website=Signal::derive(move || client.with(|c| c.website.clone()))
            can_write=Signal::derive(move || can_write.get())
        />
        <AdPerformanceSection client_id=id/>
        <CommunicationsSection client_id=id/>
        <TasksSection client_id=id can_write=can_write on_changed=refresh/>
        <NotesSection client_id=id/>
        <StageHistory client_id=id stage=Signal::derive(move || client.with(|c| c.stage_id))/>

        {move || match picker.get() {
            None => ().into_any(),
            Some(Picker::Owner) => view! { <OwnerPicker client=client.get_untracked() on_close=close_picker on_saved=saved/> }.into_any(),
            Some(Picker::Collaborators) => view! { <CollaboratorsPicker client=client.get_untracked() on_close=close_picker on_saved=saved/> }.into_any(),
            Some(Picker::Labels) => view! { <LabelPicker client=client.get_untracked() on_close=close_picker on_saved=saved/> }.into_any(),
            Some(Picker::DueDate) => view! { <DueDatePicker client=client.get_untracked() on_close=close_picker on_saved=saved/> }.into_any(),
            Some(Picker::Files) => view! {
                <FilePicker
                    client=client.get_untracked()
                    on_close=close_picker
                    on_changed=Callback::new(move |_| files.refetch())
                />
            }.into_any(),
            Some(Picker::Delete) => {
                let name = client.with_untracked(|c| c.name.clone());
                let deleted = name.clone();
                view! {
                    <ConfirmModal
                        title="Delete client"
                        confirm_label="Delete client"
                        danger=true
                        on_close=close_picker
                        action=move || {
                            let name = deleted.clone();
                            async move {
                                delete_client(id).await?;
                                toasts.success(format!("{name} deleted."));
                                on_removed.run(id);
                                Ok(())
                            }
                        }
                    >
                        <p>
                            "Delete " <strong>{name}</strong>
                            " with its notes, tasks, files and history? This can't be undone. Archive it instead to keep the history."
                        </p>
                    </ConfirmModal>
                }
                .into_any()
            }
        }}
    }
}

/// One property row of the panel: label, current value, and the button that opens its picker.
#[component]
fn PropRow(
    label: &'static str,
    icon: IconName,
    /// Accessible name of the button, e.g. "Change owner".
    action: &'static str,
    can: Memo<bool>,
    on_open: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="prop-row">
            <dt class="prop-label"><Icon name=icon/>{label}</dt>
            <dd class="prop-value">
                <span class="prop-text">{children()}</span>
                <Show when=move || can.get()>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label=action on:click=move |_| on_open.run(())>
                        <Icon name=IconName::Edit/>
                        <span aria-hidden="true">"Edit"</span>
                    </button>
                </Show>
            </dd>
        </div>
    }
}

/// The panel's list of files: download links, or the error if the list failed.
#[component]
fn FileSummary(client_id: Uuid, files: LocalResource<crate::api::ApiResult<Vec<ClientFile>>>) -> impl IntoView {
    move || match files.get() {
        None => view! { <span class="muted">"Loading files…"</span> }.into_any(),
        Some(Err(e)) => view! {
            <span class="field-error" role="alert">{format!("Files failed to load: {}", e.message())}</span>
            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| files.refetch()>"Retry"</button>
        }
        .into_any(),
        Some(Ok(list)) if list.is_empty() => view! { <span class="muted">"No files"</span> }.into_any(),
        Some(Ok(list)) => view! {
            <ul class="file-links">
                {list
                    .into_iter()
                    .map(|f| {
                        view! {
                            <li>
                                <a href=download_url(client_id, f.id) download=f.name.clone()>
                                    <Icon name=IconName::Download/>
                                    {f.name.clone()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
}

/// The stage `<select>`: moves with the stage this panel last saw; a conflict reloads.
#[component]
fn StageSelect(
    client: RwSignal<Client>,
    saved: Callback<Client>,
    on_reload: Callback<()>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let toasts = use_toasts();
    let stages = LocalResource::new(list_stages);
    let pending = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let Ok(to) = Uuid::parse_str(&event_target_value(&ev)) else {
            return;
        };
        let current = client.get_untracked();
        if to == current.stage_id {
            return;
        }
        pending.set(true);
        let request = MoveStageRequest {
            from_stage: current.stage_id,
            to_stage: to,
            note: None,
        };
        spawn_local(async move {
            let result = move_stage(current.id, &request).await;
            pending.try_set(false);
            match result {
                Ok(c) => {
                    toasts.success(format!("{} moved to {}.", c.name, c.stage));
                    saved.run(c);
                }
                Err(e) if e.is("stage_conflict") => {
                    toasts.push(
                        ToastKind::Error,
                        format!(
                            "Someone else moved {} meanwhile. Showing the newer stage.",
                            current.name
                        ),
                    );
                    on_reload.run(());
                }
                Err(e) => {
                    // Put the select back on the stage the client is still in.
                    client.update(|_| {});
                    toasts.push(
                        ToastKind::Error,
                        format!("Could not move {}: {}", current.name, e.message()),
                    );
                }
            }
        });
    };
    move || {
        match stages.get() {
        None => view! { <span class="muted">"Loading stages…"</span> }.into_any(),
        Some(Err(e)) => view! {
            <span class="field-error" role="alert">{format!("Stages failed to load: {}", e.message())}</span>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <label class="inline-select">
                <span class="sr-only">"Stage"</span>
                <select
                    class="input select input-sm"
                    aria-label="Stage"
                    disabled=move || disabled.get() || pending.get()
                    prop:value=move || client.with(|c| c.stage_id.to_string())
                    on:change=on_change
                >
                    {list
                        .into_iter()
                        .map(|s| {
                            let value = s.id.to_string();
                            view! {
                                <option value=value.clone() selected=move || client.with(|c| c.stage_id.to_string() == value)>
                                    {s.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        }
        .into_any(),
    }
    }
}
