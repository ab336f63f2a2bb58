//! `/intake/{token}`: the intake form a client opens from the welcome email, outside the signed-in
//! layout and usable signed out. A welcome step (agency, intro, video), then the fields a few per step,
//! then a review. "Next" checks the step's fields in the browser and saves a draft, so a client can leave
//! and come back; "Submit" sends everything and shows the server's per-field errors on the step that
//! holds the first one. An unknown, expired or revoked link, and a rate-limited one, get a clear page.

use audienceos_shared::onboarding::{FieldType, IntakeValue, IntakeValuesRequest, PublicField, PublicIntake};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::onboarding::{public_intake, save_draft, submit_intake};
use crate::api::{ApiError, ApiResult};
use crate::components::button::{Button, ButtonKind};
use crate::components::focus_later;
use crate::components::icons::{Icon, IconName};
use crate::components::intake_input::{value_error, IntakeInput};
use crate::components::spinner::LoadingBlock;
use crate::format;
use crate::routes::intake_token;

/// Fields shown per step.
const FIELDS_PER_STEP: usize = 4;

/// The public intake page, as a route of the agency app (its token from the path; a new token draws
/// the form afresh).
#[component]
pub fn IntakePage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token")).unwrap_or_default());
    move || view! { <Intake token=token.get()/> }
}

/// The intake module's root (bin `audienceos-intake`, `intake.html`): the form of the token in the
/// page's path, with no router (the page has no links within the SPA).
#[component]
pub fn IntakeApp() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let token = intake_token(&path).unwrap_or_default().to_string();
    view! { <Intake token=token/> }
}

/// The intake form of `token`; needs no router. The form is fetched with a plain task and signal
/// rather than a `LocalResource`, whose async machinery would be most of what this page adds to the
/// intake module.
#[component]
pub fn Intake(token: String) -> impl IntoView {
    let intake = RwSignal::new(None::<ApiResult<PublicIntake>>);
    let token = StoredValue::new(token);
    let fetch = move || {
        intake.set(None);
        leptos::task::spawn_local(async move {
            intake.set(Some(public_intake(&token.get_value()).await));
        });
    };
    fetch();
    let retry = Callback::new(move |_| fetch());
    view! {
        <main class="intake-page" id="main">
            {move || match intake.get() {
                None => view! { <LoadingBlock label="Loading your form…"/> }.into_any(),
                Some(Err(e)) => view! { <IntakeUnavailable problem=e retry=retry/> }.into_any(),
                Some(Ok(data)) => view! { <IntakeForm token=token.get_value() data=data/> }.into_any(),
            }}
        </main>
    }
}

/// The page for a link that cannot be used: gone (404), rate-limited (429) or anything else.
#[component]
fn IntakeUnavailable(problem: ApiError, retry: Callback<()>) -> impl IntoView {
    let (title, body, can_retry) = match problem.status {
        404 => (
            "This link is no longer valid",
            "It may have expired, been replaced by a newer link or been turned off. Ask the agency that sent it for a new one."
                .to_string(),
            false,
        ),
        429 => (
            "Too many requests",
            format!("{} Wait a minute, then try again.", problem.message()),
            true,
        ),
        _ => ("The form could not be loaded", problem.message(), true),
    };
    view! {
        <div class="intake-card" role="alert">
            <span class="intake-icon" aria-hidden="true"><Icon name=IconName::Lock/></span>
            <h1 class="intake-title">{title}</h1>
            <p class="intake-text">{body}</p>
            {can_retry
                .then(|| {
                    view! {
                        <Button kind=ButtonKind::Secondary on_click=Callback::new(move |_| retry.run(()))>
                            "Try again"
                        </Button>
                    }
                })}
        </div>
    }
}

/// Which screen of the form is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Welcome,
    /// Fields step (0-based).
    Step(usize),
    Review,
    Done,
}

