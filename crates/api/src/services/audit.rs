//! The one way to write the audit log: describe the event with the builder, then `record` it. A failure
//! to record is logged, never shown to the caller (the action it describes has already happened).

use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::Identity;
use crate::state::AppState;
use crate::store::audit::NewAuditEvent;

/// An audit event being described.
#[must_use = "an audit event is written only by `record`"]
pub struct Audit(NewAuditEvent);

impl Audit {
    /// `action` by the authenticated caller, from the IP their request came from.
    pub fn by(me: &Identity, action: &'static str) -> Self {
        Self(NewAuditEvent {
            agency_id: Some(me.agency_id),
            actor_user_id: Some(me.user_id),
            action,
            outcome: "success",
            ip: Some(me.ip.clone()),
            metadata: json!({}),
        })
    }

    /// `action` by a caller who is not signed in (sign-in attempts, the public intake form).
    pub fn anonymous(action: &'static str, ip: impl Into<String>) -> Self {
        Self(NewAuditEvent {
            agency_id: None,
            actor_user_id: None,
            action,
            outcome: "success",
            ip: Some(ip.into()),
            metadata: json!({}),
        })
    }

    /// `action` done by the system (jobs, rules) in an agency, with no caller.
    pub fn system(agency_id: Uuid, action: &'static str) -> Self {
        Self(NewAuditEvent {
            agency_id: Some(agency_id),
            actor_user_id: None,
            action,
            outcome: "success",
            ip: None,
            metadata: json!({}),
        })
    }

    pub fn agency(mut self, agency_id: Uuid) -> Self {
        self.0.agency_id = Some(agency_id);
        self
    }

    pub fn actor(mut self, user_id: Uuid) -> Self {
        self.0.actor_user_id = Some(user_id);
        self
    }

    /// The agency and user the event is about, when known (a failed sign-in names them only if the email
    /// belongs to an account).
    pub fn account(mut self, account: Option<(Uuid, Uuid)>) -> Self {
        if let Some((agency_id, user_id)) = account {
            self.0.agency_id = Some(agency_id);
            self.0.actor_user_id = Some(user_id);
        }
        self
    }

    /// `success` (the default) or `failure`.
    pub fn outcome(mut self, outcome: &'static str) -> Self {
        self.0.outcome = outcome;
        self
    }

    pub fn failure(self) -> Self {
        self.outcome("failure")
    }

    /// The client the event is about (`metadata.client_id`).
    pub fn client(self, client_id: Uuid) -> Self {
        self.with("client_id", client_id)
    }

    /// One metadata field.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        if let Value::Object(m) = &mut self.0.metadata {
            m.insert(key.into(), serde_json::to_value(value).unwrap_or(Value::Null));
        }
        self
    }

    /// Several metadata fields, from a JSON object (anything else is ignored).
    pub fn meta(mut self, fields: Value) -> Self {
        if let (Value::Object(m), Value::Object(extra)) = (&mut self.0.metadata, fields) {
            m.extend(extra);
        }
        self
    }

    /// Write the event.
    pub async fn record(self, state: &AppState) {
        if let Err(e) = state.store.insert_audit(&self.0, state.now()).await {
            tracing::error!(error.cause_chain = ?e, action = self.0.action, "could not write the audit log");
        }
    }
}
