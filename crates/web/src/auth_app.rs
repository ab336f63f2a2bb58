//! The auth pages' own app (bin `audienceos-auth`, served as `auth.html`): sign-in, sign-up, forgot and
//! reset password, with a router of their own and no app shell. It links none of the agency app, so
//! signing in downloads a small module.
//!
//! Every way into the agency app is a full page load ([`load_page`]): after signing in or up (to
//! `?next=` or the dashboard), and for any link to a path this router does not own.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route as RouteDef, Router, Routes};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::path;

use crate::api;
use crate::components::spinner::FullPageSpinner;
use crate::pages::forgot_password::ForgotPasswordPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::reset_password::ResetPasswordPage;
use crate::pages::sign_in::SignInPage;
use crate::pages::sign_up::SignUpPage;
use crate::routes::{entry_of, load_page, safe_next, Entry};
use crate::startup::{load_session, session_ready, StartupScreen};
use crate::state::session::{take_expired, Session, SignedOutReason};

/// The auth pages.
#[component]
pub fn AuthApp() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    api::install_session(session);
    view! {
        <Router>
            <Routes fallback=|| view! { <OtherPath/> }>
                <ParentRoute path=path!("") view=AuthPages>
                    <RouteDef path=path!("/sign-in") view=SignInPage/>
                    <RouteDef path=path!("/sign-up") view=SignUpPage/>
                    <RouteDef path=path!("/forgot-password") view=ForgotPasswordPage/>
                    <RouteDef path=path!("/reset-password") view=ResetPasswordPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The auth pages: `GET /auth/me` first; a signed-in user (already, or after signing in or up) goes to
/// `?next=` (if it is ours) or the dashboard, in the agency app.
#[component]
fn AuthPages() -> impl IntoView {
    let session = expect_context::<Session>();
    // The agency app notes an expired session before it sends the user here (a page load).
    let if_signed_out = if take_expired() {
        SignedOutReason::Expired
    } else {
        SignedOutReason::NotSignedIn
    };
    load_session(session, if_signed_out);
    let ready = session_ready(session);
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let query = use_query_map();
    view! {
        <Show
            when=move || ready.get()
            fallback=move || view! { <StartupScreen if_signed_out=if_signed_out/> }
        >
            <Show
                when=move || !signed_in.get()
                fallback=move || {
                    let next = query.with_untracked(|q| q.get("next"));
                    load_page(safe_next(next.as_deref()));
                    view! { <FullPageSpinner/> }
                }
            >
                <Outlet/>
            </Show>
        </Show>
    }
}

/// A path this router does not own: the agency app's (a link followed from an auth page), loaded in
/// full. A path the server sends here that no route matches would be a 404, never a loop of page loads
/// (the server and this router follow the same `entry_of`).
#[component]
fn OtherPath() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    if entry_of(&path) == Entry::Auth {
        view! { <NotFoundPage/> }.into_any()
    } else {
        load_page(&format!(
            "{path}{}{}",
            location.search.get_untracked(),
            location.hash.get_untracked()
        ));
        view! { <FullPageSpinner/> }.into_any()
    }
}
