//! The OAuth app part of a card. Without any OAuth app for the provider, it says in words what is needed
//! and who can set it up; the agency's Owner gets "Use your own OAuth app". With the agency's own app, it
//! names the app (client id, who set it up) and the Owner may change or remove it. The server's app needs
//! no words.

use audienceos_shared::integrations::{Integration, OAuthAppSource};
use audienceos_shared::permissions::SystemRole;
use leptos::prelude::*;

use super::copy::{oauth_app_ask_owner, oauth_app_missing, oauth_app_own, oauth_app_remove_text};
use super::IntegrationsContext;
use crate::api::integrations::remove_oauth_app;
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ConfirmModal;
use crate::modals::oauth_app::OAuthAppModal;
use crate::state::session::use_session;
use crate::state::toasts::use_toasts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Set,
    Remove,
}

/// The card's OAuth app notice and the Owner's actions; the missing-app explanation carries `hint_id`
/// (the disabled Connect button is described by it).
#[component]
pub fn OAuthAppSection(integration: Memo<Integration>, hint_id: String) -> impl IntoView {
    let ctx = expect_context::<IntegrationsContext>();
    let toasts = use_toasts();
    let session = use_session();
    let is_owner = Signal::derive(move || {
        session
            .with_me(|me| me.role.system_role == Some(SystemRole::Owner))
            .unwrap_or(false)
    });
    let provider = integration.with_untracked(|i| i.provider);
    let app = provider.oauth_app();
    let oauth = Memo::new(move |_| integration.with(|i| i.oauth_app.clone()));
    let source = Memo::new(move |_| oauth.with(|o| o.source));
    let dialog = RwSignal::new(None::<Dialog>);
    let hint_id = StoredValue::new(hint_id);

    let notice = move || match source.get() {
        OAuthAppSource::Server => ().into_any(),
        OAuthAppSource::None => view! {
            <div class="integration-setup" id=hint_id.get_value()>
                <p>{move || oauth_app_missing(provider, is_owner.get())}</p>
                {move || {
                    if is_owner.get() {
                        view! {
                            <Button
                                kind=ButtonKind::Secondary
                                small=true
                                on_click=Callback::new(move |_| dialog.set(Some(Dialog::Set)))
                            >
                                <Icon name=IconName::Key/>
                                "Use your own OAuth app"
                            </Button>
                        }
                        .into_any()
                    } else {
                        view! { <p class="muted small">{oauth_app_ask_owner(app)}</p> }.into_any()
                    }
                }}
            </div>
        }
        .into_any(),
        OAuthAppSource::Agency => view! {
            <div class="integration-own-app">
                <p class="muted small">
                    <Icon name=IconName::Key/>
                    <span>{move || oauth.with(oauth_app_own)}</span>
                </p>
                <Show when=move || is_owner.get()>
                    <div class="integration-own-app-actions">
                        <Button
                            kind=ButtonKind::Ghost
                            small=true
                            on_click=Callback::new(move |_| dialog.set(Some(Dialog::Set)))
                            attr:aria-label=format!("Change the agency's {} OAuth app", app.label())
                        >
                            "Change app"
                        </Button>
                        <Button
                            kind=ButtonKind::Ghost
                            small=true
                            on_click=Callback::new(move |_| dialog.set(Some(Dialog::Remove)))
                            attr:aria-label=format!("Remove the agency's {} OAuth app", app.label())
                        >
                            "Remove app"
                        </Button>
                    </div>
                </Show>
            </div>
        }
        .into_any(),
    };

    let dialogs = move || {
        let close = Callback::new(move |_| dialog.set(None));
        Some(match dialog.get()? {
            Dialog::Set => {
                let current = oauth.with_untracked(|o| (o.redirect_uri.clone(), o.client_id.clone()));
                view! {
                    <OAuthAppModal
                        app=app
                        redirect_uri=current.0
                        current_client_id=current.1
                        on_close=close
                        on_saved=Callback::new(move |_| ctx.refresh.run(()))
                    />
                }
                .into_any()
            }
            Dialog::Remove => view! {
                <ConfirmModal
                    title=format!("Remove the agency's {} OAuth app?", app.label())
                    confirm_label="Remove app"
                    danger=true
                    on_close=close
                    action=move || async move {
                        remove_oauth_app(app).await?;
                        toasts.success(format!("The agency's {} OAuth app is removed.", app.label()));
                        ctx.refresh.run(());
                        Ok(())
                    }
                >
                    <p>{oauth_app_remove_text(app)}</p>
                    <p class="muted">"The client ID and the encrypted secret are deleted from AudienceOS; the app itself stays at the provider."</p>
                </ConfirmModal>
            }
            .into_any(),
        })
    };

    view! {
        {notice}
        {dialogs}
    }
}
