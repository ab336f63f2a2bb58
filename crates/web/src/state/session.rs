//! The signed-in caller (`Me`) as app-wide reactive state, and the one place that signs in and out.
//! Route guards read it; the API client expires it on a 401.

use audienceos_shared::auth::Me;
use audienceos_shared::permissions::{allows, Action, Resource, SystemRole};
use audienceos_shared::Problem;
use leptos::prelude::*;

/// Why nobody is signed in; decides where the guard sends the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutReason {
    /// No session at start-up.
    NotSignedIn,
    /// The user chose "Sign out".
    ByUser,
    /// The server answered 401 to a signed-in request.
    Expired,
}

/// Where the session is.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// `GET /auth/me` is in flight.
    Loading,
    /// `GET /auth/me` failed for a reason other than 401 (server down, 5xx).
    Unavailable(Problem),
    SignedOut(SignedOutReason),
    SignedIn(Box<Me>),
}

/// Handle to the session; `Copy`, provided as context by `App`.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
}

impl Session {
    /// A session that is still loading.
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(SessionState::Loading),
        }
    }

    /// Tracked read of the state.
    pub fn state(&self) -> SessionState {
        self.state.get()
    }

    /// Untracked read of the state.
    pub fn state_untracked(&self) -> SessionState {
        self.state.get_untracked()
    }

    /// Tracked: is someone signed in?
    pub fn is_signed_in(&self) -> bool {
        self.state.with(|s| matches!(s, SessionState::SignedIn(_)))
    }

    /// Untracked: is someone signed in?
    pub fn is_signed_in_untracked(&self) -> bool {
        self.state.with_untracked(|s| matches!(s, SessionState::SignedIn(_)))
    }

    /// Tracked read of part of `Me`; `None` when signed out.
    pub fn with_me<R>(&self, f: impl FnOnce(&Me) -> R) -> Option<R> {
        self.state.with(|s| match s {
            SessionState::SignedIn(me) => Some(f(me)),
            _ => None,
        })
    }

    /// The CSRF token of the current session, untracked (read by the API client).
    pub fn csrf_token_untracked(&self) -> Option<String> {
        self.state.with_untracked(|s| match s {
            SessionState::SignedIn(me) => Some(me.csrf_token.clone()),
            _ => None,
        })
    }

    /// Tracked: may the caller do `action` on `resource`?
    pub fn can(&self, resource: Resource, action: Action) -> bool {
        self.with_me(|me| allows(&me.permissions, resource, action))
            .unwrap_or(false)
    }

    /// The system roles the caller may hand out (API keys): at or below their own role.
    pub fn assignable_roles(&self) -> Vec<SystemRole> {
        self.with_me(|me| match me.role.system_role {
            Some(own) => SystemRole::ALL
                .into_iter()
                .filter(|r| r.hierarchy_level() >= own.hierarchy_level())
                .collect(),
            // A custom role: only roles whose whole matrix the caller holds.
            None => SystemRole::ALL
                .into_iter()
                .filter(|r| {
                    r.default_permissions()
                        .iter()
                        .all(|p| allows(&me.permissions, p.resource, p.action))
                })
                .collect(),
        })
        .unwrap_or_default()
    }

    /// Store the caller after sign-in, sign-up or a refresh of `/auth/me`; a no-op when unchanged so
    /// views that read the session do not re-render.
    pub fn sign_in(&self, me: Me) {
        let unchanged = self
            .state
            .with_untracked(|s| matches!(s, SessionState::SignedIn(old) if **old == me));
        if !unchanged {
            self.state.set(SessionState::SignedIn(Box::new(me)));
        }
    }

    /// Forget the caller.
    pub fn sign_out(&self, reason: SignedOutReason) {
        self.state.set(SessionState::SignedOut(reason));
    }

    /// The start-up `/auth/me` could not be answered.
    pub fn set_unavailable(&self, problem: Problem) {
        self.state.set(SessionState::Unavailable(problem));
    }

    /// Back to loading, before retrying `/auth/me`.
    pub fn set_loading(&self) {
        self.state.set(SessionState::Loading);
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// `sessionStorage` key set when the agency app's session expired (a 401 while signed in), so that the
/// sign-in page, a separate wasm module reached by a full page load, can say so.
const EXPIRED_KEY: &str = "audienceos.session-expired";

/// Note, for the next page load in this tab, that the session expired.
pub fn remember_expired() {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(EXPIRED_KEY, "1");
    }
}

/// Whether the previous page noted an expired session; the note is removed (it is told once).
pub fn take_expired() -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return false;
    };
    let expired = storage.get_item(EXPIRED_KEY).ok().flatten().is_some();
    if expired {
        let _ = storage.remove_item(EXPIRED_KEY);
    }
    expired
}
