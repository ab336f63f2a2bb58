//! The onboarding drawer (`/onboarding?onboarding=<id>`): the stage checklist with complete / block /
//! reopen / make current, per-platform verifications, the intake link (copy a fresh one, revoke,
//! regenerate, resend the email), the client's answers and the history.

use audienceos_shared::onboarding::{
    InstanceStatus, IntakeLinkIssued, LinkState, OnboardingInstance, OnboardingInstanceDetail, PlatformState,
    PlatformVerificationRequest, StageAction, StageState, StageStatus, StageTransitionRequest,
};
use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::stage_state_badge;
use crate::api::onboarding::{
    get_instance, get_link, regenerate_link, resend_email, revoke_link, transition, verify_platform,
};
use crate::components::button::{Button, ButtonKind};
use crate::components::copy_field::CopyField;
use crate::components::drawer::Drawer;
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ConfirmModal;
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::routes::{Route, CLIENT_PARAM};
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind};

/// The drawer; mounted while `?onboarding=<id>` is in the URL.
#[component]
pub fn InstanceDrawer(id: Uuid, on_close: Callback<()>, on_changed: Callback<OnboardingInstance>) -> impl IntoView {
    let detail = LocalResource::new(move || get_instance(id));
    // The link last shown (copied, resent or newly issued) outlives the refetch that follows each change.
    let issued = RwSignal::new(None::<IntakeLinkIssued>);
    let changed = Callback::new(move |i: OnboardingInstance| {
        on_changed.run(i);
        detail.refetch();
    });
    view! {
        <Drawer label="Onboarding details" eyebrow="Onboarding" close_label="Close onboarding details" on_close=on_close>
            <SectionBoundary section="Onboarding" resource=detail let:data>
                <InstanceBody data=data on_changed=changed issued=issued/>
            </SectionBoundary>
        </Drawer>
    }
}

