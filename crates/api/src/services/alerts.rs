//! Alerts as the API shows them.

use audienceos_shared::alerts::{Alert, AlertSeverity, AlertStatus, AlertType, ClientRef};
use audienceos_shared::team::UserRef;
use chrono::{DateTime, Utc};

use crate::domain::stored::Stored as _;
use crate::store::alerts::AlertRow;

/// An alert row as the API shows it (a snooze whose time has passed is `active`).
pub fn alert_dto(r: AlertRow, now: DateTime<Utc>) -> Alert {
    let status = r.effective_status(now);
    Alert {
        id: r.id,
        client: r.client_id.map(|id| ClientRef {
            id,
            name: r.client_name.clone().unwrap_or_default(),
        }),
        alert_type: AlertType::from_stored(&r.alert_type),
        severity: AlertSeverity::from_stored(&r.severity),
        snoozed_until: if status == AlertStatus::Snoozed {
            r.snoozed_until
        } else {
            None
        },
        status,
        title: r.title,
        description: r.description,
        reasons: r.reasons.0,
        escalated_to: r.escalated_to.map(|id| UserRef {
            id,
            name: format!(
                "{} {}",
                r.escalated_first_name.unwrap_or_default(),
                r.escalated_last_name.unwrap_or_default()
            ),
        }),
        created_at: r.created_at,
        updated_at: r.updated_at,
        closed_at: r.closed_at,
    }
}
