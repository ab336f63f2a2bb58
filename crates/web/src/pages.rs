//! One module per route. Pages read data through `crate::api` only and wrap their sections in
//! `SectionBoundary`.

pub mod alerts;
pub mod client_detail;
pub mod clients;
pub mod command_center;
pub mod dashboard;
pub mod forgot_password;
pub mod inbox;
pub mod intake;
pub mod integrations;
pub mod not_found;
pub mod onboarding;
pub mod pipeline;
pub mod reset_password;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod tasks;

use audienceos_shared::auth::Me;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiResult};
use crate::routes::with_param;
use crate::state::session::Session;

/// A setter for one query parameter of the current URL (replacing the history entry, keeping the
/// scroll position), e.g. `?client=<id>` for the detail panel.
pub fn use_set_param() -> impl Fn(&str, Option<String>) + Clone + Send + Sync + 'static {
    let navigate = use_navigate();
    let location = use_location();
    move |key: &str, value: Option<String>| {
        let path = location.pathname.get_untracked();
        let search = with_param(&location.search.get_untracked(), key, value.as_deref());
        navigate(
            &format!("{path}{search}"),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    }
}

/// The agency's time zone (an IANA name), UTC while unknown.
pub fn agency_time_zone() -> String {
    expect_context::<Session>()
        .with_me(|m| m.agency.timezone.clone())
        .unwrap_or_else(|| "UTC".into())
}

/// A fresh `GET /auth/me` for a section that shows the caller (dashboard, account); a success also
/// refreshes the session so the sidebar and permissions stay current.
pub fn use_fresh_me() -> LocalResource<ApiResult<Me>> {
    let session = expect_context::<Session>();
    LocalResource::new(move || async move {
        let me = api::auth::me().await;
        if let Ok(me) = &me {
            session.sign_in(me.clone());
        }
        me
    })
}
