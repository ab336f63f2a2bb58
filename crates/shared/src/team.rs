//! People of the agency as other resources refer to them (owners, assignees, authors) and as pickers list them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A team member, as shown next to the things they own or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: Uuid,
    /// First and last name.
    pub name: String,
}

/// A team member as the owner and assignee pickers list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The member's role name (Owner, Admin, Manager, Member or a custom role).
    pub role: String,
}

impl TeamMember {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// `GET /api/v1/team/members?q=`: active members, by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TeamQuery {
    /// Matches first name, last name or email, case-insensitively.
    pub q: Option<String>,
}