#[component]
fn IntakeForm(token: String, data: PublicIntake) -> impl IntoView {
    let PublicIntake {
        agency,
        journey,
        fields,
        values,
        submitted_at,
    } = data;
    let saved = |id: Uuid| values.iter().find(|v| v.field_id == id).map(|v| v.value.clone());
    let inputs: Vec<(PublicField, RwSignal<String>)> = fields
        .iter()
        .map(|f| (f.clone(), RwSignal::new(saved(f.id).unwrap_or_default())))
        .collect();
    let steps: Vec<Vec<usize>> = (0..inputs.len())
        .collect::<Vec<_>>()
        .chunks(FIELDS_PER_STEP)
        .map(<[usize]>::to_vec)
        .collect();
    let step_count = steps.len();
    // Each field's error, by field id (a list: a form has a few dozen fields at most).
    let errors = RwSignal::new(Vec::<(Uuid, String)>::new());
    let screen = RwSignal::new(Screen::Welcome);
    let busy = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let draft_note = RwSignal::new(if values.is_empty() {
        None
    } else {
        Some("Welcome back: your saved answers are filled in.".to_string())
    });
    let inputs = StoredValue::new(inputs);
    let steps = StoredValue::new(steps);
    let token = StoredValue::new(token);
    let heading = NodeRef::<leptos::html::H2>::new();

    let current_values = move || -> Vec<IntakeValue> {
        inputs.with_value(|all| {
            all.iter()
                .map(|(f, v)| IntakeValue {
                    field_id: f.id,
                    value: v.get_untracked().trim().to_string(),
                })
                .collect()
        })
    };
    // Client-side check of the given fields; the first bad one gets focus.
    let check = move |indices: &[usize]| -> bool {
        let found: Vec<(Uuid, String)> = inputs.with_value(|all| {
            indices
                .iter()
                .filter_map(|&i| {
                    let (f, v) = &all[i];
                    value_error(f, &v.get_untracked()).map(|e| (f.id, e))
                })
                .collect()
        });
        errors.update(|m| {
            inputs.with_value(|all| m.retain(|(id, _)| !indices.iter().any(|&i| all[i].0.id == *id)));
            m.extend(found.iter().cloned());
        });
        if found.is_empty() {
            true
        } else {
            focus_invalid();
            false
        }
    };
    let go = move |next: Screen| {
        screen.set(next);
        form_error.set(None);
        request_animation_frame(move || {
            if let Some(h) = heading.get_untracked() {
                let _ = h.focus();
            }
        });
    };
    // The server's per-field errors (type, required, pattern) under their fields, on the first step
    // that has one.
    let show_field_errors = move |e: &ApiError| {
        errors.set(inputs.with_value(|all| {
            e.errors
                .iter()
                .filter_map(|fe| {
                    let (f, _) = all.iter().find(|(f, _)| f.id.to_string() == fe.field)?;
                    Some((f.id, sentence(&f.label, &fe.message)))
                })
                .collect()
        }));
        let first = first_step_with_error(errors, inputs, steps);
        go(Screen::Step(first.unwrap_or(0)));
        form_error.set(Some("Some answers need a fix before the form can be sent.".into()));
        focus_invalid();
    };
    let save_and_go = move |next: Screen| {
        let body = IntakeValuesRequest {
            values: current_values(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = save_draft(&token.get_value(), &body).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    draft_note.set(Some("Your answers so far are saved.".into()));
                    go(next);
                }
                Err(e) if e.status == 422 && !e.errors.is_empty() => show_field_errors(&e),
                Err(e) => form_error.set(Some(problem_sentence(&e))),
            }
        });
    };
    let next = Callback::new(move |_| match screen.get_untracked() {
        Screen::Welcome => go(if step_count == 0 {
            Screen::Review
        } else {
            Screen::Step(0)
        }),
        Screen::Step(i) if check(&steps.with_value(|s| s[i].clone())) => save_and_go(if i + 1 < step_count {
            Screen::Step(i + 1)
        } else {
            Screen::Review
        }),
        _ => {}
    });
    let back = Callback::new(move |_| match screen.get_untracked() {
        Screen::Step(0) => go(Screen::Welcome),
        Screen::Step(i) => go(Screen::Step(i - 1)),
        Screen::Review if step_count > 0 => go(Screen::Step(step_count - 1)),
        Screen::Review => go(Screen::Welcome),
        _ => {}
    });
    let submit = Callback::new(move |_| {
        let all: Vec<usize> = (0..inputs.with_value(Vec::len)).collect();
        if !check(&all) {
            let first = first_step_with_error(errors, inputs, steps);
            go(Screen::Step(first.unwrap_or(0)));
            return;
        }
        let body = IntakeValuesRequest {
            values: current_values(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = submit_intake(&token.get_value(), &body).await;
            busy.set(false);
            match result {
                Ok(_) => go(Screen::Done),
                Err(e) if e.status == 422 && !e.errors.is_empty() => show_field_errors(&e),
                Err(e) => form_error.set(Some(problem_sentence(&e))),
            }
        });
    });

    let agency_name = agency.name.clone();
    let logo = agency.logo_url.clone();
    let initial = agency_name.chars().next().unwrap_or('A').to_uppercase().to_string();
    let progress = move || match screen.get() {
        Screen::Welcome => "Introduction".to_string(),
        Screen::Step(i) => format!("Step {} of {}", i + 1, step_count),
        Screen::Review => "Review".to_string(),
        Screen::Done => "Sent".to_string(),
    };
    let percent = move || match screen.get() {
        Screen::Welcome => 0,
        Screen::Step(i) => ((i + 1) * 100 / (step_count + 1)) as i32,
        Screen::Review => 95,
        Screen::Done => 100,
    };
    let intro = journey.intro.clone();
    let video = journey.welcome_video_url.clone();
    let thanks_agency = agency_name.clone();

    view! {
        <div class="intake-card">
            <header class="intake-header">
                {match logo {
                    Some(src) => view! { <img class="intake-logo" src=src alt=format!("{agency_name} logo")/> }.into_any(),
                    None => view! { <span class="logo-mark" aria-hidden="true">{initial}</span> }.into_any(),
                }}
                <div>
                    <p class="eyebrow">"Client onboarding"</p>
                    <h1 class="intake-title">{agency.name.clone()}</h1>
                </div>
            </header>
            <div
                class="intake-progress"
                role="progressbar"
                aria-label="Form progress"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || percent().to_string()
                aria-valuetext=progress
            >
                <span class="intake-progress-bar" style=move || format!("width: {}%", percent())></span>
            </div>
            <p class="intake-step-label" aria-live="polite">{progress}</p>
            <form
                class="intake-form"
                novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    match screen.get_untracked() {
                        Screen::Review => submit.run(()),
                        Screen::Done => {}
                        _ => next.run(()),
                    }
                }
            >
                {move || match screen.get() {
                    Screen::Welcome => {
                        let intro = intro.clone();
                        let video = video.clone();
                        view! {
                            <h2 class="intake-step-title" tabindex="-1" node_ref=heading>"Before we start"</h2>
                            <p class="intake-text">
                                {intro.unwrap_or_else(|| "A few questions so we can get started. It takes about five minutes.".into())}
                            </p>
                            {video.map(|url| view! {
                                <p><a class="link" href=url target="_blank" rel="noopener noreferrer">"Watch the welcome video"</a></p>
                            })}
                            {submitted_at.map(|_| view! {
                                <p class="alert alert-info">"You already sent this form. You can change your answers and send it again."</p>
                            })}
                            {move || draft_note.get().map(|n| view! { <p class="field-hint" role="status">{n}</p> })}
                        }
                        .into_any()
                    }
                    Screen::Step(i) => {
                        let indices = steps.with_value(|s| s[i].clone());
                        let labels: Vec<String> = indices
                            .iter()
                            .map(|idx| inputs.with_value(|all| all[*idx].0.label.clone()))
                            .collect();
                        view! {
                            <h2 class="intake-step-title" tabindex="-1" node_ref=heading>{step_title(&labels)}</h2>
                            {indices
                                .into_iter()
                                .map(|idx| {
                                    let (field, value) = inputs.with_value(|all| all[idx].clone());
                                    let id = field.id;
                                    let error = Signal::derive(move || errors.with(|m| m.iter().find(|(k, _)| *k == id).map(|(_, e)| e.clone())));
                                    view! { <IntakeInput field=field value=value error=error/> }
                                })
                                .collect_view()}
                        }
                        .into_any()
                    }
                    Screen::Review => view! {
                        <h2 class="intake-step-title" tabindex="-1" node_ref=heading>"Check your answers"</h2>
                        <dl class="intake-review">
                            {inputs
                                .with_value(|all| all.clone())
                                .into_iter()
                                .map(|(f, v)| {
                                    let shown = shown_value(f.field_type, &v.get_untracked());
                                    let empty = shown.is_empty();
                                    view! {
                                        <dt>{f.label.clone()}</dt>
                                        <dd class:muted=empty>{if empty { "Not answered".to_string() } else { shown }}</dd>
                                    }
                                })
                                .collect_view()}
                        </dl>
                    }
                    .into_any(),
                    Screen::Done => view! {
                        <div class="intake-done" role="status">
                            <span class="intake-icon intake-icon-ok" aria-hidden="true"><Icon name=IconName::Check/></span>
                            <h2 class="intake-step-title" tabindex="-1" node_ref=heading>"Thank you!"</h2>
                            <p class="intake-text">
                                {format!("{thanks_agency} has your answers and will be in touch about the next steps.")}
                            </p>
                        </div>
                    }
                    .into_any(),
                }}
                {move || form_error.get().map(|m| view! {
                    <div class="alert alert-danger" role="alert"><Icon name=IconName::Alert/><span>{m}</span></div>
                })}
                <Show when=move || screen.get() != Screen::Done>
                    <div class="intake-actions">
                        <Show when=move || screen.get() != Screen::Welcome>
                            <Button kind=ButtonKind::Ghost on_click=Callback::new(move |_| back.run(())) disabled=busy>
                                <Icon name=IconName::ChevronLeft/>
                                "Back"
                            </Button>
                        </Show>
                        <span class="spacer"></span>
                        {move || match screen.get() {
                            Screen::Review => view! {
                                <Button button_type="submit" pending=busy pending_label="Sending…">"Submit"</Button>
                            }
                            .into_any(),
                            Screen::Welcome => view! { <Button button_type="submit">"Start"</Button> }.into_any(),
                            _ => view! {
                                <Button button_type="submit" pending=busy pending_label="Saving…">
                                    "Next"
                                    <Icon name=IconName::ChevronRight/>
                                </Button>
                            }
                            .into_any(),
                        }}
                    </div>
                </Show>
            </form>
        </div>
        <p class="intake-footnote">"Your answers are saved each time you press Next, so you can come back to this link later."</p>
    }
}

