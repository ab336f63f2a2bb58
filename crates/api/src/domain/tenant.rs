//! `Tenant`: whose data a request may touch. Every tenant row carries `agency_id`; a Member also sees only
//! the clients they own or collaborate on (`client_scope`). Passed as one value instead of the pair.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    pub agency_id: Uuid,
    /// `Some(user_id)` when only that user's clients are visible (Members); `None` for every client.
    pub client_scope: Option<Uuid>,
}

impl Tenant {
    /// `(agency_id, client_scope)`, for SQL that binds them separately.
    pub fn parts(self) -> (Uuid, Option<Uuid>) {
        (self.agency_id, self.client_scope)
    }

    /// The whole agency: system work (jobs, rules) and roles that see every client.
    pub fn agency(agency_id: Uuid) -> Self {
        Self {
            agency_id,
            client_scope: None,
        }
    }
}
