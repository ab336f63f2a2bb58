//! Cursor pagination shared by every list endpoint.

use serde::{Deserialize, Serialize};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: u32 = 200;

/// One page of a list, newest first unless the endpoint says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `?limit=&cursor=` query string of list endpoints.
#[derive(Debug, Clone, Default, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200, message = "must be between 1 and 200"))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The effective page size.
    pub fn limit(&self) -> u32 {
        page_limit(self.limit)
    }
}

/// The effective page size of a requested `limit`: the default when absent, clamped to `1..=MAX_LIMIT`.
/// Every list uses this, whatever its query type.
pub fn page_limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}
