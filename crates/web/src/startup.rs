//! Start-up of both apps: the one `GET /auth/me` that tells who is signed in, and the screen shown
//! while it answers (or when the server cannot be reached).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::button::{Button, ButtonKind};
use crate::components::error_view::ErrorView;
use crate::components::spinner::FullPageSpinner;
use crate::state::session::{Session, SessionState, SignedOutReason};

/// `GET /auth/me` once at start-up (and on Retry): 200 signs in, 401 signs out with `if_signed_out`,
/// anything else leaves the app "unavailable" with a retry.
pub fn load_session(session: Session, if_signed_out: SignedOutReason) {
    session.set_loading();
    spawn_local(async move {
        match api::auth::me().await {
            Ok(me) => session.sign_in(me),
            Err(e) if e.status == 401 => session.sign_out(if_signed_out),
            Err(e) => session.set_unavailable(e.0),
        }
    });
}

/// True once `GET /auth/me` has answered (signed in or out).
pub fn session_ready(session: Session) -> Memo<bool> {
    Memo::new(move |_| !matches!(session.state(), SessionState::Loading | SessionState::Unavailable(_)))
}

/// The full-page spinner while the session loads, or the error when the server cannot be reached;
/// Retry loads the session again.
#[component]
pub fn StartupScreen(#[prop(optional)] if_signed_out: Option<SignedOutReason>) -> impl IntoView {
    let session = expect_context::<Session>();
    let if_signed_out = if_signed_out.unwrap_or(SignedOutReason::NotSignedIn);
    move || match session.state() {
        SessionState::Unavailable(problem) => view! {
            <main class="full-page-center">
                <div class="auth-card startup-error" role="alert">
                    <span class="logo-mark" aria-hidden="true">"A"</span>
                    <h1 class="auth-heading">"AudienceOS is unavailable"</h1>
                    <ErrorView problem=problem/>
                    <Button
                        kind=ButtonKind::Primary
                        on_click=Callback::new(move |_| load_session(session, if_signed_out))
                    >
                        "Retry"
                    </Button>
                </div>
            </main>
        }
        .into_any(),
        _ => view! { <FullPageSpinner/> }.into_any(),
    }
}
