//! Types that cross the wire between `audienceos-api` and `audienceos-web`.
//! No IO and no business logic: DTOs, enums, the `Problem` body, pagination and validation rules.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod client_work;
pub mod clients;
pub mod communications;
pub mod dashboard;
pub mod events;
pub mod health;
pub mod integrations;
pub mod money;
pub mod onboarding;
pub mod pagination;
pub mod patch;
pub mod permissions;
pub mod problem;
pub mod seo;
pub mod tasks;
pub mod team;
pub mod validation;

pub use money::Money;
pub use pagination::{Page, PageQuery};
pub use problem::{FieldError, Problem};
