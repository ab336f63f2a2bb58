//! `/onboarding`: the board of onboardings, one column per stage of the chosen journey. Cards move by
//! drag and drop or with Alt+ArrowRight / Alt+ArrowLeft on a focused card; a move sends the stage this
//! browser last saw (`from_stage_id`), so a 409 `stage_conflict` refetches and the newer stage wins.
//! Clicking a card opens its detail drawer (`?onboarding=<id>`).

use audienceos_shared::onboarding::{
    InstanceStatus, Journey, LinkState, ListInstancesQuery, OnboardingInstance, StageAction, StageState,
    StageTransitionRequest,
};
use audienceos_shared::permissions::{Action as Perm, Resource};
use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::instance::InstanceDrawer;
use super::{default_journey, OnboardingsChanged};
use crate::api::onboarding::{list_instances, list_journeys, transition};
use crate::api::ApiResult;
use crate::components::button::Button;
use crate::components::focus_later;
use crate::components::icons::{Icon, IconName};
use crate::components::kanban::{self, DragState, KanbanColumn};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::modals::start_onboarding::StartOnboardingModal;
use crate::pages::command_center::use_new_param;
use crate::pages::{agency_time_zone, use_set_param};
use crate::routes::ONBOARDING_PARAM;
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind, Toasts};
use crate::{format, pages::onboarding::stage_state_badge};

/// The id of the visible keyboard hint every card points to.
const HINT_ID: &str = "onboarding-hint";

/// "Start onboarding" in the hub's heading (for those who may start one).
#[component]
pub fn StartOnboardingButton() -> impl IntoView {
    let session = use_session();
    let changed = expect_context::<OnboardingsChanged>();
    let open = RwSignal::new(false);
    let set_param = use_set_param();
    // The command palette's "Start onboarding" (`?new=1`).
    use_new_param(move || open.set(session.can(Resource::Onboarding, Perm::Write)));
    view! {
        <Show when=move || session.can(Resource::Onboarding, Perm::Write)>
            <Button on_click=Callback::new(move |_| open.set(true))>
                <Icon name=IconName::Plus/>
                "Start onboarding"
            </Button>
        </Show>
        <Show when=move || open.get()>
            {
                let set_param = set_param.clone();
                view! {
                    <StartOnboardingModal
                        on_close=Callback::new(move |_| open.set(false))
                        on_started=Callback::new(move |id: Uuid| {
                            changed.0.update(|n| *n += 1);
                            set_param(ONBOARDING_PARAM, Some(id.to_string()));
                        })
                    />
                }
            }
        </Show>
    }
}

/// What the board shows: the journeys and the onboardings (not cancelled) of the chosen one.
#[derive(Debug, Clone, PartialEq)]
struct BoardData {
    journeys: Vec<Journey>,
    instances: Vec<OnboardingInstance>,
}

