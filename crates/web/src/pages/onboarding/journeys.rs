//! `/onboarding/journeys`: the journey editor. A list of journeys, and the chosen one's details (name,
//! intro, welcome video, default) and ordered stages (rename, platforms to verify, move up and down by
//! button or Alt+ArrowUp / Alt+ArrowDown, add, remove), saved as a whole; archive.

use audienceos_shared::onboarding::{
    CreateJourneyRequest, Journey, SetJourneyStagesRequest, StageInput, UpdateJourneyRequest,
};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use uuid::Uuid;
use validator::Validate;

use super::default_journey;
use crate::api::onboarding::{archive_journey, create_journey, list_journeys, set_journey_stages, update_journey};
use crate::components::button::{Button, ButtonKind};
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::focus_later;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::state::toasts::use_toasts;

/// A stage row being edited.
#[derive(Debug, Clone, Copy)]
struct StageDraft {
    key: u32,
    id: Option<Uuid>,
    name: RwSignal<String>,
    platforms: RwSignal<String>,
}

static NEXT_KEY: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

fn next_key() -> u32 {
    NEXT_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl StageDraft {
    fn new(id: Option<Uuid>, name: &str, platforms: &[String]) -> Self {
        Self {
            key: next_key(),
            id,
            name: RwSignal::new(name.to_string()),
            platforms: RwSignal::new(platforms.join(", ")),
        }
    }

    fn input(&self) -> StageInput {
        StageInput {
            id: self.id,
            name: self.name.get_untracked().trim().to_string(),
            platforms: self
                .platforms
                .get_untracked()
                .split(',')
                .map(|p| p.trim().to_uppercase())
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }
}

/// The page.
#[component]
pub fn JourneysPage() -> impl IntoView {
    let journeys = LocalResource::new(list_journeys);
    let selected = RwSignal::new(None::<Uuid>);
    view! {
        <SectionBoundary section="Journeys" resource=journeys let:list>
            <JourneysView list=list selected=selected reload=Callback::new(move |_| journeys.refetch())/>
        </SectionBoundary>
    }
}

#[component]
fn JourneysView(list: Vec<Journey>, selected: RwSignal<Option<Uuid>>, reload: Callback<()>) -> impl IntoView {
    let creating = RwSignal::new(false);
    let chosen = selected
        .get_untracked()
        .and_then(|id| list.iter().find(|j| j.id == id))
        .or_else(|| default_journey(&list))
        .cloned();
    let chosen_id = chosen.as_ref().map(|j| j.id);
    let on_saved = Callback::new(move |j: Journey| {
        selected.set(Some(j.id));
        creating.set(false);
        reload.run(());
    });
    view! {
        <div class="split">
            <nav class="split-list" aria-label="Journeys">
                <ul role="list">
                    {list
                        .iter()
                        .map(|j| {
                            let id = j.id;
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="split-item"
                                        aria-current=move || (!creating.get() && Some(id) == chosen_id).then_some("true")
                                        on:click=move |_| {
                                            creating.set(false);
                                            selected.set(Some(id));
                                            reload.run(());
                                        }
                                    >
                                        <span>{j.name.clone()}</span>
                                        <span class="muted small">
                                            {format!("{} stages{}", j.stages.len(), if j.is_default { " · default" } else { "" })}
                                        </span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <Button kind=ButtonKind::Secondary small=true on_click=Callback::new(move |_| creating.set(true))>
                    <Icon name=IconName::Plus/>
                    "New journey"
                </Button>
            </nav>
            <div class="split-detail">
                {move || {
                    if creating.get() {
                        view! { <JourneyEditor journey=None on_saved=on_saved/> }.into_any()
                    } else {
                        match chosen.clone() {
                            Some(j) => view! { <JourneyEditor journey=Some(j) on_saved=on_saved/> }.into_any(),
                            None => view! { <p class="empty-state">"No journeys yet. Create the first one."</p> }.into_any(),
                        }
                    }
                }}
            </div>
        </div>
    }
}

#[component]
fn JourneyEditor(journey: Option<Journey>, on_saved: Callback<Journey>) -> impl IntoView {
    let toasts = use_toasts();
    let id = journey.as_ref().map(|j| j.id);
    let is_default_now = journey.as_ref().is_some_and(|j| j.is_default);
    let name = RwSignal::new(journey.as_ref().map(|j| j.name.clone()).unwrap_or_default());
    let intro = RwSignal::new(journey.as_ref().and_then(|j| j.intro.clone()).unwrap_or_default());
    let video = RwSignal::new(
        journey
            .as_ref()
            .and_then(|j| j.welcome_video_url.clone())
            .unwrap_or_default(),
    );
    let make_default = RwSignal::new(is_default_now);
    let stages = RwSignal::new(match &journey {
        Some(j) => j
            .stages
            .iter()
            .map(|s| StageDraft::new(Some(s.id), &s.name, &s.platforms))
            .collect(),
        None => vec![StageDraft::new(None, "Intake Received", &[])],
    });
    let errors = FormErrors::new();
    let stage_error = RwSignal::new(None::<String>);

    let optional = |s: String| {
        let t = s.trim().to_string();
        (!t.is_empty()).then_some(t)
    };
    let save = Action::new_local(move |_: &()| async move {
        errors.clear();
        stage_error.set(None);
        let stage_inputs: Vec<StageInput> = stages.get_untracked().iter().map(StageDraft::input).collect();
        let result = match id {
            None => {
                let req = CreateJourneyRequest {
                    name: name.get_untracked().trim().to_string(),
                    intro: optional(intro.get_untracked()),
                    welcome_video_url: optional(video.get_untracked()),
                    is_default: make_default.get_untracked(),
                    stages: stage_inputs,
                };
                if let Err(v) = req.validate() {
                    errors.set_validation(&v);
                    return;
                }
                create_journey(&req).await
            }
            Some(id) => {
                let details = UpdateJourneyRequest {
                    name: Some(name.get_untracked().trim().to_string()),
                    intro: Some(optional(intro.get_untracked())),
                    welcome_video_url: Some(optional(video.get_untracked())),
                    is_default: (make_default.get_untracked() && !is_default_now).then_some(true),
                };
                let stage_req = SetJourneyStagesRequest { stages: stage_inputs };
                if let Err(v) = details.validate() {
                    errors.set_validation(&v);
                    return;
                }
                if let Err(v) = stage_req.validate() {
                    stage_error.set(Some(stage_message(&v)));
                    return;
                }
                match update_journey(id, &details).await {
                    Ok(_) => set_journey_stages(id, &stage_req).await,
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(j) => {
                toasts.success(format!("Journey “{}” saved.", j.name));
                on_saved.run(j);
            }
            Err(e) => {
                let stage_problem = e.errors.iter().find(|f| f.field.starts_with("stages"));
                if let Some(f) = stage_problem {
                    stage_error.set(Some(format!("Stages: {}", f.message)));
                }
                errors.set_problem(&e, None);
            }
        }
    });
    let archive = Action::new_local(move |_: &()| async move {
        if let Some(id) = id {
            match archive_journey(id).await {
                Ok(j) => {
                    toasts.success(format!("Journey “{}” archived.", j.name));
                    on_saved.run(j);
                }
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });

    let move_stage = move |key: u32, by: isize| {
        stages.update(|list| {
            if let Some(i) = list.iter().position(|s| s.key == key) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < list.len() {
                    list.swap(i, j as usize);
                }
            }
        });
        focus_later(format!("[data-stage-key='{key}'] input"));
    };
    let intro_id = unique_id("intro");
    view! {
        <form
            class="editor"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <h2 class="section-title">{if id.is_some() { "Edit journey" } else { "New journey" }}</h2>
            <Field label="Name" value=name error=errors.field("name") required=true/>
            <div class="field">
                <label class="field-label" for=intro_id.clone()>"Intro"</label>
                <textarea
                    id=intro_id
                    class="input textarea"
                    rows="3"
                    placeholder="Shown at the top of the client's intake form"
                    prop:value=move || intro.get()
                    on:input=move |ev| intro.set(event_target_value(&ev))
                ></textarea>
                {move || errors.field("intro").get().map(|m| view! { <p class="field-error">{format!("Intro {m}")}</p> })}
            </div>
            <Field label="Welcome video URL" value=video error=errors.field("welcome_video_url") input_type="url" hint="A Loom or YouTube link, shown on the welcome step"/>
            <label class="check-row">
                <input
                    class="checkbox"
                    type="checkbox"
                    disabled=is_default_now
                    prop:checked=move || make_default.get()
                    on:change=move |ev| make_default.set(event_target_checked(&ev))
                />
                {if is_default_now { "The default journey (choose another journey as default to change this)" } else { "Make this the default journey" }}
            </label>

            <fieldset class="stage-editor">
                <legend class="section-title">"Stages"</legend>
                <p class="field-hint">"In order. Platforms are short codes to verify in that stage, e.g. FB, GA, SH. Alt+↑ / Alt+↓ moves the focused stage."</p>
                <ol class="stage-edit-list">
                    <For each=move || stages.get() key=|s| s.key let:stage>
                        <li
                            class="stage-edit-row"
                            data-stage-key=stage.key.to_string()
                            on:keydown=move |ev: KeyboardEvent| {
                                if ev.alt_key() && (ev.key() == "ArrowUp" || ev.key() == "ArrowDown") {
                                    ev.prevent_default();
                                    move_stage(stage.key, if ev.key() == "ArrowUp" { -1 } else { 1 });
                                }
                            }
                        >
                            <input
                                class="input"
                                aria-label="Stage name"
                                maxlength="50"
                                prop:value=move || stage.name.get()
                                on:input=move |ev| stage.name.set(event_target_value(&ev))
                            />
                            <input
                                class="input input-narrow"
                                aria-label=move || format!("Platforms of {}", stage.name.get())
                                placeholder="Platforms"
                                prop:value=move || stage.platforms.get()
                                on:input=move |ev| stage.platforms.set(event_target_value(&ev))
                            />
                            <button type="button" class="icon-btn" aria-label=move || format!("Move {} up", stage.name.get()) on:click=move |_| move_stage(stage.key, -1)>
                                <Icon name=IconName::ArrowUp/>
                            </button>
                            <button type="button" class="icon-btn" aria-label=move || format!("Move {} down", stage.name.get()) on:click=move |_| move_stage(stage.key, 1)>
                                <Icon name=IconName::ArrowDown/>
                            </button>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label=move || format!("Remove {}", stage.name.get())
                                disabled=move || stages.with(|l| l.len() <= 1)
                                on:click=move |_| stages.update(|l| l.retain(|s| s.key != stage.key))
                            >
                                <Icon name=IconName::Trash/>
                            </button>
                        </li>
                    </For>
                </ol>
                <Button
                    kind=ButtonKind::Ghost
                    small=true
                    disabled=Signal::derive(move || stages.with(|l| l.len() >= 20))
                    on_click=Callback::new(move |_| {
                        let s = StageDraft::new(None, "", &[]);
                        stages.update(|l| l.push(s));
                        focus_later(format!("[data-stage-key='{}'] input", s.key));
                    })
                >
                    <Icon name=IconName::Plus/>
                    "Add stage"
                </Button>
                {move || stage_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <FormAlert message=errors.form()/>
            <div class="editor-actions">
                <Button button_type="submit" pending=save.pending() pending_label="Saving…">"Save journey"</Button>
                {(id.is_some() && !is_default_now).then(|| view! {
                    <Button kind=ButtonKind::Ghost pending=archive.pending() on_click=Callback::new(move |_| { archive.dispatch(()); })>
                        <Icon name=IconName::Archive/>
                        "Archive journey"
                    </Button>
                })}
            </div>
        </form>
    }
}

/// The first stage problem as a sentence.
fn stage_message(v: &validator::ValidationErrors) -> String {
    audienceos_shared::problem::field_errors(v)
        .into_iter()
        .next()
        .map(|f| format!("Stages: {} {}", f.field, f.message))
        .unwrap_or_else(|| "Check the stages.".into())
}
