//! `/pipeline`: the kanban board, one column per agency stage. Cards move by HTML5 drag and drop or,
//! from the keyboard, with Alt+ArrowRight / Alt+ArrowLeft on a focused card. Moves are optimistic and
//! carry the stage this browser last saw (`from_stage`): a 409 `stage_conflict` means someone else moved
//! the client first, so the board refetches and their newer stage wins; any other failure rolls back.

use audienceos_shared::clients::{Client, ClientListQuery, ClientSort, MoveStageRequest, PipelineStage, SortDir};
use chrono::NaiveDate;
use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::client_detail::ClientPanelHost;
use super::{agency_time_zone, use_set_param};
use crate::api::clients::{list_clients, move_stage};
use crate::api::pipeline::list_stages;
use crate::api::ApiResult;
use crate::components::badges::{Avatar, HealthBadge, LabelChip};
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::kanban::{self, ColumnFooter, DragState, KanbanColumn};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::routes::CLIENT_PARAM;
use crate::state::toasts::{use_toasts, ToastKind, Toasts};

/// Cards fetched per column and per "Load more".
const COLUMN_PAGE: u32 = 50;
/// The id of the visible keyboard hint every card points to.
const HINT_ID: &str = "kanban-hint";

/// One column: its stage, the cards loaded so far and the cursor for more.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    stage: PipelineStage,
    clients: Vec<Client>,
    next_cursor: Option<String>,
}

fn column_query(stage: Uuid, cursor: Option<String>) -> ClientListQuery {
    ClientListQuery {
        stage_id: Some(stage),
        sort: Some(ClientSort::DaysInStage),
        dir: Some(SortDir::Desc),
        limit: Some(COLUMN_PAGE),
        cursor,
        ..Default::default()
    }
}

/// The stages, then the first page of each stage's clients.
async fn load_board() -> ApiResult<Vec<Column>> {
    let stages = list_stages().await?;
    let mut columns = Vec::with_capacity(stages.len());
    for stage in stages {
        let page = list_clients(&column_query(stage.id, None)).await?;
        columns.push(Column {
            stage,
            clients: page.items,
            next_cursor: page.next_cursor,
        });
    }
    Ok(columns)
}

/// Puts `client` in the column of its `stage_id` (first), removing it from wherever it was. Archived
/// clients leave the board.
fn place(columns: &mut [Column], client: Client) {
    for col in columns.iter_mut() {
        if let Some(i) = col.clients.iter().position(|c| c.id == client.id) {
            col.clients.remove(i);
            col.stage.client_count -= 1;
        }
    }
    if client.archived_at.is_some() {
        return;
    }
    if let Some(col) = columns.iter_mut().find(|c| c.stage.id == client.stage_id) {
        col.clients.insert(0, client);
        col.stage.client_count += 1;
    }
}

fn find(columns: &[Column], id: Uuid) -> Option<Client> {
    columns
        .iter()
        .flat_map(|c| c.clients.iter())
        .find(|c| c.id == id)
        .cloned()
}

/// What every card and column needs, provided as context by the board.
#[derive(Clone, Copy)]
struct Board {
    columns: RwSignal<Vec<Column>>,
    drag: DragState,
    moving: RwSignal<Vec<Uuid>>,
    announce: RwSignal<String>,
    focus_after: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
    toasts: Toasts,
    today: NaiveDate,
}

