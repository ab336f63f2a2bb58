//! Authentication and authorisation: password hashing, tokens and their digests, sessions and CSRF,
//! API keys, and the extractors that enforce the permission matrix.

pub mod identity;
pub mod password;
pub mod session;
pub mod tokens;

pub use identity::{AuthUser, Authorized, Identity, Permit};
