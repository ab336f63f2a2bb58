//! `/forgot-password`: asks for a reset link. The API answers the same whether or not the account
//! exists, so the confirmation says "if an account exists".

use audienceos_shared::auth::ForgotPasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use validator::Validate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::button::Button;
use crate::components::field::{Field, FormAlert, FormErrors};
use crate::components::icons::{Icon, IconName};
use crate::routes::Route;

/// The forgot-password page.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let sent_to = RwSignal::new(None::<String>);

    let send_link = Action::new_local(move |req: &ForgotPasswordRequest| {
        let req = req.clone();
        async move {
            match api::auth::forgot_password(&req).await {
                Ok(_) => sent_to.set(Some(req.email)),
                Err(e) => errors.set_problem(&e, None),
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let req = ForgotPasswordRequest {
            email: email.get_untracked().trim().to_string(),
        };
        match req.validate() {
            Ok(()) => {
                send_link.dispatch(req);
            }
            Err(v) => errors.set_validation(&v),
        }
    };

    view! {
        <AuthCard
            heading="Reset your password"
            lead="Enter the email you sign in with and we'll send you a link to set a new password."
            footer=|| view! { <a href=Route::SignIn.path()>"Back to sign in"</a> }
        >
            {move || match sent_to.get() {
                Some(address) => view! {
                    <div class="notice notice-success" role="status">
                        <span class="notice-icon"><Icon name=IconName::Check/></span>
                        <div>
                            <p class="notice-title">"Check your email"</p>
                            <p>
                                "If an account exists for " <strong>{address}</strong>
                                ", we've sent a link to reset your password. The link expires soon, so use it shortly."
                            </p>
                        </div>
                    </div>
                }
                .into_any(),
                None => view! {
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
                        <FormAlert message=errors.form()/>
                        <Button button_type="submit" block=true pending=send_link.pending()>
                            "Send reset link"
                        </Button>
                    </form>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}
