//! `/onboarding/form`: the intake form builder. Pick the form (the agency's default, or a journey's own),
//! reorder its fields by drag and drop or with Alt+ArrowUp / Alt+ArrowDown on a focused row, add, edit
//! and archive fields, and see a live preview rendered by the same component as the public page.

use audienceos_shared::onboarding::{
    CreateFieldRequest, FieldType, IntakeField, Journey, PublicField, ReorderFieldsRequest, UpdateFieldRequest,
};
use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use validator::Validate;

use crate::api::onboarding::{archive_field, create_field, list_fields, list_journeys, reorder_fields, update_field};
use crate::api::ApiResult;
use crate::components::button::{Button, ButtonKind};
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::focus_later;
use crate::components::icons::{Icon, IconName};
use crate::components::intake_input::IntakeInput;
use crate::components::kanban::DragState;
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::state::toasts::{use_toasts, ToastKind};

/// The journeys (for the form picker) and the fields of the chosen form.
#[derive(Debug, Clone, PartialEq)]
struct FormData {
    journeys: Vec<Journey>,
    fields: Vec<IntakeField>,
}

async fn load(form: Option<Uuid>) -> ApiResult<FormData> {
    let journeys = list_journeys().await?;
    let fields = list_fields(form).await?;
    Ok(FormData { journeys, fields })
}

/// Which field the editor shows: none, a new one, or an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Nothing,
    New,
    Field(Uuid),
}

/// The page.
#[component]
pub fn FormBuilderPage() -> impl IntoView {
    let form = RwSignal::new(None::<Uuid>);
    let data = LocalResource::new(move || load(form.get()));
    view! {
        <SectionBoundary section="Intake form" resource=data let:loaded>
            <Builder data=loaded form=form reload=Callback::new(move |_| data.refetch())/>
        </SectionBoundary>
    }
}

