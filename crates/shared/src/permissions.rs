//! Roles and the permission matrix (resource x read/write/manage), the same on both sides so the SPA
//! can hide what the API would refuse.

use serde::{Deserialize, Serialize};

/// A protected resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Clients,
    Communications,
    Tickets,
    KnowledgeBase,
    Automations,
    Settings,
    Users,
    Billing,
    Roles,
    Integrations,
    Analytics,
    AiFeatures,
    /// Journeys, intake forms and onboardings: read to see them, write to start and move onboardings,
    /// manage to edit journeys and forms.
    Onboarding,
}

impl Resource {
    /// Every resource, in a stable order.
    pub const ALL: [Resource; 13] = [
        Resource::Clients,
        Resource::Communications,
        Resource::Tickets,
        Resource::KnowledgeBase,
        Resource::Automations,
        Resource::Settings,
        Resource::Users,
        Resource::Billing,
        Resource::Roles,
        Resource::Integrations,
        Resource::Analytics,
        Resource::AiFeatures,
        Resource::Onboarding,
    ];

    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Clients => "clients",
            Resource::Communications => "communications",
            Resource::Tickets => "tickets",
            Resource::KnowledgeBase => "knowledge_base",
            Resource::Automations => "automations",
            Resource::Settings => "settings",
            Resource::Users => "users",
            Resource::Billing => "billing",
            Resource::Roles => "roles",
            Resource::Integrations => "integrations",
            Resource::Analytics => "analytics",
            Resource::AiFeatures => "ai_features",
            Resource::Onboarding => "onboarding",
        }
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What may be done to a resource. `manage` implies `write`, which implies `read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Write,
    Manage,
}

impl Action {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Manage => "manage",
        }
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        [Action::Read, Action::Write, Action::Manage]
            .into_iter()
            .find(|a| a.as_str() == s)
    }

    /// True when holding `self` allows `wanted`.
    pub fn implies(self, wanted: Action) -> bool {
        self >= wanted
    }
}

/// One grant of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permission {
    /// The resource.
    pub resource: Resource,
    /// The highest action granted on it.
    pub action: Action,
}

/// True when `granted` allows `action` on `resource`.
pub fn allows(granted: &[Permission], resource: Resource, action: Action) -> bool {
    granted
        .iter()
        .any(|p| p.resource == resource && p.action.implies(action))
}

/// The four system roles every agency has, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SystemRole {
    Owner,
    Admin,
    Manager,
    Member,
}

impl SystemRole {
    /// Every system role, highest first.
    pub const ALL: [SystemRole; 4] = [
        SystemRole::Owner,
        SystemRole::Admin,
        SystemRole::Manager,
        SystemRole::Member,
    ];

    /// Display name, also the role's name in the database.
    pub fn name(self) -> &'static str {
        match self {
            SystemRole::Owner => "Owner",
            SystemRole::Admin => "Admin",
            SystemRole::Manager => "Manager",
            SystemRole::Member => "Member",
        }
    }

    /// 1 for Owner to 4 for Member; a lower number outranks a higher one.
    pub fn hierarchy_level(self) -> i32 {
        match self {
            SystemRole::Owner => 1,
            SystemRole::Admin => 2,
            SystemRole::Manager => 3,
            SystemRole::Member => 4,
        }
    }

    /// The role with this hierarchy level.
    pub fn from_level(level: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.hierarchy_level() == level)
    }

    /// A one-line description shown in the role pickers.
    pub fn description(self) -> &'static str {
        match self {
            SystemRole::Owner => "Full control of the agency, including billing",
            SystemRole::Admin => "Manages everything except billing",
            SystemRole::Manager => "Works on clients, conversations and tickets; no settings",
            SystemRole::Member => "Sees the clients granted to them and uses the assistant",
        }
    }

    /// The default permission matrix of this role.
    pub fn default_permissions(self) -> Vec<Permission> {
        use Action::*;
        use Resource::*;
        let grant = |resource, action| Permission { resource, action };
        match self {
            SystemRole::Owner => Resource::ALL.into_iter().map(|r| grant(r, Manage)).collect(),
            SystemRole::Admin => Resource::ALL
                .into_iter()
                .map(|r| grant(r, if r == Billing { Read } else { Manage }))
                .collect(),
            SystemRole::Manager => vec![
                grant(Clients, Write),
                grant(Onboarding, Write),
                grant(Communications, Write),
                grant(Tickets, Write),
                grant(Analytics, Write),
                grant(AiFeatures, Write),
                grant(KnowledgeBase, Read),
                grant(Automations, Read),
                grant(Users, Read),
                grant(Roles, Read),
                grant(Integrations, Read),
            ],
            SystemRole::Member => vec![
                grant(Clients, Read),
                grant(Onboarding, Read),
                grant(Communications, Read),
                grant(Tickets, Read),
                grant(KnowledgeBase, Read),
                grant(Analytics, Read),
                grant(AiFeatures, Write),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_implies_write_implies_read() {
        assert!(Action::Manage.implies(Action::Read));
        assert!(Action::Write.implies(Action::Read));
        assert!(!Action::Read.implies(Action::Write));
    }

    #[test]
    fn matrix_matches_the_reference_defaults() {
        let owner = SystemRole::Owner.default_permissions();
        assert!(allows(&owner, Resource::Billing, Action::Manage));
        let admin = SystemRole::Admin.default_permissions();
        assert!(allows(&admin, Resource::Settings, Action::Manage));
        assert!(allows(&admin, Resource::Billing, Action::Read));
        assert!(!allows(&admin, Resource::Billing, Action::Write));
        let manager = SystemRole::Manager.default_permissions();
        assert!(allows(&manager, Resource::Clients, Action::Write));
        assert!(!allows(&manager, Resource::Settings, Action::Read));
        let member = SystemRole::Member.default_permissions();
        assert!(allows(&member, Resource::AiFeatures, Action::Write));
        assert!(!allows(&member, Resource::Clients, Action::Write));
        assert!(!allows(&member, Resource::Users, Action::Read));
    }

    #[test]
    fn names_round_trip() {
        for r in Resource::ALL {
            assert_eq!(Resource::parse(r.as_str()), Some(r));
        }
        for r in SystemRole::ALL {
            assert_eq!(SystemRole::from_level(r.hierarchy_level()), Some(r));
        }
    }
}
