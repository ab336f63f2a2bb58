//! The team as the owner, collaborator and assignee pickers list it.

use actix_web::{web, HttpResponse};
use audienceos_shared::team::{TeamMember, TeamQuery};
use audienceos_shared::Problem;

use crate::auth::identity::ClientsRead;
use crate::auth::Authorized;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// List team members
///
/// Active users of the agency by name; `q` matches first name, last name or email, case-insensitively.
#[utoipa::path(get, path = "/api/v1/team/members", tag = "team", params(TeamQuery),
    responses((status = 200, body = Vec<TeamMember>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_team_members(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    q: Query<TeamQuery>,
) -> Result<HttpResponse, ApiError> {
    if q.q.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::field("q", "length", "must be at most 200 characters"));
    }
    let rows = state.store.list_team_members(me.agency_id, q.q.as_deref()).await?;
    let members: Vec<TeamMember> = rows
        .into_iter()
        .map(|r| TeamMember {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            role: r.role,
        })
        .collect();
    Ok(HttpResponse::Ok().json(members))
}
