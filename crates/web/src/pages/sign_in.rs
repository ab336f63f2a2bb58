//! `/sign-in`: email and password. A wrong password shows "Email or password is incorrect." in the
//! form's alert; after success the page's guard (`PublicOnly`, or the public app's `AuthPages`) sends the
//! user to `?next=` or the dashboard.

use audienceos_shared::auth::LoginRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use validator::Validate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::routes::Route;
use crate::state::session::{use_session, SessionState, SignedOutReason};

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let expired = matches!(
        session.state_untracked(),
        SessionState::SignedOut(SignedOutReason::Expired)
    );

    let sign_in = Action::new_local(move |req: &LoginRequest| {
        let req = req.clone();
        async move {
            match api::auth::login(&req).await {
                Ok(me) => session.sign_in(me),
                Err(e) => {
                    let message = e
                        .is("invalid_credentials")
                        .then(|| "Email or password is incorrect.".to_string());
                    errors.set_problem(&e, message);
                }
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let req = LoginRequest {
            email: email.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        match req.validate() {
            Ok(()) => {
                sign_in.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    };

    view! {
        <AuthCard
            heading="Sign in to AudienceOS"
            lead="Welcome back. Sign in to your agency's command center."
            footer=|| {
                view! {
                    "New to AudienceOS? "
                    <a href=Route::SignUp.path()>"Create an agency"</a>
                }
            }
        >
            {expired
                .then(|| {
                    view! {
                        <p class="alert alert-info">"Your session has ended. Sign in again to continue."</p>
                    }
                })}
            <form class="form" on:submit=on_submit novalidate=true>
                <Field
                    label="Email"
                    value=email
                    error=errors.field("email")
                    input_type="email"
                    autocomplete="email"
                    autofocus=true
                    required=true
                />
                <Field
                    label="Password"
                    value=password
                    error=errors.field("password")
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    label_aside=|| {
                        view! {
                            <a class="field-aside" href=Route::ForgotPassword.path()>"Forgot password?"</a>
                        }
                    }
                />
                <FormAlert message=errors.form()/>
                <Button button_type="submit" block=true pending=sign_in.pending()>
                    "Sign in"
                </Button>
            </form>
        </AuthCard>
    }
}