impl Board {
    /// Moves a card optimistically and confirms it with the server.
    fn move_card(self, id: Uuid, to: Uuid) {
        let toasts = self.toasts;
        let Some(client) = self.columns.with_untracked(|cols| find(cols, id)) else {
            return;
        };
        if client.stage_id == to {
            return;
        }
        let name = client.name.clone();
        if self.moving.with_untracked(|m| m.contains(&id)) {
            self.announce
                .set(format!("{name} is still moving; try again in a moment."));
            return;
        }
        let Some(to_name) = self
            .columns
            .with_untracked(|cols| cols.iter().find(|c| c.stage.id == to).map(|c| c.stage.name.clone()))
        else {
            return;
        };
        let seen_stage = client.stage_id;
        let mut optimistic = client.clone();
        optimistic.stage_id = to;
        optimistic.stage = to_name.clone();
        optimistic.days_in_stage = 0;
        self.columns.update(|cols| place(cols, optimistic));
        self.moving.update(|m| m.push(id));
        self.announce.set(format!("Moving {name} to {to_name}…"));
        let request = MoveStageRequest {
            from_stage: seen_stage,
            to_stage: to,
            note: None,
        };
        spawn_local(async move {
            let result = move_stage(id, &request).await;
            self.moving.try_update(|m| m.retain(|x| *x != id));
            match result {
                Ok(updated) => {
                    // The confirmed card replaces the optimistic one: keep keyboard focus on it.
                    let focused = document()
                        .active_element()
                        .and_then(|e| e.get_attribute("data-client-id"))
                        .is_some_and(|v| v == id.to_string());
                    if focused {
                        self.focus_after.try_set(Some(id));
                    }
                    self.columns.try_update(|cols| place(cols, updated));
                    self.announce.try_set(format!("{name} moved to {to_name}."));
                }
                Err(e) if e.is("stage_conflict") => {
                    toasts.push(
                        ToastKind::Error,
                        format!(
                            "Someone else moved {name} while you were looking. {} The board now shows the newer stage.",
                            e.detail.clone().unwrap_or_default()
                        ),
                    );
                    self.announce
                        .try_set(format!("{name} was not moved: someone else moved it first."));
                    self.reload.run(());
                }
                Err(e) => {
                    // Roll back only if the card is still where this move put it.
                    let still_there = self
                        .columns
                        .try_with_untracked(|cols| find(cols, id).is_some_and(|c| c.stage_id == to))
                        .unwrap_or(false);
                    if still_there {
                        self.columns.try_update(|cols| place(cols, client));
                    }
                    toasts.push(ToastKind::Error, format!("Could not move {name}: {}", e.message()));
                    self.announce.try_set(format!("{name} was not moved."));
                }
            }
        });
    }

    /// The stage before or after `stage` on the board.
    fn neighbour(self, stage: Uuid, forward: bool) -> Option<Uuid> {
        self.columns.with_untracked(|cols| {
            let i = cols.iter().position(|c| c.stage.id == stage)?;
            let j = if forward { i.checked_add(1)? } else { i.checked_sub(1)? };
            cols.get(j).map(|c| c.stage.id)
        })
    }
}

/// The pipeline page.
#[component]
pub fn PipelinePage() -> impl IntoView {
    let board_data = LocalResource::new(load_board);
    let columns = RwSignal::new(Vec::<Column>::new());
    let reload = Callback::new(move |_| board_data.refetch());
    let board = Board {
        columns,
        drag: DragState::new(),
        moving: RwSignal::new(Vec::new()),
        announce: RwSignal::new(String::new()),
        focus_after: RwSignal::new(None),
        reload,
        toasts: use_toasts(),
        today: format::today(&agency_time_zone()),
    };
    provide_context(board);

    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Pipeline"</h1>
                    <p class="page-subtitle" id=HINT_ID>
                        "Drag a card to another stage, or focus it and press "
                        <kbd>"Alt"</kbd>"+"<kbd>"→"</kbd>" / "<kbd>"Alt"</kbd>"+"<kbd>"←"</kbd>
                        " to move it one stage. Enter opens the client."
                    </p>
                </div>
            </header>
            <div class="sr-only" aria-live="assertive">{move || board.announce.get()}</div>
            <SectionBoundary section="Pipeline" resource=board_data let:data>
                <KanbanBoard data=data/>
            </SectionBoundary>
            <ClientPanelHost
                on_changed=Callback::new(move |c: Client| columns.update(|cols| place(cols, c)))
                on_removed=Callback::new(move |id: Uuid| {
                    columns
                        .update(|cols| {
                            for col in cols.iter_mut() {
                                if let Some(i) = col.clients.iter().position(|c| c.id == id) {
                                    col.clients.remove(i);
                                    col.stage.client_count -= 1;
                                }
                            }
                        })
                })
                on_reload=reload
            />
        </div>
    }
}

