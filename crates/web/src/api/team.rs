//! `/api/v1/team/members`: the agency's active members, for the owner, assignee and escalation pickers.

use audienceos_shared::team::{TeamMember, TeamQuery};

use super::{get, query_string, ApiResult};

/// `GET /team/members?q=`: by name; `q` matches names and email.
pub async fn list_members(q: Option<String>) -> ApiResult<Vec<TeamMember>> {
    let q = q.filter(|s| !s.trim().is_empty());
    get(&format!("/team/members{}", query_string(&TeamQuery { q }))).await
}
