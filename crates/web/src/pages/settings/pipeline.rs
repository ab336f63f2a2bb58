//! `/settings/pipeline`: the agency's stages (add, rename, reorder, delete; a stage that still has
//! clients cannot go), the health thresholds, and the labels (rename, recolour, delete). Changes need
//! `settings:write` (labels `clients:write`); everyone else sees them read-only.

use audienceos_shared::clients::{
    CreateStageRequest, HealthThresholds, Label, PipelineStage, UpdateLabelRequest, UpdateStageRequest,
};
use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use validator::Validate;

use crate::api::labels::{delete_label, list_labels, update_label};
use crate::api::pipeline::{create_stage, delete_stage, get_thresholds, list_stages, set_thresholds, update_stage};
use crate::api::ApiResult;
use crate::components::badges::color_name;
use crate::components::button::{Button, ButtonKind};
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind, Toasts};

/// The pipeline settings tab.
#[component]
pub fn PipelineSettingsPage() -> impl IntoView {
    let session = use_session();
    let can_admin = Memo::new(move |_| session.can(Resource::Settings, Perm::Write));
    let can_label = Memo::new(move |_| session.can(Resource::Clients, Perm::Write));
    let stages = LocalResource::new(list_stages);
    let thresholds = LocalResource::new(get_thresholds);
    let labels = LocalResource::new(list_labels);
    view! {
        <div class="stack">
            <section class="stack" aria-labelledby="stages-title">
                <div class="section-header">
                    <div>
                        <h2 class="section-title" id="stages-title">"Pipeline stages"</h2>
                        <p class="muted">"The columns of the pipeline, in order. A stage that still has clients can't be deleted."</p>
                    </div>
                </div>
                <SectionBoundary section="Pipeline stages" resource=stages let:list>
                    <StageList stages=list can_admin=can_admin on_changed=Callback::new(move |_| stages.refetch())/>
                </SectionBoundary>
                <Show when=move || can_admin.get()>
                    <NewStage on_created=Callback::new(move |_| stages.refetch())/>
                </Show>
            </section>
            <section class="stack" aria-labelledby="thresholds-title">
                <h2 class="section-title" id="thresholds-title">"Health thresholds"</h2>
                <SectionBoundary section="Health thresholds" resource=thresholds let:t>
                    <ThresholdsForm current=t can_admin=can_admin/>
                </SectionBoundary>
            </section>
            <section class="stack" aria-labelledby="labels-title">
                <h2 class="section-title" id="labels-title">"Labels"</h2>
                <SectionBoundary section="Labels" resource=labels let:list>
                    <LabelList labels=list can_edit=can_label on_changed=Callback::new(move |_| labels.refetch())/>
                </SectionBoundary>
            </section>
        </div>
    }
}

/// Runs a request and refreshes on success; a failure becomes an error toast.
fn run(
    toasts: Toasts,
    done: &'static str,
    on_changed: Callback<()>,
    fut: impl std::future::Future<Output = ApiResult<()>> + 'static,
) {
    spawn_local(async move {
        match fut.await {
            Ok(()) => {
                toasts.success(done);
                on_changed.run(());
            }
            Err(e) => toasts.push(ToastKind::Error, e.message()),
        }
    });
}

