//! App-wide reactive state provided as context: the session and the toast queue.

pub mod session;
pub mod toasts;
