//! `/settings/audit-log`: security events, newest first, paged with "Load more" (`next_cursor`).

use audienceos_shared::audit::AuditEvent;
use audienceos_shared::Page;
use leptos::prelude::*;

use crate::api::audit::list_audit_events;
use crate::api::ApiError;
use crate::components::button::{Button, ButtonKind};
use crate::components::field::FormAlert;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::state::session::use_session;

/// The audit log tab.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    // Pages fetched with "Load more", after the first; reset when the first page is (re)fetched.
    let more = RwSignal::new(Vec::<Page<AuditEvent>>::new());
    let first = LocalResource::new(move || {
        more.set(Vec::new());
        list_audit_events(None)
    });
    view! {
        <div class="stack">
            <div class="section-header">
                <div>
                    <h2 class="section-title">"Audit log"</h2>
                    <p class="muted">"Sign-ins, password changes, API key changes and refused requests in your agency, newest first."</p>
                </div>
            </div>
            <SectionBoundary section="Audit log" resource=first let:page>
                <EventsTable first=page more=more/>
            </SectionBoundary>
        </div>
    }
}

#[component]
fn EventsTable(first: Page<AuditEvent>, more: RwSignal<Vec<Page<AuditEvent>>>) -> impl IntoView {
    let session = use_session();
    let tz = session
        .with_me(|m| m.agency.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    if first.items.is_empty() {
        return view! {
            <div class="empty-state">
                <span class="empty-icon"><Icon name=IconName::List/></span>
                <p class="empty-title">"No events yet"</p>
                <p class="muted">"Sign-ins, password changes and API key changes will appear here."</p>
            </div>
        }
        .into_any();
    }
    let first_cursor = first.next_cursor.clone();
    let next_cursor = Memo::new(move |_| {
        more.with(|pages| match pages.last() {
            Some(p) => p.next_cursor.clone(),
            None => first_cursor.clone(),
        })
    });
    let load_error = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |cursor: &String| {
        let cursor = cursor.clone();
        async move {
            match list_audit_events(Some(cursor)).await {
                Ok(page) => more.update(|pages| pages.push(page)),
                Err(ApiError(p)) => load_error.set(Some(p.detail.unwrap_or(p.title) + " Try again.")),
            }
        }
    });

    let row = {
        let tz = tz.clone();
        move |e: AuditEvent| {
            let outcome_class = match e.outcome.as_str() {
                "success" => "status status-success",
                "failure" => "status status-danger",
                "denied" => "status status-warning",
                _ => "status status-neutral",
            };
            view! {
                <tr>
                    <td class="cell-nowrap">
                        <time datetime=e.created_at.to_rfc3339()>{format::date_time(&e.created_at, &tz)}</time>
                    </td>
                    <td>
                        <span class="cell-strong">{format::action_label(&e.action)}</span>
                        <code class="code-muted">{e.action.clone()}</code>
                    </td>
                    <td>
                        <span class=outcome_class>
                            <span class="status-dot" aria-hidden="true"></span>
                            {format::outcome_label(&e.outcome)}
                        </span>
                    </td>
                    <td>{e.actor_name.clone().unwrap_or_else(|| "—".into())}</td>
                    <td><code class="code-muted">{e.ip.clone().unwrap_or_else(|| "—".into())}</code></td>
                </tr>
            }
        }
    };
    let first_rows = first.items.into_iter().map(row.clone()).collect_view();
    let more_rows = move || {
        more.get()
            .into_iter()
            .flat_map(|p| p.items)
            .map(row.clone())
            .collect_view()
    };

    view! {
        <div class="table-wrap card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"IP"</th>
                    </tr>
                </thead>
                <tbody>
                    {first_rows}
                    {more_rows}
                </tbody>
            </table>
        </div>
        <FormAlert message=load_error/>
        <Show when=move || next_cursor.with(Option::is_some)>
            <div class="load-more">
                <Button
                    kind=ButtonKind::Secondary
                    pending=load_more.pending()
                    on_click=Callback::new(move |_| {
                        load_error.set(None);
                        if let Some(cursor) = next_cursor.get_untracked() {
                            load_more.dispatch(cursor);
                        }
                    })
                >
                    "Load more"
                </Button>
            </div>
        </Show>
    }
    .into_any()
}
