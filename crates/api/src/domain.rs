//! Pure rules and types: no actix, no sqlx, no I/O. Each is unit-tested next to its code.

pub mod client_csv;
pub mod client_health;
pub mod clients;
pub mod dashboard;
pub mod files;
pub mod onboarding;
pub mod stored;
pub mod team;
pub mod tenant;
pub mod text;
