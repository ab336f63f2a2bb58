//! `/settings/api-keys`: the agency's API keys with their status in words, "New API key" (secret
//! shown once) and "Revoke". Actions appear only with `settings:write`.

use audienceos_shared::api_keys::ApiKey;
use audienceos_shared::permissions::{Action, Resource};
use chrono::Utc;
use leptos::prelude::*;

use crate::api::api_keys::{list_api_keys, revoke_api_key};
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ConfirmModal;
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::modals::create_api_key::CreateApiKeyModal;
use crate::state::session::use_session;
use crate::state::toasts::use_toasts;

/// Whether a key can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyStatus {
    Active,
    Revoked,
    Expired,
}

impl KeyStatus {
    fn of(key: &ApiKey) -> Self {
        if key.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if key.expires_at <= Utc::now() {
            KeyStatus::Expired
        } else {
            KeyStatus::Active
        }
    }

    fn label(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Revoked => "Revoked",
            KeyStatus::Expired => "Expired",
        }
    }

    fn class(self) -> &'static str {
        match self {
            KeyStatus::Active => "status status-success",
            KeyStatus::Revoked => "status status-neutral",
            KeyStatus::Expired => "status status-warning",
        }
    }
}

/// The API keys tab.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let can_write = Memo::new(move |_| session.can(Resource::Settings, Action::Write));
    let keys = LocalResource::new(|| list_api_keys(None));
    let creating = RwSignal::new(false);
    let revoking = RwSignal::new(None::<ApiKey>);
    let refetch = Callback::new(move |_| keys.refetch());

    view! {
        <div class="stack">
            <div class="section-header">
                <div>
                    <h2 class="section-title">"API keys"</h2>
                    <p class="muted">
                        "Keys let scripts and other tools call the AudienceOS API with the permissions of a role."
                    </p>
                </div>
                <Show when=move || can_write.get()>
                    <Button on_click=Callback::new(move |_| creating.set(true))>
                        <Icon name=IconName::Plus/>
                        "New API key"
                    </Button>
                </Show>
            </div>
            <SectionBoundary section="API keys" resource=keys let:page>
                <KeysTable
                    keys=page.items
                    can_write=can_write.get_untracked()
                    on_revoke=Callback::new(move |key| revoking.set(Some(key)))
                    on_create=Callback::new(move |_| creating.set(true))
                />
            </SectionBoundary>
            <Show when=move || creating.get()>
                <CreateApiKeyModal on_close=Callback::new(move |_| creating.set(false)) on_created=refetch/>
            </Show>
            {move || {
                revoking
                    .get()
                    .map(|key| {
                        let id = key.id;
                        view! {
                            <ConfirmModal
                                title="Revoke API key"
                                confirm_label="Revoke key"
                                danger=true
                                on_close=Callback::new(move |_| revoking.set(None))
                                action=move || async move {
                                    revoke_api_key(id).await?;
                                    toasts.success("API key revoked.");
                                    refetch.run(());
                                    Ok(())
                                }
                            >
                                <p>
                                    "Revoke " <strong>{key.name.clone()}</strong> " (" <code>{format!("{}…", key.prefix)}</code>
                                    ")? Anything using this key stops working immediately. This can't be undone."
                                </p>
                            </ConfirmModal>
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn KeysTable(
    keys: Vec<ApiKey>,
    can_write: bool,
    on_revoke: Callback<ApiKey>,
    on_create: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let tz = session
        .with_me(|m| m.agency.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    if keys.is_empty() {
        return view! {
            <div class="empty-state">
                <span class="empty-icon"><Icon name=IconName::Key/></span>
                <p class="empty-title">"No API keys yet"</p>
                <p class="muted">"Create a key to connect reporting tools, scripts or your own integrations."</p>
                {can_write
                    .then(|| {
                        view! {
                            <Button kind=ButtonKind::Secondary on_click=Callback::new(move |_| on_create.run(()))>
                                "Create your first key"
                            </Button>
                        }
                    })}
            </div>
        }
        .into_any();
    }
    let rows = keys
        .into_iter()
        .map(|key| {
            let status = KeyStatus::of(&key);
            let last_used = key
                .last_used_at
                .map(|t| format::date_time(&t, &tz))
                .unwrap_or_else(|| "Never".into());
            let revoke = (can_write && status == KeyStatus::Active).then(|| {
                let k = key.clone();
                view! {
                    <Button
                        kind=ButtonKind::Ghost
                        small=true
                        on_click=Callback::new(move |_| on_revoke.run(k.clone()))
                    >
                        "Revoke"
                    </Button>
                }
            });
            view! {
                <tr>
                    <td class="cell-strong">{key.name.clone()}</td>
                    <td><code class="code-chip">{format!("{}…", key.prefix)}</code></td>
                    <td>{key.role.name()}</td>
                    <td class="cell-nowrap">{format::date(&key.created_at, &tz)}</td>
                    <td class="cell-nowrap">{format::date(&key.expires_at, &tz)}</td>
                    <td class="cell-nowrap">{last_used}</td>
                    <td>
                        <span class=status.class()>
                            <span class="status-dot" aria-hidden="true"></span>
                            {status.label()}
                        </span>
                    </td>
                    <td class="cell-actions">{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Prefix"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