/// The step holding the first field with an error.
fn first_step_with_error(
    errors: RwSignal<Vec<(Uuid, String)>>,
    inputs: StoredValue<Vec<(PublicField, RwSignal<String>)>>,
    steps: StoredValue<Vec<Vec<usize>>>,
) -> Option<usize> {
    let bad: Vec<usize> = errors.with_untracked(|m| {
        inputs.with_value(|all| {
            all.iter()
                .enumerate()
                .filter(|(_, (f, _))| m.iter().any(|(id, _)| *id == f.id))
                .map(|(i, _)| i)
                .collect()
        })
    });
    let first = *bad.first()?;
    steps.with_value(|s| s.iter().position(|step| step.contains(&first)))
}

/// Focus the first invalid input once the step is drawn.
fn focus_invalid() {
    focus_later(".intake-form [aria-invalid='true']".into());
}

/// A server message under a field: "must be an email address" reads "Email must be an email address.".
fn sentence(label: &str, message: &str) -> String {
    let m = message.trim_end_matches('.');
    if m.starts_with(|c: char| c.is_lowercase()) {
        format!("{label} {m}.")
    } else {
        format!("{m}.")
    }
}

/// What to say when a save or submit failed as a whole.
fn problem_sentence(e: &ApiError) -> String {
    match e.status {
        404 => "This link is no longer valid. Ask the agency that sent it for a new one.".into(),
        429 => format!("Too many requests. {} Wait a minute, then try again.", e.message()),
        _ => e.message(),
    }
}

/// A step's heading from the labels of its fields: "Business name", "Website and Phone", or
/// "Business name, Website and 2 more".
fn step_title(labels: &[String]) -> String {
    match labels {
        [] => "Your answers".into(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

/// A value as the review step shows it: dates in words, the rest as typed.
fn shown_value(field_type: FieldType, value: &str) -> String {
    match field_type {
        FieldType::Date => format::parse_day(value)
            .map(format::day)
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}
