//! `/sign-up`: creates an agency and its Owner. The shared `validator` rules run first; on 201 the
//! caller is stored in the session and the page's guard takes them into the app (the dashboard, or
//! `?next=`).

use audienceos_shared::auth::SignupRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use validator::Validate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::routes::Route;
use crate::state::session::use_session;

/// The sign-up page.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = use_session();
    let agency_name = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();

    let sign_up = Action::new_local(move |req: &SignupRequest| {
        let req = req.clone();
        async move {
            match api::auth::signup(&req).await {
                Ok(me) => session.sign_in(me),
                Err(e) => {
                    let message = e
                        .is("email_taken")
                        .then(|| "An account with this email already exists. Sign in instead.".to_string());
                    errors.set_problem(&e, message);
                }
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let req = SignupRequest {
            agency_name: agency_name.get_untracked().trim().to_string(),
            first_name: first_name.get_untracked().trim().to_string(),
            last_name: last_name.get_untracked().trim().to_string(),
            email: email.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        match req.validate() {
            Ok(()) => {
                sign_up.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    };

    view! {
        <AuthCard
            heading="Create your agency"
            lead="Set up your agency's workspace. You'll be its Owner."
            footer=|| {
                view! {
                    "Already have an account? "
                    <a href=Route::SignIn.path()>"Sign in"</a>
                }
            }
        >
            <form class="form" on:submit=on_submit novalidate=true>
                <Field
                    label="Agency name"
                    value=agency_name
                    error=errors.field("agency_name")
                    autocomplete="organization"
                    autofocus=true
                    required=true
                />
                <div class="field-row">
                    <Field
                        label="First name"
                        value=first_name
                        error=errors.field("first_name")
                        autocomplete="given-name"
                        required=true
                    />
                    <Field
                        label="Last name"
                        value=last_name
                        error=errors.field("last_name")
                        autocomplete="family-name"
                        required=true
                    />
                </div>
                <Field
                    label="Work email"
                    value=email
                    error=errors.field("email")
                    input_type="email"
                    autocomplete="email"
                    required=true
                />
                <Field
                    label="Password"
                    value=password
                    error=errors.field("password")
                    input_type="password"
                    autocomplete="new-password"
                    hint="At least 8 characters."
                    required=true
                />
                <FormAlert message=errors.form()/>
                <Button button_type="submit" block=true pending=sign_up.pending()>
                    "Create agency"
                </Button>
            </form>
        </AuthCard>
    }
}