#[component]
fn KanbanBoard(data: Vec<Column>) -> impl IntoView {
    let board = expect_context::<Board>();
    board.columns.set(data);
    // After a keyboard move the card is a new element in another column: put focus back on it.
    Effect::new(move |_| {
        board.columns.track();
        if let Some(id) = board.focus_after.get_untracked() {
            request_animation_frame(move || {
                let selector = format!("[data-client-id='{id}']");
                if let Ok(Some(el)) = document().query_selector(&selector) {
                    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            });
            board.focus_after.set(None);
        }
    });
    let stages = move || {
        board
            .columns
            .with(|cols| cols.iter().map(|c| c.stage.id).collect::<Vec<_>>())
    };
    view! {
        <Show
            when=move || !board.columns.with(Vec::is_empty)
            fallback=|| view! { <p class="empty-state">"This agency has no pipeline stages yet."</p> }
        >
            <div class="kanban">
                <For each=stages key=|id| *id let:stage_id>
                    <StageColumn stage_id=stage_id/>
                </For>
            </div>
        </Show>
    }
}

#[component]
fn StageColumn(stage_id: Uuid) -> impl IntoView {
    let board = expect_context::<Board>();
    let column = Memo::new(move |_| {
        board
            .columns
            .with(|cols| cols.iter().find(|c| c.stage.id == stage_id).cloned())
    });
    let name = move || column.with(|c| c.as_ref().map(|c| c.stage.name.clone()).unwrap_or_default());
    let count = move || column.with(|c| c.as_ref().map(|c| c.stage.client_count).unwrap_or(0));
    let cards = move || column.with(|c| c.as_ref().map(|c| c.clients.clone()).unwrap_or_default());
    let load_error = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |cursor: &String| {
        let cursor = cursor.clone();
        async move {
            match list_clients(&column_query(stage_id, Some(cursor))).await {
                Ok(page) => board.columns.update(|cols| {
                    if let Some(col) = cols.iter_mut().find(|c| c.stage.id == stage_id) {
                        let known: Vec<Uuid> = col.clients.iter().map(|c| c.id).collect();
                        col.clients
                            .extend(page.items.into_iter().filter(|c| !known.contains(&c.id)));
                        col.next_cursor = page.next_cursor;
                    }
                }),
                Err(e) => load_error.set(Some(e.message())),
            }
        }
    });
    let next_cursor = move || column.with(|c| c.as_ref().and_then(|c| c.next_cursor.clone()));

    view! {
        <KanbanColumn
            id=stage_id
            title_id=format!("stage-{stage_id}")
            name=Signal::derive(name)
            count=Signal::derive(count)
            noun="clients"
            empty=Signal::derive(move || column.with(|c| c.as_ref().is_some_and(|c| c.clients.is_empty())))
            empty_text="No clients in this stage"
            drag=board.drag
            on_drop=Callback::new(move |id| board.move_card(id, stage_id))
        >
            <For
                each=cards
                key=|c| (c.id, c.updated_at, c.stage_id, c.days_in_stage)
                let:client
            >
                <li><KanbanCard client=client/></li>
            </For>
            <ColumnFooter slot>
                {move || load_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <Show when=move || next_cursor().is_some()>
                    <Button
                        kind=ButtonKind::Ghost
                        small=true
                        pending=load_more.pending()
                        on_click=Callback::new(move |_| {
                            load_error.set(None);
                            if let Some(c) = next_cursor() {
                                load_more.dispatch(c);
                            }
                        })
                    >
                        "Load more"
                    </Button>
                </Show>
            </ColumnFooter>
        </KanbanColumn>
    }
}

#[component]
fn KanbanCard(client: Client) -> impl IntoView {
    let board = expect_context::<Board>();
    let set_param = use_set_param();
    let id = client.id;
    let stage = client.stage_id;
    let moving = move || board.moving.with(|m| m.contains(&id));
    let on_keydown = move |ev: KeyboardEvent| {
        if let Some(to) = kanban::key_move(&ev, board.announce, |forward| board.neighbour(stage, forward)) {
            board.focus_after.set(Some(id));
            board.move_card(id, to);
        }
    };
    let owner = client.owner.as_ref().map(|o| o.name.clone());
    let due = client.due_date.map(|d| {
        let overdue = d < board.today;
        view! {
            <span class="card-meta" class:card-overdue=overdue>
                <Icon name=IconName::Calendar/>
                {format!("{}Due {}", if overdue { "Overdue · " } else { "" }, format::short_day(d, board.today))}
            </span>
        }
    });
    let labels = client
        .labels
        .iter()
        .cloned()
        .map(|l| view! { <LabelChip label=l/> })
        .collect_view();
    view! {
        <button
            type="button"
            class="kanban-card"
            class:kanban-card-moving=moving
            draggable="true"
            data-client-id=id.to_string()
            aria-describedby=HINT_ID
            aria-busy=move || moving().then_some("true")
            on:click=move |_| set_param(CLIENT_PARAM, Some(id.to_string()))
            on:keydown=on_keydown
            on:dragstart=move |ev: DragEvent| board.drag.start(&ev, id)
            on:dragend=move |_| board.drag.end()
        >
            <span class="kanban-card-top">
                <span class="kanban-card-name">{client.name.clone()}</span>
                <HealthBadge health=client.health/>
            </span>
            <span class="card-meta">
                {match owner {
                    Some(name) => view! { <Avatar name=name.clone()/> <span>{name}</span> }.into_any(),
                    None => view! { <Icon name=IconName::User/> <span class="muted">"Unassigned"</span> }.into_any(),
                }}
            </span>
            <span class="card-meta-row">
                <span class="card-meta">
                    <Icon name=IconName::Clock/>
                    {format!("{} in stage", format::days(client.days_in_stage))}
                </span>
                {due}
            </span>
            <span class="card-labels">{labels}</span>
        </button>
    }
}
