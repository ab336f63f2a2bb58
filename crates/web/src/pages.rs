//! One module per route. Pages read data through `crate::api` only and wrap their sections in
//! `SectionBoundary`.

pub mod dashboard;
pub mod forgot_password;
pub mod not_found;
pub mod reset_password;
pub mod settings;
pub mod sign_in;
pub mod sign_up;

use audienceos_shared::auth::Me;
use leptos::prelude::*;

use crate::api::{self, ApiResult};
use crate::state::session::Session;

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
