//! Pure rules and types: no actix, no sqlx, no I/O. Each is unit-tested next to its code.

pub mod clients;
pub mod onboarding;
pub mod team;
pub mod text;