#[component]
fn InstanceBody(
    data: OnboardingInstanceDetail,
    on_changed: Callback<OnboardingInstance>,
    issued: RwSignal<Option<IntakeLinkIssued>>,
) -> impl IntoView {
    let session = use_session();
    let can_write = session.can(Resource::Onboarding, Perm::Write);
    let tz = agency_time_zone();
    let OnboardingInstanceDetail {
        instance,
        responses,
        history,
    } = data;
    let status = match instance.status {
        InstanceStatus::Pending => ("Awaiting intake", "badge badge-neutral"),
        InstanceStatus::InProgress => ("In progress", "badge badge-info"),
        InstanceStatus::Completed => ("Completed", "badge badge-success"),
        InstanceStatus::Cancelled => ("Cancelled", "badge badge-neutral"),
    };
    let client_href = format!("{}?{CLIENT_PARAM}={}", Route::Clients.path(), instance.client.id);
    let stages = instance.stages.clone();
    let current = instance.current_stage_id;
    let instance = StoredValue::new(instance);
    let open = instance.with_value(|i| matches!(i.status, InstanceStatus::Pending | InstanceStatus::InProgress));
    view! {
        <header class="drawer-header">
            <h2 class="drawer-title">{instance.with_value(|i| i.client.name.clone())}</h2>
            <div class="drawer-badges">
                <span class=status.1>{status.0}</span>
                <span class="badge">{instance.with_value(|i| i.journey_name.clone())}</span>
            </div>
            <p class="muted">
                {instance.with_value(|i| {
                    format!(
                        "Started {}{} · client stage {}",
                        format::date(&i.created_at, &tz),
                        i.created_by.as_ref().map(|u| format!(" by {}", u.name)).unwrap_or_default(),
                        i.client.stage
                    )
                })}
                " · "
                <a class="link" href=client_href>"Open client"</a>
            </p>
        </header>

        <section class="drawer-section" aria-labelledby="onb-stages">
            <h3 class="section-title" id="onb-stages">"Stages"</h3>
            <ol class="stage-checklist">
                {stages
                    .into_iter()
                    .map(|s| {
                        let is_current = s.stage_id == current;
                        view! { <StageRow stage=s is_current=is_current instance=instance can_write=can_write && open on_changed=on_changed/> }
                    })
                    .collect_view()}
            </ol>
        </section>

        <LinkSection instance=instance can_write=can_write && open on_changed=on_changed issued=issued/>

        <section class="drawer-section" aria-labelledby="onb-responses">
            <h3 class="section-title" id="onb-responses">"Intake answers"</h3>
            {if responses.is_empty() {
                view! { <p class="muted">"The client has not answered yet."</p> }.into_any()
            } else {
                let submitted = instance.with_value(|i| i.submitted_at);
                let tz = agency_time_zone();
                view! {
                    <p class="muted">
                        {match submitted {
                            Some(at) => format!("Submitted {}", format::date_time(&at, &tz)),
                            None => "Draft: saved by the client, not submitted yet.".to_string(),
                        }}
                    </p>
                    <dl class="response-list">
                        {responses
                            .into_iter()
                            .map(|r| {
                                let empty = r.value.is_empty();
                                view! {
                                <dt>{r.label}</dt>
                                <dd class:muted=empty>
                                    {if empty { "Not answered".to_string() } else { r.value }}
                                    {(!r.submitted).then(|| view! { <span class="badge badge-warning">"Draft"</span> })}
                                </dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                }
                .into_any()
            }}
        </section>

        <section class="drawer-section" aria-labelledby="onb-history">
            <h3 class="section-title" id="onb-history">"History"</h3>
            <ul class="history-list">
                {history
                    .into_iter()
                    .map(|h| {
                        let tz = agency_time_zone();
                        let what = match h.action {
                            StageAction::Started => "Onboarding started".to_string(),
                            StageAction::SetCurrent => format!("Moved to {}", h.stage_name),
                            StageAction::Complete => format!("{} completed", h.stage_name),
                            StageAction::Block => format!("{} blocked: {}", h.stage_name, h.reason.clone().unwrap_or_default()),
                            StageAction::Reopen => format!("{} reopened", h.stage_name),
                            StageAction::Verify => format!("{}: {}", h.stage_name, h.reason.clone().unwrap_or_else(|| "platform verification changed".into())),
                            StageAction::IntakeSubmitted => "The client submitted the intake form".to_string(),
                        };
                        view! {
                            <li>
                                <span>{what}</span>
                                <span class="muted">
                                    {format!(
                                        "{} · {}",
                                        h.actor.map(|a| a.name).unwrap_or_else(|| "Client".into()),
                                        format::date_time(&h.at, &tz)
                                    )}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// Runs a transition and reports it.
fn run_transition(
    instance: StoredValue<OnboardingInstance>,
    request: StageTransitionRequest,
    busy: RwSignal<bool>,
    on_changed: Callback<OnboardingInstance>,
    done: String,
) {
    let toasts = use_toasts();
    let id = instance.with_value(|i| i.id);
    busy.set(true);
    spawn_local(async move {
        let result = transition(id, &request).await;
        busy.try_set(false);
        match result {
            Ok(updated) => {
                toasts.success(done);
                on_changed.run(updated);
            }
            Err(e) if e.is("stage_conflict") => {
                toasts.push(
                    ToastKind::Error,
                    "Someone else changed this onboarding while you were looking; it now shows their change.",
                );
                if let Ok(fresh) = get_instance(id).await {
                    on_changed.run(fresh.instance);
                }
            }
            Err(e) => toasts.push(ToastKind::Error, format!("Could not change the stage: {}", e.message())),
        }
    });
}

#[component]
fn StageRow(
    stage: StageStatus,
    is_current: bool,
    instance: StoredValue<OnboardingInstance>,
    can_write: bool,
    on_changed: Callback<OnboardingInstance>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let blocking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);
    let (label, class) = stage_state_badge(stage.status);
    let stage_id = stage.stage_id;
    let name = StoredValue::new(stage.name.clone());
    let from = instance.with_value(|i| i.current_stage_id);
    let act = move |action: StageAction, why: Option<String>, done: String| {
        run_transition(
            instance,
            StageTransitionRequest {
                from_stage_id: from,
                action,
                stage_id: Some(stage_id),
                reason: why,
            },
            busy,
            on_changed,
            done,
        );
    };
    let reason_id = unique_id("reason");
    let tz = agency_time_zone();
    let completed = stage.completed_at.map(|at| {
        format!(
            "Completed {}{}",
            format::date(&at, &tz),
            stage
                .completed_by
                .as_ref()
                .map(|u| format!(" by {}", u.name))
                .unwrap_or_default()
        )
    });
    let status = stage.status;
    // Completing a stage whose platforms are not all verified asks first.
    let unverified: Vec<String> = stage
        .platforms
        .iter()
        .filter(|p| p.state != PlatformState::Verified)
        .map(|p| platform_name(&p.platform))
        .collect();
    let unverified = StoredValue::new(unverified);
    let confirming = RwSignal::new(false);
    let complete = move || act(StageAction::Complete, None, format!("{} completed.", name.get_value()));
    view! {
        <li class="stage-row" class:stage-row-current=is_current aria-current=is_current.then_some("step")>
            <div class="stage-row-head">
                <span class="stage-row-name">
                    {stage.name.clone()}
                    {is_current.then(|| view! { <span class="badge badge-accent">"Current"</span> })}
                </span>
                <span class=class>{label}</span>
            </div>
            {stage.blocked_reason.clone().filter(|_| status == StageState::Blocked).map(|r| view! {
                <p class="stage-blocked"><Icon name=IconName::Octagon/>{format!("Blocked: {r}")}</p>
            })}
            {completed.map(|c| view! { <p class="muted small">{c}</p> })}
            {(!stage.platforms.is_empty()).then(|| {
                let platforms = stage.platforms.clone();
                view! {
                    <ul class="platform-list" aria-label=format!("Platforms of {}", stage.name)>
                        {platforms
                            .into_iter()
                            .map(|p| view! { <PlatformRow stage_id=stage_id platform=p.platform state=p.state instance=instance can_write=can_write on_changed=on_changed/> })
                            .collect_view()}
                    </ul>
                }
            })}
            {can_write.then(|| view! {
                <div class="stage-actions">
                    {(status != StageState::Completed).then(|| view! {
                        <Button kind=ButtonKind::Secondary small=true pending=busy on_click=Callback::new(move |_| {
                            if unverified.with_value(Vec::is_empty) {
                                complete();
                            } else {
                                confirming.set(true);
                            }
                        })>
                            <Icon name=IconName::Check/>
                            "Mark complete"
                        </Button>
                    })}
                    {(!is_current).then(|| view! {
                        <Button kind=ButtonKind::Ghost small=true pending=busy on_click=Callback::new(move |_| {
                            act(StageAction::SetCurrent, None, format!("Moved to {}.", name.get_value()))
                        })>
                            "Make current"
                        </Button>
                    })}
                    {matches!(status, StageState::Completed | StageState::Blocked).then(|| view! {
                        <Button kind=ButtonKind::Ghost small=true pending=busy on_click=Callback::new(move |_| {
                            act(StageAction::Reopen, None, format!("{} reopened.", name.get_value()))
                        })>
                            "Reopen"
                        </Button>
                    })}
                    {(status != StageState::Blocked).then(|| view! {
                        <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| blocking.update(|b| *b = !*b))>
                            <Icon name=IconName::Octagon/>
                            "Block…"
                        </Button>
                    })}
                </div>
            })}
            <Show when=move || confirming.get()>
                <ConfirmModal
                    title=format!("Complete {} without verification?", name.get_value())
                    confirm_label="Mark complete anyway"
                    action=move || {
                        complete();
                        async { Ok(()) }
                    }
                    on_close=Callback::new(move |_| confirming.set(false))
                >
                    <p>{move || {
                        let list = unverified.get_value();
                        let n = list.len();
                        format!(
                            "{} {} not verified yet: {}. The client's access may not work; you can verify {} later from this stage.",
                            n,
                            if n == 1 { "platform is" } else { "platforms are" },
                            list.join(", "),
                            if n == 1 { "it" } else { "them" },
                        )
                    }}</p>
                </ConfirmModal>
            </Show>
            <Show when=move || blocking.get()>
                {
                    let reason_id = reason_id.clone();
                    view! {
                        <form
                            class="inline-form"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                let why = reason.get_untracked().trim().to_string();
                                if why.is_empty() {
                                    reason_error.set(Some("Say why the stage is blocked.".into()));
                                    return;
                                }
                                if why.chars().count() > 200 {
                                    reason_error.set(Some("Keep the reason under 200 characters.".into()));
                                    return;
                                }
                                reason_error.set(None);
                                blocking.set(false);
                                act(StageAction::Block, Some(why), format!("{} blocked.", name.get_value()));
                            }
                        >
                            <label class="field-label" for=reason_id.clone()>"Why is it blocked?"</label>
                            <div class="input-group">
                                <input
                                    id=reason_id
                                    class="input"
                                    maxlength="200"
                                    placeholder="e.g. Waiting for Meta Business Manager access"
                                    aria-invalid=move || reason_error.with(Option::is_some).then_some("true")
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                />
                                <Button kind=ButtonKind::Danger button_type="submit" pending=busy>"Block stage"</Button>
                            </div>
                            {move || reason_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </form>
                    }
                }
            </Show>
        </li>
    }
}

#[component]
fn PlatformRow(
    stage_id: Uuid,
    platform: String,
    state: PlatformState,
    instance: StoredValue<OnboardingInstance>,
    can_write: bool,
    on_changed: Callback<OnboardingInstance>,
) -> impl IntoView {
    let toasts = use_toasts();
    let id = unique_id("platform");
    let label = platform_name(&platform);
    let badge = match state {
        PlatformState::Pending => "badge badge-neutral",
        PlatformState::Verified => "badge badge-success",
        PlatformState::Failed => "badge badge-danger",
    };
    let code = StoredValue::new(platform.clone());
    let on_change = move |ev: leptos::ev::Event| {
        let next = match event_target_value(&ev).as_str() {
            "verified" => PlatformState::Verified,
            "failed" => PlatformState::Failed,
            _ => PlatformState::Pending,
        };
        let body = PlatformVerificationRequest {
            stage_id,
            platform: code.get_value(),
            state: next,
        };
        let instance_id = instance.with_value(|i| i.id);
        spawn_local(async move {
            match verify_platform(instance_id, &body).await {
                Ok(updated) => on_changed.run(updated),
                Err(e) => toasts.push(
                    ToastKind::Error,
                    format!("Could not record the verification: {}", e.message()),
                ),
            }
        });
    };
    view! {
        <li class="platform-row">
            <label for=id.clone()>{label.clone()}</label>
            {if can_write {
                view! {
                    <select id=id class="input select select-inline" on:change=on_change>
                        {[(PlatformState::Pending, "Not verified"), (PlatformState::Verified, "Verified"), (PlatformState::Failed, "Failed")]
                            .into_iter()
                            .map(|(s, text)| view! { <option value=s.as_str() selected=s == state>{text}</option> })
                            .collect_view()}
                    </select>
                }
                .into_any()
            } else {
                view! { <span id=id class=badge>{state.as_str()}</span> }.into_any()
            }}
        </li>
    }
}

/// "FB" reads "Facebook (FB)"; unknown codes are shown as they are.
fn platform_name(code: &str) -> String {
    let name = match code {
        "FB" => "Facebook",
        "GA" => "Google Analytics",
        "SH" => "Shopify",
        "GTM" => "Google Tag Manager",
        "GADS" => "Google Ads",
        _ => return code.to_string(),
    };
    format!("{name} ({code})")
}

#[component]
fn LinkSection(
    instance: StoredValue<OnboardingInstance>,
    can_write: bool,
    on_changed: Callback<OnboardingInstance>,
    /// Kept by the drawer, so a link shown stays shown when the section is rebuilt after a change.
    issued: RwSignal<Option<IntakeLinkIssued>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let tz = agency_time_zone();
    let confirm_revoke = RwSignal::new(false);
    let link = instance.with_value(|i| i.link.clone());
    let id = instance.with_value(|i| i.id);
    let email = instance.with_value(|i| i.client.contact_email.clone());
    let (state_text, state_class) = match link.state {
        LinkState::Active => (
            format!("Active until {}", format::date(&link.expires_at, &tz)),
            "badge badge-success",
        ),
        LinkState::Expired => (
            format!("Expired {}", format::date(&link.expires_at, &tz)),
            "badge badge-warning",
        ),
        LinkState::Revoked => ("Revoked".to_string(), "badge badge-danger"),
    };
    // "Copy link" shows the live link (the one already sent keeps working); when it cannot be shown
    // (revoked, expired, or from before links were kept) the problem says so and a new link is offered.
    let copy_link = Action::new_local(move |_: &()| async move {
        match get_link(id).await {
            Ok(l) => issued.set(Some(l)),
            Err(e) => toasts.push(ToastKind::Error, e.message()),
        }
    });
    let resend = Action::new_local(move |_: &()| async move {
        match resend_email(id).await {
            Ok(l) => {
                toasts.success(if l.email_queued {
                    "The link was emailed to the client again."
                } else {
                    "The link is ready, but the client has no contact email."
                });
                issued.set(Some(l));
                if let Ok(fresh) = get_instance(id).await {
                    on_changed.run(fresh.instance);
                }
            }
            Err(e) => toasts.push(ToastKind::Error, format!("Could not resend the email: {}", e.message())),
        }
    });
    let confirm_reissue = RwSignal::new(false);
    let reissue = Action::new_local(move |_: &()| async move {
        match regenerate_link(id, false).await {
            Ok(l) => {
                toasts.success("New link ready. The old link no longer works.");
                confirm_reissue.set(false);
                issued.set(Some(l));
                if let Ok(fresh) = get_instance(id).await {
                    on_changed.run(fresh.instance);
                }
            }
            Err(e) => toasts.push(ToastKind::Error, format!("Could not make a new link: {}", e.message())),
        }
    });
    let revoke = Action::new_local(move |_: &()| async move {
        match revoke_link(id).await {
            Ok(updated) => {
                toasts.success("Link revoked: the client can no longer open the form.");
                confirm_revoke.set(false);
                issued.set(None);
                on_changed.run(updated);
            }
            Err(e) => toasts.push(ToastKind::Error, format!("Could not revoke the link: {}", e.message())),
        }
    });
    let active = link.state == LinkState::Active;
    view! {
        <section class="drawer-section" aria-labelledby="onb-link">
            <h3 class="section-title" id="onb-link">"Intake link"</h3>
            <p><span class=state_class>{state_text}</span></p>
            {move || issued.get().map(|l| {
                let tz = agency_time_zone();
                view! {
                    <CopyField label="Intake link" value=l.intake_url.clone() copied_message="Link copied. Send it to the client."/>
                    <p class="field-hint">{format!("Valid until {}.", format::date(&l.expires_at, &tz))}</p>
                }
            })}
            {can_write.then(|| view! {
                <div class="stage-actions">
                    {active.then(|| view! {
                        <Button kind=ButtonKind::Secondary small=true pending=copy_link.pending() on_click=Callback::new(move |_| { copy_link.dispatch(()); })>
                            <Icon name=IconName::Copy/>
                            "Copy link"
                        </Button>
                    })}
                    {email.clone().map(|to| view! {
                        <Button kind=ButtonKind::Ghost small=true pending=resend.pending() on_click=Callback::new(move |_| { resend.dispatch(()); })>
                            <Icon name=IconName::Send/>
                            {format!("Resend email to {to}")}
                        </Button>
                    })}
                    <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| confirm_reissue.set(true))>
                        {if active { "Revoke and issue new link" } else { "Issue new link" }}
                    </Button>
                    {active.then(|| view! {
                        <Button kind=ButtonKind::Danger small=true on_click=Callback::new(move |_| confirm_revoke.set(true))>
                            "Revoke link"
                        </Button>
                    })}
                </div>
            })}
            <Show when=move || confirm_reissue.get()>
                <div class="alert alert-warning confirm-inline" role="alertdialog" aria-label="Issue a new intake link?">
                    <span>
                        {if active {
                            "Issue a new link? The link already sent to the client stops working."
                        } else {
                            "Issue a new link for the client?"
                        }}
                    </span>
                    <Button kind=ButtonKind::Primary small=true pending=reissue.pending() on_click=Callback::new(move |_| { reissue.dispatch(()); })>
                        "Issue new link"
                    </Button>
                    <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| confirm_reissue.set(false))>"Cancel"</Button>
                </div>
            </Show>
            <Show when=move || confirm_revoke.get()>
                <div class="alert alert-warning confirm-inline" role="alertdialog" aria-label="Revoke the intake link?">
                    <span>"Revoke the link? The client will see that it is no longer valid until you send a new one."</span>
                    <Button kind=ButtonKind::Danger small=true pending=revoke.pending() on_click=Callback::new(move |_| { revoke.dispatch(()); })>
                        "Revoke"
                    </Button>
                    <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| confirm_revoke.set(false))>"Cancel"</Button>
                </div>
            </Show>
        </section>
    }
}
