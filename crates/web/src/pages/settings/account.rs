//! `/settings/account`: the caller's profile and the change-password form. Changing the password
//! signs out the caller's other sessions; the session itself is refreshed afterwards.

use audienceos_shared::auth::{ChangePasswordRequest, Me};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use validator::Validate;

use crate::api;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::use_fresh_me;
use crate::state::session::use_session;
use crate::state::toasts::use_toasts;

/// The account tab.
#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_fresh_me();
    view! {
        <div class="stack">
            <h2 class="section-title">"Account"</h2>
            <SectionBoundary section="Account" resource=me let:me>
                <Profile me=me/>
            </SectionBoundary>
            <ChangePassword/>
        </div>
    }
}

#[component]
fn Profile(me: Me) -> impl IntoView {
    let member_since = format::date(&me.user.created_at, &me.agency.timezone);
    view! {
        <section class="card" aria-labelledby="profile-title">
            <div class="profile-header">
                <span class="avatar avatar-lg" aria-hidden="true">{me.user.initials()}</span>
                <div>
                    <h3 class="card-title" id="profile-title">{me.user.full_name()}</h3>
                    <p class="muted">{me.user.email.clone()}</p>
                </div>
            </div>
            <dl class="detail-list">
                <div><dt>"Role"</dt><dd>{me.role.name.clone()}</dd></div>
                <div><dt>"Agency"</dt><dd>{me.agency.name.clone()}</dd></div>
                <div><dt>"Member since"</dt><dd>{member_since}</dd></div>
            </dl>
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let errors = FormErrors::new();

    let change_password = Action::new_local(move |req: &ChangePasswordRequest| {
        let req = req.clone();
        async move {
            match api::auth::change_password(&req).await {
                Ok(_) => {
                    current.set(String::new());
                    new.set(String::new());
                    toasts.success("Password changed. Other sessions were signed out.");
                    // The server may rotate the session and its CSRF token.
                    if let Ok(me) = api::auth::me().await {
                        session.sign_in(me);
                    }
                }
                Err(e) if e.is("invalid_credentials") => {
                    errors.set_field("current_password", "Current password is incorrect.");
                }
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        match req.validate() {
            Ok(()) => {
                change_password.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    };

    view! {
        <section class="card" aria-labelledby="password-title">
            <h3 class="card-title" id="password-title">"Change password"</h3>
            <p class="card-text">"Changing your password signs you out everywhere else."</p>
            <form class="form form-narrow" on:submit=on_submit novalidate=true>
                <Field
                    label="Current password"
                    value=current
                    error=errors.field("current_password")
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <Field
                    label="New password"
                    value=new
                    error=errors.field("new_password")
                    input_type="password"
                    autocomplete="new-password"
                    hint="At least 8 characters."
                    required=true
                />
                <FormAlert message=errors.form()/>
                <div class="form-actions">
                    <Button button_type="submit" pending=change_password.pending()>
                        "Change password"
                    </Button>
                </div>
            </form>
        </section>
    }
}
