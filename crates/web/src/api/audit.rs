//! `/api/v1/audit-log`: security events, newest first.

use audienceos_shared::audit::AuditEvent;
use audienceos_shared::pagination::DEFAULT_LIMIT;
use audienceos_shared::Page;

use super::{get, page_query, ApiResult};

/// `GET /audit-log`: one page of events.
pub async fn list_audit_events(cursor: Option<String>) -> ApiResult<Page<AuditEvent>> {
    get(&format!("/audit-log{}", page_query(DEFAULT_LIMIT, cursor.as_deref()))).await
}
