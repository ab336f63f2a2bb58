//! Notes on the client: add, edit your own (Admins any), delete, newest first with "Load more".

use audienceos_shared::client_work::Note;
use audienceos_shared::permissions::SystemRole;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::notes::{create_note, delete_note, list_notes, update_note};
use crate::components::button::{Button, ButtonKind};
use crate::components::field::FormAlert;
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::session::use_session;
use crate::state::toasts::{use_toasts, ToastKind};

/// The notes section with its composer.
#[component]
pub fn NotesSection(client_id: Uuid) -> impl IntoView {
    let notes = LocalResource::new(move || list_notes(client_id, None));
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let composer_id = unique_id("note");
    let add_note = Action::new_local(move |text: &String| {
        let text = text.clone();
        async move {
            match create_note(client_id, text).await {
                Ok(_) => {
                    body.set(String::new());
                    notes.refetch();
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    view! {
        <section class="drawer-section" aria-labelledby="client-notes-title">
            <h3 class="drawer-section-title" id="client-notes-title">"Notes"</h3>
            <form
                class="composer"
                on:submit=move |ev| {
                    ev.prevent_default();
                    error.set(None);
                    let text = body.get_untracked().trim().to_string();
                    if text.is_empty() {
                        error.set(Some("Write something first.".into()));
                    } else {
                        add_note.dispatch(text);
                    }
                }
            >
                <label class="sr-only" for=composer_id.clone()>"New note"</label>
                <textarea
                    id=composer_id
                    class="input textarea"
                    rows="2"
                    placeholder="Add a note…"
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                <FormAlert message=error/>
                <div class="composer-actions">
                    <Button button_type="submit" small=true pending=add_note.pending()>"Add note"</Button>
                </div>
            </form>
            <SectionBoundary section="Notes" resource=notes let:page>
                <NoteList client_id=client_id first=page.items next=page.next_cursor on_changed=Callback::new(move |_| notes.refetch())/>
            </SectionBoundary>
        </section>
    }
}

#[component]
fn NoteList(client_id: Uuid, first: Vec<Note>, next: Option<String>, on_changed: Callback<()>) -> impl IntoView {
    if first.is_empty() {
        return view! { <p class="muted">"No notes yet."</p> }.into_any();
    }
    let items = RwSignal::new(first);
    let cursor = RwSignal::new(next);
    let load_error = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |c: &String| {
        let c = c.clone();
        async move {
            match list_notes(client_id, Some(c)).await {
                Ok(page) => {
                    items.update(|list| list.extend(page.items));
                    cursor.set(page.next_cursor);
                }
                Err(e) => load_error.set(Some(e.message())),
            }
        }
    });
    view! {
        <ul class="notes">
            <For each=move || items.get() key=|n| (n.id, n.updated_at) let:note>
                <NoteItem client_id=client_id note=note on_changed=on_changed/>
            </For>
        </ul>
        <FormAlert message=load_error/>
        <Show when=move || cursor.with(Option::is_some)>
            <Button
                kind=ButtonKind::Ghost
                small=true
                pending=load_more.pending()
                on_click=Callback::new(move |_| {
                    if let Some(c) = cursor.get_untracked() {
                        load_more.dispatch(c);
                    }
                })
            >
                "Load more notes"
            </Button>
        </Show>
    }
    .into_any()
}

#[component]
fn NoteItem(client_id: Uuid, note: Note, on_changed: Callback<()>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let tz = agency_time_zone();
    let mine = session
        .with_me(|me| {
            note.author.as_ref().is_some_and(|a| a.id == me.user.id)
                || me
                    .role
                    .system_role
                    .is_some_and(|r| matches!(r, SystemRole::Owner | SystemRole::Admin))
        })
        .unwrap_or(false);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(note.body.clone());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let note_id = note.id;
    let save = move || {
        let text = draft.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some("A note can't be empty.".into()));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = update_note(client_id, note_id, text).await;
            pending.try_set(false);
            match result {
                Ok(_) => on_changed.run(()),
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    let remove = move || {
        pending.set(true);
        spawn_local(async move {
            let result = delete_note(client_id, note_id).await;
            pending.try_set(false);
            match result {
                Ok(()) => {
                    toasts.success("Note deleted.");
                    on_changed.run(());
                }
                Err(e) => toasts.push(ToastKind::Error, format!("Could not delete the note: {}", e.message())),
            }
        });
    };
    let author = note
        .author
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "Former member".into());
    let when = format::date_time(&note.created_at, &tz);
    let body = note.body.clone();
    view! {
        <li class="note">
            <div class="note-meta">
                <span class="cell-strong">{author}</span>
                <time class="muted" datetime=note.created_at.to_rfc3339()>{when}</time>
                {note.edited.then(|| view! { <span class="muted">"(edited)"</span> })}
            </div>
            <Show
                when=move || editing.get()
                fallback=move || view! { <p class="note-body">{body.clone()}</p> }
            >
                <label class="sr-only" for=format!("note-edit-{note_id}")>"Edit note"</label>
                <textarea
                    id=format!("note-edit-{note_id}")
                    class="input textarea"
                    rows="3"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                ></textarea>
                <FormAlert message=error/>
                <div class="composer-actions">
                    <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| editing.set(false))>"Cancel"</Button>
                    <Button small=true pending=pending on_click=Callback::new(move |_| save())>"Save note"</Button>
                </div>
            </Show>
            {mine
                .then(|| {
                    view! {
                        <Show when=move || !editing.get()>
                            <div class="note-actions">
                                <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| editing.set(true))>
                                    "Edit"
                                </Button>
                                <Button kind=ButtonKind::Ghost small=true pending=pending on_click=Callback::new(move |_| remove())>
                                    "Delete"
                                </Button>
                            </div>
                        </Show>
                    }
                })}
        </li>
    }
}
