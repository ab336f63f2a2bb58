//! Feature modals: each supplies its fields and its action to the shared `Modal` primitive.

pub mod confirm_revoke;
pub mod create_api_key;