#[component]
fn StageList(stages: Vec<PipelineStage>, can_admin: Memo<bool>, on_changed: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let last = stages.len().saturating_sub(1);
    let rows = stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let name = RwSignal::new(s.name.clone());
            let id = s.id;
            let position = s.position;
            let stage_name = s.name.clone();
            let reorder = move |to: i32| {
                let req = UpdateStageRequest {
                    name: None,
                    position: Some(to),
                };
                run(toasts, "Stage moved.", on_changed, async move { update_stage(id, &req).await.map(drop) });
            };
            let rename = move || {
                let req = UpdateStageRequest {
                    name: Some(name.get_untracked().trim().to_string()),
                    position: None,
                };
                if req.validate().is_err() {
                    toasts.push(ToastKind::Error, "A stage name is 1 to 50 characters.");
                    return;
                }
                run(toasts, "Stage renamed.", on_changed, async move { update_stage(id, &req).await.map(drop) });
            };
            view! {
                <tr>
                    <td>
                        <input
                            class="input input-sm"
                            aria-label=format!("Name of stage {stage_name}")
                            disabled=move || !can_admin.get()
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                            on:change=move |_| rename()
                        />
                    </td>
                    <td class="cell-nowrap">{format!("{} clients", s.client_count)}</td>
                    <td class="cell-actions">
                        <Show when=move || can_admin.get()>
                            <button type="button" class="icon-btn" aria-label=format!("Move {} up", s.name) disabled=i == 0 on:click=move |_| reorder(position - 1)>
                                <Icon name=IconName::ArrowUp/>
                            </button>
                            <button type="button" class="icon-btn" aria-label=format!("Move {} down", s.name) disabled=i == last on:click=move |_| reorder(position + 1)>
                                <Icon name=IconName::ArrowDown/>
                            </button>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label=format!("Delete stage {}", s.name)
                                on:click=move |_| run(toasts, "Stage deleted.", on_changed, delete_stage(id))
                            >
                                <Icon name=IconName::Trash/>
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Stage"</th>
                        <th scope="col">"Clients"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn NewStage(on_created: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let add = Action::new_local(move |req: &CreateStageRequest| {
        let req = req.clone();
        async move {
            match create_stage(&req).await {
                Ok(_) => {
                    name.set(String::new());
                    on_created.run(());
                }
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });
    view! {
        <form
            class="inline-form stage-add-form"
            on:submit=move |ev| {
                ev.prevent_default();
                errors.clear();
                let req = CreateStageRequest {
                    name: name.get_untracked().trim().to_string(),
                    position: None,
                };
                match req.validate() {
                    Ok(()) => {
                        add.dispatch(req);
                    }
                    Err(v) => errors.set_validation(&v),
                }
            }
        >
            <Field label="New stage" value=name error=errors.field("name")/>
            <Button button_type="submit" kind=ButtonKind::Secondary pending=add.pending()>"Add stage"</Button>
        </form>
        <FormAlert message=errors.form()/>
    }
}

#[component]
fn ThresholdsForm(current: HealthThresholds, can_admin: Memo<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let yellow = RwSignal::new(current.yellow_days.to_string());
    let red = RwSignal::new(current.red_days.to_string());
    let errors = FormErrors::new();
    let save = Action::new_local(move |t: &HealthThresholds| {
        let t = *t;
        async move {
            match set_thresholds(&t).await {
                Ok(_) => toasts.success("Health thresholds saved."),
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });
    view! {
        <form
            class="card form"
            on:submit=move |ev| {
                ev.prevent_default();
                errors.clear();
                let (Ok(yellow_days), Ok(red_days)) = (yellow.get_untracked().trim().parse(), red.get_untracked().trim().parse()) else {
                    errors.set_field("yellow_days", "Enter whole numbers of days.");
                    return;
                };
                let t = HealthThresholds { yellow_days, red_days };
                match t.validate() {
                    Ok(()) => {
                        save.dispatch(t);
                    }
                    Err(v) => errors.set_validation(&v),
                }
            }
        >
            <p class="muted">"A client turns yellow (needs attention) and then red (at risk) after this many days in one stage."</p>
            <div class="field-row">
                <Field label="Yellow after (days)" value=yellow error=errors.field("yellow_days") input_type="number" input_mode="numeric"/>
                <Field label="Red after (days)" value=red error=errors.field("red_days") input_type="number" input_mode="numeric"/>
            </div>
            <FormAlert message=errors.form()/>
            <Show when=move || can_admin.get()>
                <div class="form-actions">
                    <Button button_type="submit" pending=save.pending()>"Save thresholds"</Button>
                </div>
            </Show>
        </form>
    }
}

#[component]
fn LabelList(labels: Vec<Label>, can_edit: Memo<bool>, on_changed: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    if labels.is_empty() {
        return view! { <p class="muted">"No labels yet. Create them from a client's label picker."</p> }.into_any();
    }
    let rows = labels
        .into_iter()
        .map(|l| {
            let id = l.id;
            let name = RwSignal::new(l.name.clone());
            let label_name = l.name.clone();
            let colour_options = audienceos_shared::clients::LABEL_COLORS
                .iter()
                .map(|c| view! { <option value=*c selected=l.color == *c>{color_name(c)}</option> })
                .collect_view();
            view! {
                <tr>
                    <td>
                        <span class="label-chip">
                            <span class="label-swatch" style=format!("background:{}", l.color) aria-hidden="true"></span>
                            <input
                                class="input input-sm"
                                aria-label=format!("Name of label {label_name}")
                                disabled=move || !can_edit.get()
                                prop:value=move || name.get()
                                on:input=move |ev| name.set(event_target_value(&ev))
                                on:change=move |_| {
                                    let req = UpdateLabelRequest { name: Some(name.get_untracked().trim().to_string()), color: None };
                                    run(toasts, "Label renamed.", on_changed, async move { update_label(id, &req).await.map(drop) });
                                }
                            />
                        </span>
                    </td>
                    <td>
                        <select
                            class="input select input-sm"
                            aria-label=format!("Colour of label {}", l.name)
                            disabled=move || !can_edit.get()
                            on:change=move |ev| {
                                let req = UpdateLabelRequest { name: None, color: Some(event_target_value(&ev)) };
                                run(toasts, "Label recoloured.", on_changed, async move { update_label(id, &req).await.map(drop) });
                            }
                        >
                            {colour_options}
                        </select>
                    </td>
                    <td class="cell-actions">
                        <Show when=move || can_edit.get()>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label=format!("Delete label {}", l.name)
                                on:click=move |_| run(toasts, "Label deleted.", on_changed, delete_label(id))
                            >
                                <Icon name=IconName::Trash/>
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Label"</th>
                        <th scope="col">"Colour"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
