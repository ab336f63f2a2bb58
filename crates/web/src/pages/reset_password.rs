//! `/reset-password?token=...`: sets a new password with the emailed token. An unknown, used or
//! expired token (400 `invalid_token`) says the link is invalid or expired and offers a new one.

use audienceos_shared::auth::ResetPasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use validator::Validate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::routes::Route;

/// What the invalid-link message says.
const INVALID_LINK: &str = "This password reset link is invalid or has expired.";

/// The reset-password page.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.with(|q| q.get("token")).filter(|t| !t.is_empty()));
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let invalid_link = RwSignal::new(false);
    let done = RwSignal::new(false);

    let reset = Action::new_local(move |req: &ResetPasswordRequest| {
        let req = req.clone();
        async move {
            match api::auth::reset_password(&req).await {
                Ok(_) => done.set(true),
                Err(e) if e.is("invalid_token") => {
                    invalid_link.set(true);
                    errors.set_problem(&e, Some(INVALID_LINK.to_string()));
                }
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let req = ResetPasswordRequest {
            token: token.get_untracked().unwrap_or_default(),
            password: password.get_untracked(),
        };
        match req.validate() {
            Ok(()) => {
                reset.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    };
    let request_new_link = move || {
        invalid_link.get().then(|| {
            view! {
                <p class="form-note">
                    <a href=Route::ForgotPassword.path()>"Request a new link"</a>
                </p>
            }
        })
    };

    view! {
        <AuthCard
            heading="Set a new password"
            lead="Choose a new password for your account."
            footer=|| view! { <a href=Route::SignIn.path()>"Back to sign in"</a> }
        >
            {move || {
                if done.get() {
                    view! {
                        <div class="notice notice-success" role="status">
                            <span class="notice-icon"><Icon name=IconName::Check/></span>
                            <div>
                                <p class="notice-title">"Your password has been set"</p>
                                <p>"You can now sign in with your new password."</p>
                            </div>
                        </div>
                        <a class="btn btn-primary btn-block" href=Route::SignIn.path()>"Sign in"</a>
                    }
                    .into_any()
                } else if token.get().is_none() {
                    view! {
                        <div class="alert alert-danger" role="alert">
                            <Icon name=IconName::Alert/>
                            <span>{INVALID_LINK}</span>
                        </div>
                        <a class="btn btn-secondary btn-block" href=Route::ForgotPassword.path()>
                            "Request a new link"
                        </a>
                    }
                    .into_any()
                } else {
                    view! {
                        <form class="form" on:submit=on_submit novalidate=true>
                            <Field
                                label="New password"
                                value=password
                                error=errors.field("password")
                                input_type="password"
                                autocomplete="new-password"
                                hint="At least 8 characters."
                                autofocus=true
                                required=true
                            />
                            <FormAlert message=errors.form()/>
                            {request_new_link}
                            <Button button_type="submit" block=true pending=reset.pending()>
                                "Set new password"
                            </Button>
                        </form>
                    }
                    .into_any()
                }
            }}
        </AuthCard>
    }
}
