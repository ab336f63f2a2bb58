//! Label picker: tick the agency's labels to attach or detach them, recolour a label, or create one
//! with a colour from `LABEL_COLORS` (attached at once). Save applies everything, then closes; the
//! first failure stays inline and the panel shows what was saved up to it.

use audienceos_shared::clients::{Client, CreateLabelRequest, Label, UpdateLabelRequest, LABEL_COLORS};
use leptos::prelude::*;
use uuid::Uuid;
use validator::Validate;

use crate::api::clients::{attach_label, detach_label, get_client};
use crate::api::labels::{create_label, list_labels, update_label};
use crate::api::ApiError;
use crate::components::badges::color_name;
use crate::components::error_view::ErrorView;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ActionModal;
use crate::components::spinner::LoadingBlock;
use crate::components::unique_id;
use crate::state::toasts::use_toasts;

/// What Save will do.
#[derive(Debug, Clone, Default)]
struct Plan {
    recolor: Vec<(Uuid, String)>,
    create: Option<CreateLabelRequest>,
    attach: Vec<Uuid>,
    detach: Vec<Uuid>,
}

/// The label picker for `client`.
#[component]
pub fn LabelPicker(client: Client, on_close: Callback<()>, on_saved: Callback<Client>) -> impl IntoView {
    let toasts = use_toasts();
    let labels = LocalResource::new(list_labels);
    let original: Vec<Uuid> = client.labels.iter().map(|l| l.id).collect();
    let chosen = RwSignal::new(original.clone());
    let colors = RwSignal::new(Vec::<(Uuid, String)>::new());
    let recolor_open = RwSignal::new(None::<Uuid>);
    let new_name = RwSignal::new(String::new());
    let new_color = RwSignal::new(LABEL_COLORS[0].to_string());
    let errors = FormErrors::new();
    let id = client.id;

    let submit = move || {
        let name = new_name.get_untracked().trim().to_string();
        let create = (!name.is_empty()).then(|| CreateLabelRequest {
            name,
            color: new_color.get_untracked(),
        });
        if let Some(req) = &create {
            if let Err(v) = req.validate() {
                errors.set_validation(&v);
                return None;
            }
        }
        let now = chosen.get_untracked();
        let plan = Plan {
            recolor: colors.get_untracked(),
            create,
            attach: now.iter().filter(|l| !original.contains(l)).copied().collect(),
            detach: original.iter().filter(|l| !now.contains(l)).copied().collect(),
        };
        Some(async move {
            let result = apply(id, plan).await;
            // Show what is saved now, whether or not every step went through.
            let fresh = get_client(id).await;
            if let Err(e) = result {
                if let Ok(c) = fresh {
                    on_saved.run(c);
                }
                labels.refetch();
                return Err(if e.is("label_name_taken") {
                    e.with_field("name", "is already a label; tick it above instead")
                } else {
                    e
                });
            }
            let c = fresh?;
            toasts.success(format!("Labels of {} saved.", c.name));
            on_saved.run(c);
            Ok(())
        })
    };

    view! {
        <ActionModal
            title=format!("Labels of {}", client.name)
            action_label="Save labels"
            on_close=on_close
            errors=errors
            submit=submit
        >
            {move || match labels.get() {
                None => view! { <LoadingBlock label="Loading labels…"/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="alert alert-danger" role="alert">
                        <ErrorView problem=e.0/>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| labels.refetch()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">"Your agency has no labels yet. Create the first one below."</p>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <fieldset class="choices">
                        <legend class="field-label">"Labels"</legend>
                        <ul class="choice-list">
                            {list
                                .into_iter()
                                .map(|l| view! { <LabelRow label=l chosen=chosen colors=colors recolor_open=recolor_open/> })
                                .collect_view()}
                        </ul>
                    </fieldset>
                }
                .into_any(),
            }}
            <div class="new-label">
                <Field label="New label" value=new_name error=errors.field("name") autocomplete="off"
                    hint="Leave empty to only change the labels above."/>
                <Swatches legend="Colour of the new label" selected=new_color/>
            </div>
        </ActionModal>
    }
}

/// Runs `plan` for client `id` step by step, stopping at the first failure.
async fn apply(id: Uuid, plan: Plan) -> Result<(), ApiError> {
    for (label, color) in plan.recolor {
        update_label(
            label,
            &UpdateLabelRequest {
                name: None,
                color: Some(color),
            },
        )
        .await?;
    }
    let mut attach = plan.attach;
    if let Some(req) = &plan.create {
        attach.push(create_label(req).await?.id);
    }
    for label in attach {
        attach_label(id, label).await?;
    }
    for label in plan.detach {
        detach_label(id, label).await?;
    }
    Ok(())
}

/// One label: its checkbox, and its colour (with a recolour chooser).
#[component]
fn LabelRow(
    label: Label,
    chosen: RwSignal<Vec<Uuid>>,
    colors: RwSignal<Vec<(Uuid, String)>>,
    recolor_open: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let id = label.id;
    let check_id = unique_id("label");
    let color = RwSignal::new(label.color.clone());
    Effect::new(move |prev: Option<String>| {
        let c = color.get();
        if prev.is_some() {
            colors.update(|list| {
                list.retain(|(l, _)| *l != id);
                list.push((id, c.clone()));
            });
        }
        c
    });
    let name = label.name.clone();
    view! {
        <li class="choice label-row">
            <input
                type="checkbox"
                id=check_id.clone()
                class="checkbox"
                checked=move || chosen.with(|c| c.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| {
                        c.retain(|l| *l != id);
                        if on {
                            c.push(id);
                        }
                    });
                }
            />
            <label for=check_id class="label-chip">
                <span class="label-swatch" style=move || format!("background:{}", color.get()) aria-hidden="true"></span>
                {label.name.clone()}
            </label>
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-expanded=move || if recolor_open.get() == Some(id) { "true" } else { "false" }
                aria-label=format!("Recolour {name}")
                on:click=move |_| recolor_open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })
            >
                "Colour"
            </button>
            <Show when=move || recolor_open.get() == Some(id)>
                <Swatches legend="Colour" selected=color/>
            </Show>
        </li>
    }
}

/// A radio group of the label colours, each named for assistive technology.
#[component]
pub fn Swatches(legend: &'static str, selected: RwSignal<String>) -> impl IntoView {
    let group = unique_id("swatch");
    view! {
        <fieldset class="swatches">
            <legend class="field-label">{legend}</legend>
            {LABEL_COLORS
                .iter()
                .map(|c| {
                    let c = c.to_string();
                    let value = c.clone();
                    let is = c.clone();
                    view! {
                        <label class="swatch" title=color_name(&c)>
                            <input
                                type="radio"
                                name=group.clone()
                                class="swatch-input"
                                aria-label=color_name(&c)
                                checked=move || selected.get() == is
                                on:change=move |_| selected.set(value.clone())
                            />
                            <span class="swatch-color" style=format!("background:{c}") aria-hidden="true"></span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