async fn load(journey: Option<Uuid>) -> ApiResult<BoardData> {
    let journeys = list_journeys().await?;
    let chosen = journey
        .filter(|id| journeys.iter().any(|j| j.id == *id))
        .or_else(|| default_journey(&journeys).map(|j| j.id));
    let mut instances = Vec::new();
    if let Some(journey_id) = chosen {
        let mut cursor = None;
        // At most 1,000 cards: beyond that a board is not the tool (the list filters are).
        for _ in 0..5 {
            let page = list_instances(&ListInstancesQuery {
                journey_id: Some(journey_id),
                limit: Some(200),
                cursor,
                ..Default::default()
            })
            .await?;
            instances.extend(page.items.into_iter().filter(|i| i.status != InstanceStatus::Cancelled));
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    Ok(BoardData { journeys, instances })
}

/// Board state shared by columns and cards.
#[derive(Clone, Copy)]
struct Board {
    instances: RwSignal<Vec<OnboardingInstance>>,
    /// Stage ids of the chosen journey, in order, with names.
    stages: RwSignal<Vec<(Uuid, String)>>,
    drag: DragState,
    moving: RwSignal<Vec<Uuid>>,
    announce: RwSignal<String>,
    focus_after: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
    toasts: Toasts,
    can_write: Signal<bool>,
}

impl Board {
    fn replace(self, updated: OnboardingInstance) {
        self.instances.update(|all| {
            if let Some(slot) = all.iter_mut().find(|i| i.id == updated.id) {
                *slot = updated;
            }
        });
    }

    /// Moves a card optimistically to `to` and confirms it with the server.
    fn move_card(self, id: Uuid, to: Uuid) {
        let Some(before) = self
            .instances
            .with_untracked(|all| all.iter().find(|i| i.id == id).cloned())
        else {
            return;
        };
        if before.current_stage_id == to || !self.can_write.get_untracked() {
            return;
        }
        let name = before.client.name.clone();
        if self.moving.with_untracked(|m| m.contains(&id)) {
            self.announce
                .set(format!("{name} is still moving; try again in a moment."));
            return;
        }
        let to_name = self
            .stages
            .with_untracked(|s| s.iter().find(|(sid, _)| *sid == to).map(|(_, n)| n.clone()))
            .unwrap_or_default();
        let mut optimistic = before.clone();
        optimistic.current_stage_id = to;
        optimistic.current_stage = to_name.clone();
        self.replace(optimistic);
        self.moving.update(|m| m.push(id));
        self.announce.set(format!("Moving {name} to {to_name}…"));
        let request = StageTransitionRequest {
            from_stage_id: before.current_stage_id,
            action: StageAction::SetCurrent,
            stage_id: Some(to),
            reason: None,
        };
        let toasts = self.toasts;
        spawn_local(async move {
            let result = transition(id, &request).await;
            self.moving.try_update(|m| m.retain(|x| *x != id));
            match result {
                Ok(updated) => {
                    self.replace(updated);
                    self.announce.try_set(format!("{name} moved to {to_name}."));
                }
                Err(e) if e.is("stage_conflict") => {
                    toasts.push(
                        ToastKind::Error,
                        format!(
                            "Someone else moved {name} while you were looking. The board now shows the newer stage."
                        ),
                    );
                    self.announce
                        .try_set(format!("{name} was not moved: someone else moved it first."));
                    self.reload.run(());
                }
                Err(e) => {
                    self.replace(before);
                    toasts.push(ToastKind::Error, format!("Could not move {name}: {}", e.message()));
                    self.announce.try_set(format!("{name} was not moved."));
                }
            }
        });
    }

    fn neighbour(self, stage: Uuid, forward: bool) -> Option<Uuid> {
        self.stages.with_untracked(|s| {
            let i = s.iter().position(|(id, _)| *id == stage)?;
            let j = if forward { i.checked_add(1)? } else { i.checked_sub(1)? };
            s.get(j).map(|(id, _)| *id)
        })
    }
}

/// The board page.
#[component]
pub fn OnboardingBoardPage() -> impl IntoView {
    let session = use_session();
    let changed = expect_context::<OnboardingsChanged>();
    let query = use_query_map();
    let set_param = use_set_param();
    let journey = RwSignal::new(None::<Uuid>);
    let data = LocalResource::new(move || {
        changed.0.track();
        load(journey.get())
    });
    let board = Board {
        instances: RwSignal::new(Vec::new()),
        stages: RwSignal::new(Vec::new()),
        drag: DragState::new(),
        moving: RwSignal::new(Vec::new()),
        announce: RwSignal::new(String::new()),
        focus_after: RwSignal::new(None),
        reload: Callback::new(move |_| data.refetch()),
        toasts: use_toasts(),
        can_write: Signal::derive(move || session.can(Resource::Onboarding, Perm::Write)),
    };
    provide_context(board);
    let open = Memo::new(move |_| {
        query
            .with(|q| q.get(ONBOARDING_PARAM))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });

    view! {
        <p class="page-subtitle board-hint" id=HINT_ID>
            "Drag a card to another stage, or focus it and press "
            <kbd>"Alt"</kbd>"+"<kbd>"→"</kbd>" / "<kbd>"Alt"</kbd>"+"<kbd>"←"</kbd>
            ". Enter opens the onboarding."
        </p>
        <div class="sr-only" aria-live="assertive">{move || board.announce.get()}</div>
        <SectionBoundary section="Onboardings" resource=data let:data>
            <BoardView data=data journey=journey/>
        </SectionBoundary>
        {move || {
            let set_param = set_param.clone();
            open.get().map(|id| {
                view! {
                    <InstanceDrawer
                        id=id
                        on_close=Callback::new(move |_| set_param(ONBOARDING_PARAM, None))
                        on_changed=Callback::new(move |i: OnboardingInstance| {
                            if board.instances.with_untracked(|all| all.iter().any(|x| x.id == i.id)) {
                                board.replace(i);
                            } else {
                                board.reload.run(());
                            }
                        })
                    />
                }
            })
        }}
    }
}

#[component]
fn BoardView(data: BoardData, journey: RwSignal<Option<Uuid>>) -> impl IntoView {
    let board = expect_context::<Board>();
    let chosen = journey
        .get_untracked()
        .and_then(|id| data.journeys.iter().find(|j| j.id == id))
        .or_else(|| default_journey(&data.journeys))
        .cloned();
    let Some(chosen) = chosen else {
        return view! { <p class="empty-state">"This agency has no onboarding journey yet. Create one under Journeys."</p> }
            .into_any();
    };
    board
        .stages
        .set(chosen.stages.iter().map(|s| (s.id, s.name.clone())).collect());
    board.instances.set(data.instances);
    Effect::new(move |_| {
        board.instances.track();
        if let Some(id) = board.focus_after.get_untracked() {
            focus_later(format!("[data-onboarding-id='{id}']"));
            board.focus_after.set(None);
        }
    });
    let select_id = unique_id("journey");
    let journeys = data.journeys.clone();
    let many = journeys.len() > 1;
    let chosen_id = chosen.id;
    let total = move || board.instances.with(Vec::len);
    view! {
        <div class="board-toolbar">
            {many
                .then(|| {
                    let select_id = select_id.clone();
                    view! {
                        <label class="field-label" for=select_id.clone()>"Journey"</label>
                        <select
                            id=select_id
                            class="input select select-inline"
                            on:change=move |ev| journey.set(Uuid::parse_str(&event_target_value(&ev)).ok())
                        >
                            {journeys
                                .iter()
                                .map(|j| {
                                    view! {
                                        <option value=j.id.to_string() selected=j.id == chosen_id>
                                            {j.name.clone()}
                                            {j.is_default.then_some(" (default)")}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    }
                })}
            {(!many).then(|| view! { <span class="muted">{format!("Journey: {}", chosen.name)}</span> })}
            <span class="muted">{move || format!("{} onboardings", total())}</span>
        </div>
        <Show
            when=move || { total() > 0 }
            fallback=|| {
                view! {
                    <div class="empty-state">
                        <p class="empty-title">"No onboardings yet"</p>
                        <p>"Start one for a new or existing client: they get a welcome email with a link to their intake form."</p>
                    </div>
                }
            }
        >
            <div class="kanban">
                <For each=move || board.stages.get() key=|(id, _)| *id let:stage>
                    <StageColumn stage_id=stage.0 name=stage.1/>
                </For>
            </div>
        </Show>
    }
    .into_any()
}

#[component]
fn StageColumn(stage_id: Uuid, name: String) -> impl IntoView {
    let board = expect_context::<Board>();
    let cards = Memo::new(move |_| {
        board.instances.with(|all| {
            all.iter()
                .filter(|i| i.current_stage_id == stage_id)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let count = move || cards.with(Vec::len) as i64;
    view! {
        <KanbanColumn
            id=stage_id
            title_id=format!("onb-stage-{stage_id}")
            name=Signal::stored(name)
            count=Signal::derive(count)
            noun="onboardings"
            empty=Signal::derive(move || count() == 0)
            empty_text="None in this stage"
            drag=board.drag
            on_drop=Callback::new(move |id| board.move_card(id, stage_id))
        >
            <For each=move || cards.get() key=|i| (i.id, i.version, i.current_stage_id) let:instance>
                <li><OnboardingCard instance=instance/></li>
            </For>
        </KanbanColumn>
    }
}

#[component]
fn OnboardingCard(instance: OnboardingInstance) -> impl IntoView {
    let board = expect_context::<Board>();
    let set_param = use_set_param();
    let id = instance.id;
    let stage = instance.current_stage_id;
    let moving = move || board.moving.with(|m| m.contains(&id));
    let current = instance.stages.iter().find(|s| s.stage_id == stage).cloned();
    let blocked = current
        .as_ref()
        .filter(|s| s.status == StageState::Blocked)
        .map(|s| s.blocked_reason.clone().unwrap_or_default());
    let is_blocked = blocked.is_some();
    let state = current.as_ref().map(|s| s.status).unwrap_or(StageState::Pending);
    let (state_label, state_class) = stage_state_badge(state);
    let done = instance
        .stages
        .iter()
        .filter(|s| s.status == StageState::Completed)
        .count();
    let total = instance.stages.len();
    let link_note = match instance.link.state {
        LinkState::Active => None,
        LinkState::Expired => Some("Link expired"),
        LinkState::Revoked => Some("Link revoked"),
    };
    let tz = agency_time_zone();
    let started = format::date(&instance.created_at, &tz);
    let on_keydown = move |ev: KeyboardEvent| {
        if let Some(to) = kanban::key_move(&ev, board.announce, |forward| board.neighbour(stage, forward)) {
            board.focus_after.set(Some(id));
            board.move_card(id, to);
        }
    };
    let completed = instance.status == InstanceStatus::Completed;
    view! {
        <button
            type="button"
            class="kanban-card"
            class:kanban-card-moving=moving
            class:kanban-card-blocked=is_blocked
            draggable=move || board.can_write.get().to_string()
            data-onboarding-id=id.to_string()
            aria-describedby=HINT_ID
            aria-busy=move || moving().then_some("true")
            on:click=move |_| set_param(ONBOARDING_PARAM, Some(id.to_string()))
            on:keydown=on_keydown
            on:dragstart=move |ev: DragEvent| board.drag.start(&ev, id)
            on:dragend=move |_| board.drag.end()
        >
            <span class="kanban-card-top">
                <span class="kanban-card-name">{instance.client.name.clone()}</span>
                {if completed {
                    view! { <span class="badge badge-success">"Done"</span> }.into_any()
                } else {
                    view! { <span class=state_class>{state_label}</span> }.into_any()
                }}
            </span>
            {blocked.map(|reason| view! {
                <span class="card-meta card-blocked"><Icon name=IconName::Octagon/>{format!("Blocked: {reason}")}</span>
            })}
            <span class="card-meta-row">
                <span class="card-meta"><Icon name=IconName::Check/>{format!("{done}/{total} stages")}</span>
                <span class="card-meta">
                    {if instance.submitted_at.is_some() {
                        view! { <Icon name=IconName::List/> "Intake received" }.into_any()
                    } else {
                        view! { <Icon name=IconName::Clock/> "Awaiting intake" }.into_any()
                    }}
                </span>
            </span>
            <span class="card-meta-row">
                <span class="card-meta muted">{format!("Started {started}")}</span>
                {link_note.map(|n| view! { <span class="card-meta card-overdue"><Icon name=IconName::Link/>{n}</span> })}
            </span>
        </button>
    }
}