#[component]
fn Builder(data: FormData, form: RwSignal<Option<Uuid>>, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let fields = RwSignal::new(data.fields);
    let editing = RwSignal::new(Editing::Nothing);
    // The drop target is the row the dragged field would land before.
    let drag = DragState::new();
    let announce = RwSignal::new(String::new());
    // The field being edited, as the preview should show it before it is saved.
    let draft = RwSignal::new(None::<PublicField>);
    let form_id = form.get_untracked();

    let persist_order = move |before: Vec<IntakeField>| {
        let ids: Vec<Uuid> = fields.with_untracked(|f| f.iter().map(|f| f.id).collect());
        let req = ReorderFieldsRequest {
            journey_id: form_id,
            field_ids: ids,
        };
        spawn_local(async move {
            match reorder_fields(&req).await {
                Ok(saved) => {
                    fields.set(saved);
                    announce.set("Order saved.".into());
                }
                Err(e) => {
                    fields.set(before);
                    toasts.push(ToastKind::Error, format!("Could not save the order: {}", e.message()));
                }
            }
        });
    };
    let move_to = move |id: Uuid, to: usize| {
        let before = fields.get_untracked();
        let Some(from) = before.iter().position(|f| f.id == id) else {
            return;
        };
        let to = to.min(before.len() - 1);
        if from == to {
            return;
        }
        fields.update(|list| {
            let f = list.remove(from);
            list.insert(to, f);
        });
        let label = before[from].label.clone();
        announce.set(format!("{label} moved to position {} of {}.", to + 1, before.len()));
        persist_order(before);
        focus_later(format!("[data-field-id='{id}']"));
    };

    let select_id = unique_id("form");
    let journeys = data.journeys.clone();
    let preview_fields = move || {
        let mut list: Vec<PublicField> = fields.with(|f| f.iter().map(public_field).collect());
        if let Some(d) = draft.get() {
            match list.iter_mut().find(|f| f.id == d.id) {
                Some(slot) => *slot = d,
                None => list.push(d),
            }
        }
        list
    };
    view! {
        <div class="board-toolbar">
            <label class="field-label" for=select_id.clone()>"Form"</label>
            <select
                id=select_id
                class="input select select-inline"
                on:change=move |ev| form.set(Uuid::parse_str(&event_target_value(&ev)).ok())
            >
                <option value="" selected=form_id.is_none()>"Default form (journeys without their own)"</option>
                {journeys
                    .into_iter()
                    .map(|j| view! { <option value=j.id.to_string() selected=Some(j.id) == form_id>{format!("{}: own form", j.name)}</option> })
                    .collect_view()}
            </select>
        </div>
        <div class="sr-only" aria-live="assertive">{move || announce.get()}</div>
        <div class="builder">
            <section class="builder-fields" aria-labelledby="builder-fields-title">
                <div class="section-header">
                    <h2 class="section-title" id="builder-fields-title">"Fields"</h2>
                    <Button kind=ButtonKind::Secondary small=true on_click=Callback::new(move |_| {
                        draft.set(None);
                        editing.set(Editing::New);
                    })>
                        <Icon name=IconName::Plus/>
                        "Add field"
                    </Button>
                </div>
                <p class="field-hint" id="field-order-hint">"Drag a field by its handle, or focus it and press Alt+↑ / Alt+↓ to reorder. Enter edits it."</p>
                <Show when=move || fields.with(Vec::is_empty)>
                    <p class="empty-state">
                        {if form_id.is_some() {
                            "This journey has no fields of its own, so its clients get the default form. Add a field to give it its own form."
                        } else {
                            "The default form has no fields yet. Add the first one."
                        }}
                    </p>
                </Show>
                <ol class="builder-rows" role="list">
                    <For each=move || fields.get() key=|f| (f.id, f.position, f.label.clone(), f.required, f.field_type) let:field>
                        {
                            let id = field.id;
                            view! {
                                <li
                                    class="builder-row"
                                    class:builder-row-drop=move || drag.is_target(id)
                                    class:builder-row-editing=move || editing.get() == Editing::Field(id)
                                    on:dragover=move |ev: DragEvent| drag.over(&ev, id)
                                    on:dragleave=move |_| drag.leave(id)
                                    on:drop=move |ev: DragEvent| {
                                        if let Some(moved) = drag.take_drop(&ev) {
                                            let to = fields.with_untracked(|f| f.iter().position(|x| x.id == id)).unwrap_or(0);
                                            move_to(moved, to);
                                        }
                                    }
                                >
                                    <button
                                        type="button"
                                        class="builder-row-main"
                                        draggable="true"
                                        data-field-id=id.to_string()
                                        aria-describedby="field-order-hint"
                                        on:click=move |_| {
                                            draft.set(None);
                                            editing.set(Editing::Field(id));
                                        }
                                        on:keydown=move |ev: KeyboardEvent| {
                                            if !ev.alt_key() {
                                                return;
                                            }
                                            let pos = fields.with_untracked(|f| f.iter().position(|x| x.id == id)).unwrap_or(0);
                                            match ev.key().as_str() {
                                                "ArrowUp" if pos > 0 => {
                                                    ev.prevent_default();
                                                    move_to(id, pos - 1);
                                                }
                                                "ArrowDown" => {
                                                    ev.prevent_default();
                                                    move_to(id, pos + 1);
                                                }
                                                _ => {}
                                            }
                                        }
                                        on:dragstart=move |ev: DragEvent| drag.start(&ev, id)
                                        on:dragend=move |_| drag.end()
                                    >
                                        <span class="grip" aria-hidden="true"><Icon name=IconName::Grip/></span>
                                        <span class="builder-row-label">{field.label.clone()}</span>
                                        <span class="badge">{type_label(field.field_type)}</span>
                                        {field.required.then(|| view! { <span class="badge badge-accent">"Required"</span> })}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ol>
                {move || {
                    let current = editing.get();
                    let field = match current {
                        Editing::Field(id) => fields.with_untracked(|f| f.iter().find(|x| x.id == id).cloned()),
                        _ => None,
                    };
                    (current != Editing::Nothing).then(|| view! {
                        <FieldEditor
                            field=field
                            journey_id=form_id
                            draft=draft
                            on_done=Callback::new(move |saved: Option<IntakeField>| {
                                draft.set(None);
                                editing.set(Editing::Nothing);
                                if let Some(f) = saved {
                                    fields.update(|list| match list.iter_mut().find(|x| x.id == f.id) {
                                        Some(slot) => *slot = f,
                                        None => list.push(f),
                                    });
                                }
                            })
                            on_archived=Callback::new(move |id: Uuid| {
                                draft.set(None);
                                editing.set(Editing::Nothing);
                                fields.update(|list| list.retain(|x| x.id != id));
                                reload.run(());
                            })
                        />
                    })
                }}
            </section>
            <section class="builder-preview" aria-labelledby="builder-preview-title">
                <h2 class="section-title" id="builder-preview-title">"Preview"</h2>
                <p class="field-hint">"What the client sees, a few fields per step."</p>
                <div class="preview-frame">
                    <For each=preview_fields key=|f| format!("{:?}", f) let:field>
                        {
                            let value = RwSignal::new(String::new());
                            view! { <IntakeInput field=field value=value error=Signal::stored(None::<String>)/> }
                        }
                    </For>
                </div>
            </section>
        </div>
    }
}

/// How a field type reads.
fn type_label(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "Short text",
        FieldType::Email => "Email",
        FieldType::Url => "Web address",
        FieldType::Number => "Number",
        FieldType::Textarea => "Long text",
        FieldType::Select => "Choice",
        FieldType::Date => "Date",
    }
}

/// The field as the public form shows it.
fn public_field(f: &IntakeField) -> PublicField {
    PublicField {
        id: f.id,
        label: f.label.clone(),
        field_type: f.field_type,
        placeholder: f.placeholder.clone(),
        required: f.required,
        options: f.options.clone(),
        pattern: f.pattern.clone(),
    }
}

/// Add or edit one field; every keystroke updates the preview through `draft`.
#[component]
fn FieldEditor(
    field: Option<IntakeField>,
    journey_id: Option<Uuid>,
    draft: RwSignal<Option<PublicField>>,
    on_done: Callback<Option<IntakeField>>,
    on_archived: Callback<Uuid>,
) -> impl IntoView {
    let toasts = use_toasts();
    let existing = field.as_ref().map(|f| f.id);
    let label = RwSignal::new(field.as_ref().map(|f| f.label.clone()).unwrap_or_default());
    let field_type = RwSignal::new(field.as_ref().map(|f| f.field_type).unwrap_or(FieldType::Text));
    let placeholder = RwSignal::new(field.as_ref().and_then(|f| f.placeholder.clone()).unwrap_or_default());
    let required = RwSignal::new(field.as_ref().is_some_and(|f| f.required));
    let pattern = RwSignal::new(field.as_ref().and_then(|f| f.pattern.clone()).unwrap_or_default());
    let options = RwSignal::new(field.as_ref().map(|f| f.options.join("\n")).unwrap_or_default());
    let errors = FormErrors::new();
    let preview_id = existing.unwrap_or_else(Uuid::nil);

    let opt = |s: String| {
        let t = s.trim().to_string();
        (!t.is_empty()).then_some(t)
    };
    let option_list = move || -> Vec<String> {
        options
            .get()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    Effect::new(move |_| {
        draft.set(Some(PublicField {
            id: preview_id,
            label: if label.with(|l| l.trim().is_empty()) {
                "New field".into()
            } else {
                label.get()
            },
            field_type: field_type.get(),
            placeholder: opt(placeholder.get()),
            required: required.get(),
            options: if field_type.get() == FieldType::Select {
                option_list()
            } else {
                Vec::new()
            },
            pattern: opt(pattern.get()),
        }));
    });

    let save = Action::new_local(move |_: &()| async move {
        errors.clear();
        let kind = field_type.get_untracked();
        let opts = if kind == FieldType::Select {
            option_list()
        } else {
            Vec::new()
        };
        let result = match existing {
            None => {
                let req = CreateFieldRequest {
                    journey_id,
                    label: label.get_untracked().trim().to_string(),
                    field_type: kind,
                    placeholder: opt(placeholder.get_untracked()),
                    required: required.get_untracked(),
                    pattern: opt(pattern.get_untracked()),
                    options: opts,
                };
                if let Err(v) = req.validate() {
                    errors.set_validation(&v);
                    return;
                }
                create_field(&req).await
            }
            Some(id) => {
                let req = UpdateFieldRequest {
                    label: Some(label.get_untracked().trim().to_string()),
                    field_type: Some(kind),
                    placeholder: Some(opt(placeholder.get_untracked())),
                    required: Some(required.get_untracked()),
                    pattern: Some(opt(pattern.get_untracked())),
                    options: Some(opts),
                };
                if let Err(v) = req.validate() {
                    errors.set_validation(&v);
                    return;
                }
                update_field(id, &req).await
            }
        };
        match result {
            Ok(f) => {
                toasts.success(format!("Field “{}” saved.", f.label));
                on_done.run(Some(f));
            }
            Err(e) => errors.set_problem(&e, None),
        }
    });
    let archive = Action::new_local(move |_: &()| async move {
        if let Some(id) = existing {
            match archive_field(id).await {
                Ok(f) => {
                    toasts.success(format!("Field “{}” archived: earlier answers keep it.", f.label));
                    on_archived.run(id);
                }
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });
    let type_id = unique_id("type");
    let options_id = unique_id("options");
    view! {
        <form
            class="editor field-editor"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <h3 class="section-title">{if existing.is_some() { "Edit field" } else { "New field" }}</h3>
            <Field label="Label" value=label error=errors.field("label") required=true autofocus=true/>
            <div class="field">
                <label class="field-label" for=type_id.clone()>"Type"</label>
                <select
                    id=type_id
                    class="input select"
                    on:change=move |ev| field_type.set(FieldType::parse(&event_target_value(&ev)).unwrap_or(FieldType::Text))
                >
                    {FieldType::ALL
                        .into_iter()
                        .map(|t| view! { <option value=t.as_str() selected=move || field_type.get() == t>{type_label(t)}</option> })
                        .collect_view()}
                </select>
            </div>
            <Show when=move || field_type.get() == FieldType::Select>
                <div class="field">
                    <label class="field-label" for=options_id.clone()>"Options (one per line)"</label>
                    <textarea
                        id=options_id.clone()
                        class="input textarea"
                        rows="4"
                        prop:value=move || options.get()
                        on:input=move |ev| options.set(event_target_value(&ev))
                    ></textarea>
                    {move || errors.field("options").get().map(|m| view! { <p class="field-error">{format!("Options {m}")}</p> })}
                </div>
            </Show>
            <Field label="Placeholder" value=placeholder error=errors.field("placeholder")/>
            <Field label="Validation pattern" value=pattern error=errors.field("pattern") hint="Optional regular expression the whole answer must match, e.g. GTM-[A-Z0-9]+"/>
            <label class="check-row">
                <input class="checkbox" type="checkbox" prop:checked=move || required.get() on:change=move |ev| required.set(event_target_checked(&ev))/>
                "Required"
            </label>
            <FormAlert message=errors.form()/>
            <div class="editor-actions">
                <Button button_type="submit" pending=save.pending() pending_label="Saving…">
                    {if existing.is_some() { "Save field" } else { "Add field" }}
                </Button>
                <Button kind=ButtonKind::Ghost on_click=Callback::new(move |_| on_done.run(None))>"Cancel"</Button>
                {existing.is_some().then(|| view! {
                    <Button kind=ButtonKind::Ghost pending=archive.pending() on_click=Callback::new(move |_| { archive.dispatch(()); })>
                        <Icon name=IconName::Archive/>
                        "Archive field"
                    </Button>
                })}
            </div>
        </form>
    }
}
