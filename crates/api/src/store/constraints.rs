//! Every named unique constraint, once: its name (as Postgres reports it and the migrations name it), the
//! columns SQLite names instead, and the conflict it means for a caller (none for internal ones, which
//! surface as a plain `conflict`).

use crate::error::Code;

struct Constraint {
    name: &'static str,
    /// SQLite's `UNIQUE constraint failed: <columns>` text.
    sqlite_columns: &'static str,
    conflict: Option<(Code, &'static str)>,
}

const CONSTRAINTS: &[Constraint] = &[
    Constraint {
        name: "app_user_email_key",
        sqlite_columns: "app_user.email",
        conflict: Some((Code::EmailTaken, "An account with this email already exists.")),
    },
    Constraint {
        name: "agency_slug_key",
        sqlite_columns: "agency.slug",
        conflict: Some((Code::SlugTaken, "An agency with this slug already exists.")),
    },
    Constraint {
        name: "role_agency_name_key",
        sqlite_columns: "role.agency_id, role.name",
        conflict: Some((Code::RoleNameTaken, "A role with this name already exists.")),
    },
    Constraint {
        name: "job_idempotency_key",
        sqlite_columns: "job.idempotency_key",
        conflict: None,
    },
    Constraint {
        name: "session_token_hash_key",
        sqlite_columns: "session.token_hash",
        conflict: None,
    },
    Constraint {
        name: "api_key_key_hash_key",
        sqlite_columns: "api_key.key_hash",
        conflict: None,
    },
    Constraint {
        name: "client_contact_email_key",
        sqlite_columns: "client.agency_id, client.contact_email_norm",
        conflict: Some((
            Code::ContactEmailTaken,
            "Another client of the agency already has this contact email.",
        )),
    },
    Constraint {
        name: "label_agency_name_key",
        sqlite_columns: "label.agency_id, label.name",
        conflict: Some((Code::LabelNameTaken, "A label with this name already exists.")),
    },
    Constraint {
        name: "pipeline_stage_agency_name_key",
        sqlite_columns: "pipeline_stage.agency_id, pipeline_stage.name",
        conflict: Some((Code::StageNameTaken, "A stage with this name already exists.")),
    },
    Constraint {
        name: "alert_open_condition_key",
        sqlite_columns: "alert.agency_id, alert.dedupe_key",
        conflict: None,
    },
    Constraint {
        name: "onboarding_journey_default_key",
        sqlite_columns: "onboarding_journey.agency_id",
        conflict: Some((
            Code::DefaultJourneyChanged,
            "Another journey became the default meanwhile; try again.",
        )),
    },
    Constraint {
        name: "onboarding_instance_link_token_hash_key",
        sqlite_columns: "onboarding_instance.link_token_hash",
        conflict: None,
    },
    Constraint {
        name: "onboarding_instance_active_client_key",
        sqlite_columns: "onboarding_instance.agency_id, onboarding_instance.client_id",
        conflict: Some((
            Code::OnboardingInProgress,
            "The client already has an onboarding in progress; finish or reopen that one.",
        )),
    },
];

/// The constraint name of SQLite's `UNIQUE constraint failed: table.col, ...` message (an unknown one
/// becomes `table_col_...`).
pub fn name_from_sqlite_message(message: &str) -> String {
    let cols = message.rsplit(": ").next().unwrap_or_default();
    CONSTRAINTS
        .iter()
        .find(|c| c.sqlite_columns == cols)
        .map(|c| c.name.to_string())
        .unwrap_or_else(|| cols.replace(['.', ',', ' '], "_"))
}

/// The conflict code and detail of a violated constraint.
pub fn conflict(name: &str) -> (Code, &'static str) {
    CONSTRAINTS
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.conflict)
        .unwrap_or((Code::Conflict, "The request conflicts with existing data."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_map_to_the_postgres_names() {
        assert_eq!(
            name_from_sqlite_message("UNIQUE constraint failed: label.agency_id, label.name"),
            "label_agency_name_key"
        );
        assert_eq!(name_from_sqlite_message("UNIQUE constraint failed: x.y"), "x_y");
        assert_eq!(conflict("label_agency_name_key").0, Code::LabelNameTaken);
        assert_eq!(conflict("job_idempotency_key").0, Code::Conflict);
    }
}
