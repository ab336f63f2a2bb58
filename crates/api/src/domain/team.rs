//! People as the API shows them.

use audienceos_shared::team::UserRef;
use uuid::Uuid;

/// `UserRef` of a joined user, if any.
pub fn user_ref(id: Option<Uuid>, first: Option<String>, last: Option<String>) -> Option<UserRef> {
    id.map(|id| UserRef {
        id,
        name: format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
            .trim()
            .to_string(),
    })
}
