//! The client's synced messages (Gmail and Slack), newest first, with "Load more". Reading and replying
//! belong to the communications inbox; this is the client's recent history at a glance.

use audienceos_shared::integrations::Communication;
use audienceos_shared::Page;
use chrono::Utc;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::communications::client_communications;
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::agency_time_zone;
use crate::routes::Route;

/// Messages per page.
const PAGE_SIZE: u32 = 20;

/// The section.
#[component]
pub fn CommunicationsSection(client_id: Uuid) -> impl IntoView {
    let first = LocalResource::new(move || client_communications(client_id, PAGE_SIZE, None));
    view! {
        <section class="drawer-section" aria-labelledby="client-comms-title">
            <h3 class="drawer-section-title" id="client-comms-title">"Communications"</h3>
            <SectionBoundary section="Communications" resource=first let:page>
                <CommunicationList client_id=client_id first=page/>
            </SectionBoundary>
        </section>
    }
}

/// The platform's word and icon ("Gmail", "Slack"; any other value as sent).
pub fn platform_badge(platform: &str) -> (String, IconName) {
    match platform {
        "gmail" => ("Gmail".into(), IconName::Mail),
        "slack" => ("Slack".into(), IconName::Message),
        other => (other.to_string(), IconName::Message),
    }
}

/// "Ada Lovelace <ada@example.com>", the name or the address alone, or "Unknown sender".
pub fn sender_text(name: Option<&str>, email: Option<&str>) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    match (name, email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.to_string(),
        (None, Some(e)) => e.to_string(),
        (None, None) => "Unknown sender".into(),
    }
}

#[component]
fn CommunicationList(client_id: Uuid, first: Page<Communication>) -> impl IntoView {
    let items = RwSignal::new(first.items);
    let cursor = RwSignal::new(first.next_cursor);
    let error = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |_: &()| async move {
        let Some(c) = cursor.get_untracked() else { return };
        error.set(None);
        match client_communications(client_id, PAGE_SIZE, Some(&c)).await {
            Ok(page) => {
                items.update(|list| list.extend(page.items));
                cursor.set(page.next_cursor);
            }
            Err(e) => error.set(Some(format!("Could not load more messages: {}", e.message()))),
        }
    });
    let tz = StoredValue::new(agency_time_zone());
    view! {
        <Show
            when=move || items.with(|l| !l.is_empty())
            fallback=|| view! {
                <div class="empty-state empty-state-compact">
                    <span class="empty-icon"><Icon name=IconName::Mail/></span>
                    <p class="empty-title">"No messages yet"</p>
                    <p class="muted">
                        "Connect Gmail or Slack in Integrations (and link the client's Slack channels) to see its messages here."
                    </p>
                    <a class="btn btn-secondary btn-sm" href=Route::Integrations.path()>"Connect Gmail or Slack in Integrations"</a>
                </div>
            }
        >
            <ul class="comm-list" aria-label="Messages">
                <For each=move || items.get() key=|m| m.id let:message>
                    <CommunicationItem message=message tz=tz.get_value()/>
                </For>
            </ul>
        </Show>
        {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        <Show when=move || cursor.with(Option::is_some)>
            <div class="stage-actions">
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=load_more.pending()
                    pending_label="Loading…"
                    on_click=Callback::new(move |_| {
                        load_more.dispatch(());
                    })
                >
                    "Load more messages"
                </Button>
            </div>
        </Show>
    }
}

#[component]
fn CommunicationItem(message: Communication, tz: String) -> impl IntoView {
    let (platform, icon) = platform_badge(&message.platform);
    let sender = sender_text(message.sender_name.as_deref(), message.sender_email.as_deref());
    let when = format::relative(&message.received_at, &Utc::now(), &tz);
    let exact = format::date_time(&message.received_at, &tz);
    let direction = if message.is_inbound { "From" } else { "Sent by" };
    view! {
        <li class="comm-item">
            <div class="comm-meta">
                <span class="badge badge-neutral comm-platform">
                    <Icon name=icon/>
                    {platform}
                </span>
                <span class="comm-sender">
                    <span class="sr-only">{format!("{direction} ")}</span>
                    {sender}
                </span>
                {message.needs_reply.then(|| view! { <span class="badge badge-warning">"Needs reply"</span> })}
                <time class="muted small comm-time" datetime=message.received_at.to_rfc3339() title=exact>
                    {when}
                </time>
            </div>
            {message.subject.filter(|s| !s.trim().is_empty()).map(|s| view! { <p class="comm-subject">{s}</p> })}
            <p class="comm-snippet muted">{message.snippet}</p>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_read_naturally() {
        assert_eq!(
            sender_text(Some("Ada"), Some("ada@example.com")),
            "Ada <ada@example.com>"
        );
        assert_eq!(sender_text(Some(" "), Some("ada@example.com")), "ada@example.com");
        assert_eq!(sender_text(Some("Ada"), None), "Ada");
        assert_eq!(sender_text(None, None), "Unknown sender");
    }

    #[test]
    fn platforms_have_words() {
        assert_eq!(platform_badge("gmail").0, "Gmail");
        assert_eq!(platform_badge("slack").0, "Slack");
    }
}
