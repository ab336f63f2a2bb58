//! Types that cross the wire between `audienceos-api` and `audienceos-web`.
//! No IO and no business logic: DTOs, enums, the `Problem` body, pagination and validation rules.
#![forbid(unsafe_code)]

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod health;
pub mod pagination;
pub mod permissions;
pub mod problem;
pub mod validation;

pub use pagination::{Page, PageQuery};
pub use problem::{FieldError, Problem};
