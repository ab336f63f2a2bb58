//! One provider's card: what it brings, its status in words, the connected account, the last sync and
//! error, the OAuth app it connects through (`oauth_app`), and the actions the caller may take
//! (Connect/Reconnect and Disconnect need integrations:manage, Test connection and Sync now need
//! integrations:write). Each action shows its busy state and its result inside the card.

use audienceos_shared::integrations::{Integration, IntegrationStatus, SyncOutcome};
use leptos::prelude::*;

use super::copy::{
    description, is_web_url, link_label, outcome_text, status_badge, sync_limit_text, DEMO_PROVIDER_HINT,
};
use super::oauth_app::OAuthAppSection;
use super::IntegrationsContext;
use crate::api::integrations::{connect, disconnect, sync_now, test_connection};
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ConfirmModal;
use crate::components::spinner::Spinner;
use crate::format;
use crate::modals::link_resources::LinkResourcesModal;
use crate::pages::agency_time_zone;
use crate::state::toasts::{use_toasts, ToastKind};

/// How a line of feedback in the card reads.
#[derive(Debug, Clone, PartialEq)]
enum Note {
    Progress(String),
    Done(String),
    Failed(String),
}

/// Which dialog of the card is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Disconnect,
    Link,
}

/// The card of `integration` (kept current by the page).
#[component]
pub fn IntegrationCard(
    integration: Memo<Integration>,
    can_write: Signal<bool>,
    can_manage: Signal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<IntegrationsContext>();
    let toasts = use_toasts();
    let provider = integration.with_untracked(|i| i.provider);
    let name = provider.label();
    let slug = provider.as_str();
    let title_id = format!("integration-{slug}-title");
    let labelled_by = title_id.clone();
    let hint_id = StoredValue::new(format!("integration-{slug}-hint"));
    let status = Memo::new(move |_| integration.with(|i| i.status));
    let has_grant = move || status.get().has_grant();
    let offers_connect = move || {
        can_manage.get()
            && matches!(
                status.get(),
                IntegrationStatus::NotConnected | IntegrationStatus::NeedsReconnect
            )
    };
    let integration_id = move || integration.with_untracked(|i| i.id);
    // Only the id: the open dialog must not be rebuilt each time polling brings a new status.
    let grant_id = Memo::new(move |_| integration.with(|i| i.id));
    let connect_button = NodeRef::<leptos::html::Button>::new();
    let dialog = RwSignal::new(None::<Dialog>);

    // Connect: ask the API for the consent page and leave for it.
    let connect_error = RwSignal::new(None::<String>);
    let leaving = RwSignal::new(false);
    let start_connect = Action::new_local(move |_: &()| async move {
        connect_error.set(None);
        match connect(provider).await {
            Ok(r) if is_web_url(&r.authorize_url) => {
                leaving.set(true);
                if window().location().assign(&r.authorize_url).is_err() {
                    leaving.set(false);
                    connect_error.set(Some("The browser did not open the consent page. Try again.".into()));
                }
            }
            Ok(_) => connect_error.set(Some(
                "The server answered with a consent page address the app will not open.".into(),
            )),
            Err(e) => connect_error.set(Some(format!("Could not start connecting {name}: {}", e.message()))),
        }
    });

    // Test connection: the result stays in the card until the next test.
    let test_result = RwSignal::new(None::<Note>);
    let run_test = Action::new_local(move |_: &()| async move {
        let Some(id) = integration_id() else { return };
        test_result.set(None);
        let note = match test_connection(id).await {
            Ok(r) if r.ok => Note::Done(format!(
                "Connection OK{} · {} ms",
                r.account_label.map(|a| format!(" as {a}")).unwrap_or_default(),
                r.latency_ms
            )),
            Ok(r) => Note::Failed(format!(
                "Connection failed: {}",
                r.detail.unwrap_or_else(|| "the provider refused the request.".into())
            )),
            Err(e) => Note::Failed(format!("Could not test the connection: {}", e.message())),
        };
        test_result.set(Some(note));
        ctx.refresh.try_run(());
    });

    // Sync now: queue it, then watch the list (polled by the page) until the last sync changes.
    let sync_note = RwSignal::new(None::<Note>);
    let baseline = StoredValue::new(None::<Option<SyncOutcome>>);
    let start_sync = Action::new_local(move |_: &()| async move {
        let Some(id) = integration_id() else { return };
        sync_note.set(None);
        let before = integration.with_untracked(|i| i.last_sync.clone());
        match sync_now(id).await {
            (Ok(_), _) => {
                baseline.set_value(Some(before));
                ctx.awaiting.update(|a| {
                    a.insert(provider, js_sys::Date::now());
                });
                sync_note.set(Some(Note::Progress("Sync queued…".into())));
                ctx.refresh.try_run(());
            }
            (Err(e), retry_after) if e.is("rate_limited") => {
                sync_note.set(Some(Note::Failed(sync_limit_text(retry_after))))
            }
            (Err(e), _) => sync_note.set(Some(Note::Failed(format!("Could not start the sync: {}", e.message())))),
        }
    });
    Effect::new(move |_| {
        let still_awaited = ctx.awaiting.with(|a| a.contains_key(&provider));
        let (now_status, last, error) = integration.with(|i| (i.status, i.last_sync.clone(), i.last_error.clone()));
        let Some(before) = baseline.get_value() else { return };
        if now_status != IntegrationStatus::Syncing && last != before {
            baseline.set_value(None);
            ctx.awaiting.update(|a| {
                a.remove(&provider);
            });
            let Some(outcome) = last else { return };
            let text = outcome_text(&outcome, error.as_deref());
            if outcome.outcome == "ok" {
                toasts.success(format!("{name}: {text}."));
                sync_note.set(Some(Note::Done(text)));
            } else {
                toasts.push(ToastKind::Error, format!("{name}: {text}"));
                sync_note.set(Some(Note::Failed(text)));
            }
        } else if !still_awaited {
            baseline.set_value(None);
            sync_note.set(Some(Note::Progress(
                "The sync has not finished after 3 minutes; its result shows here when it does.".into(),
            )));
        }
    });
    let awaiting_sync = move || ctx.awaiting.with(|a| a.contains_key(&provider));

    // After Disconnect the card's buttons change: put focus on Connect once it is there.
    let focus_connect = RwSignal::new(false);
    Effect::new(move |_| {
        if focus_connect.get() && status.get() == IntegrationStatus::NotConnected {
            focus_connect.set(false);
            request_animation_frame(move || {
                if let Some(b) = connect_button.get_untracked() {
                    let _ = b.focus();
                }
            });
        }
    });

    let tz = agency_time_zone();
    let facts = move || {
        let i = integration.get();
        let now = ctx.now.get();
        let account = i.account_label.clone().unwrap_or_else(|| "—".into());
        let last_synced = i
            .last_sync_at
            .map(|t| format!("Last synced {}", format::relative(&t, &now, &tz)))
            .unwrap_or_else(|| "Never synced".into());
        let last_result = i.last_sync.as_ref().map(|o| outcome_text(o, i.last_error.as_deref()));
        let linked = provider.links_resources().then(|| {
            let noun = provider.resource_noun();
            match i.linked_resources {
                1 => format!("1 {noun} linked to a client"),
                n => format!("{n} {noun}s linked to clients"),
            }
        });
        view! {
            <dl class="integration-facts">
                <div><dt>"Account"</dt><dd>{account}</dd></div>
                <div><dt>"Last sync"</dt><dd>{last_synced}</dd></div>
                {last_result.map(|r| view! { <div><dt>"Result"</dt><dd>{r}</dd></div> })}
                {linked.map(|l| view! { <div><dt>"Linked"</dt><dd>{l}</dd></div> })}
            </dl>
        }
    };

    let note_view = |note: Note| {
        let (class, icon) = match &note {
            Note::Progress(_) => ("integration-note", None),
            Note::Done(_) => ("integration-note note-ok", Some(IconName::Check)),
            Note::Failed(_) => ("integration-note note-failed", Some(IconName::Alert)),
        };
        let text = match note {
            Note::Progress(t) | Note::Done(t) | Note::Failed(t) => t,
        };
        view! {
            <p class=class>
                {icon.map(|i| view! { <Icon name=i/> })}
                <span>{text}</span>
            </p>
        }
    };

    view! {
        <article class="card integration-card" aria-labelledby=labelled_by>
            <header class="integration-card-header">
                <span class=format!("integration-logo integration-logo-{slug}") aria-hidden="true">
                    {logo_letters(provider)}
                </span>
                <div class="integration-heading">
                    <h2 class="card-title" id=title_id>{name}</h2>
                    <p class="muted small">{description(provider)}</p>
                    <Show when=move || integration.with(|i| i.demo)>
                        <p class="integration-demo">
                            <span class="badge badge-warning" title=DEMO_PROVIDER_HINT>"Demo provider"</span>
                            <span class="sr-only">{format!(": {DEMO_PROVIDER_HINT}")}</span>
                        </p>
                    </Show>
                </div>
                {move || {
                    let (word, class) = status_badge(status.get());
                    view! {
                        <span class=class>
                            <span class="status-dot" aria-hidden="true"></span>
                            <span class="sr-only">"Status: "</span>
                            {word}
                        </span>
                    }
                }}
            </header>
            {move || integration.with(|i| i.status_reason.clone()).map(|r| view! { <p class="integration-reason">{r}</p> })}
            <Show when=has_grant>{facts.clone()}</Show>
            {move || {
                integration
                    .with(|i| i.last_error.clone())
                    .filter(|_| has_grant())
                    .map(|e| {
                        view! {
                            <p class="integration-error">
                                <Icon name=IconName::Alert/>
                                <span>{format!("Last error: {e}")}</span>
                            </p>
                        }
                    })
            }}
            <div class="integration-live" role="status" aria-live="polite">
                {move || {
                    if status.get() == IntegrationStatus::Syncing {
                        let progress = integration.with(|i| i.sync_progress.clone()).unwrap_or_else(|| "Syncing…".into());
                        view! {
                            <p class="integration-note">
                                <Spinner small=true/>
                                <span>{progress}</span>
                            </p>
                        }
                        .into_any()
                    } else {
                        sync_note.get().map(note_view).into_any()
                    }
                }}
                {move || test_result.get().map(note_view)}
                {move || connect_error.get().map(|e| note_view(Note::Failed(e)))}
            </div>
            <OAuthAppSection integration=integration hint_id=hint_id.get_value()/>
            <div class="integration-actions">
                <Show when=offers_connect>
                    <Button
                        kind=ButtonKind::Primary
                        small=true
                        node_ref=connect_button
                        pending=Signal::derive(move || start_connect.pending().get() || leaving.get())
                        disabled=Signal::derive(move || !integration.with(|i| i.configured))
                        on_click=Callback::new(move |_| {
                            start_connect.dispatch(());
                        })
                        attr:aria-describedby=move || (!integration.with(|i| i.configured)).then(|| hint_id.get_value())
                    >
                        <Icon name=IconName::Plug/>
                        {move || if status.get() == IntegrationStatus::NeedsReconnect {
                            format!("Reconnect {name}")
                        } else {
                            format!("Connect {name}")
                        }}
                    </Button>
                </Show>
                <Show when=move || can_write.get() && has_grant()>
                    <Button
                        kind=ButtonKind::Secondary
                        small=true
                        pending=run_test.pending()
                        on_click=Callback::new(move |_| {
                            run_test.dispatch(());
                        })
                    >
                        "Test connection"
                    </Button>
                    <Button
                        kind=ButtonKind::Secondary
                        small=true
                        pending=start_sync.pending()
                        disabled=Signal::derive(move || status.get() == IntegrationStatus::Syncing || awaiting_sync())
                        on_click=Callback::new(move |_| {
                            start_sync.dispatch(());
                        })
                    >
                        <Icon name=IconName::Refresh/>
                        "Sync now"
                    </Button>
                </Show>
                <Show when=move || can_manage.get() && has_grant() && provider.links_resources()>
                    <Button kind=ButtonKind::Secondary small=true on_click=Callback::new(move |_| dialog.set(Some(Dialog::Link)))>
                        <Icon name=IconName::Link/>
                        {link_label(provider)}
                    </Button>
                </Show>
                <Show when=move || can_manage.get() && has_grant()>
                    <Button kind=ButtonKind::Ghost small=true on_click=Callback::new(move |_| dialog.set(Some(Dialog::Disconnect)))>
                        {format!("Disconnect {name}")}
                    </Button>
                </Show>
            </div>
            <Show when=move || !can_manage.get() && !has_grant()>
                <p class="muted small">{format!("Ask an owner or admin to connect {name}.")}</p>
            </Show>
            {move || {
                let id = grant_id.get()?;
                // The connected account, named in the question.
                let who = integration
                    .with_untracked(|i| i.account_label.clone())
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default();
                let close = Callback::new(move |_| dialog.set(None));
                Some(match dialog.get()? {
                    Dialog::Disconnect => view! {
                        <ConfirmModal
                            title=format!("Disconnect {name}?")
                            confirm_label="Disconnect"
                            danger=true
                            on_close=close
                            // The API revokes the grant at the provider and deletes the tokens.
                            action=move || async move {
                                disconnect(id).await?;
                                toasts.success(format!("{name} disconnected."));
                                test_result.set(None);
                                sync_note.set(None);
                                focus_connect.set(true);
                                ctx.refresh.try_run(());
                                Ok(())
                            }
                        >
                            <p>
                                {format!(
                                    "AudienceOS gives up its access to {name}{who}: the grant is revoked at {name} and the stored tokens are deleted."
                                )}
                            </p>
                            <p class="muted">
                                "Data already synced stays. Syncing stops until someone connects again."
                            </p>
                        </ConfirmModal>
                    }
                    .into_any(),
                    Dialog::Link => view! {
                        <LinkResourcesModal
                            provider=provider
                            integration_id=id
                            on_close=Callback::new(move |_| {
                                dialog.set(None);
                                ctx.refresh.try_run(());
                            })
                        />
                    }
                    .into_any(),
                })
            }}
        </article>
    }
}

/// The letters standing in for the provider's logo (decorative; the name is next to it).
fn logo_letters(provider: audienceos_shared::integrations::IntegrationProvider) -> &'static str {
    use audienceos_shared::integrations::IntegrationProvider as P;
    match provider {
        P::Gmail => "G",
        P::Slack => "S",
        P::GoogleAds => "GA",
        P::MetaAds => "M",
    }
}
