//! App-wide reactive state provided as context: the session, the toast queue and live updates.

pub mod live;
pub mod session;
pub mod toasts;
