//! Enums stored as text columns, read back in one way each: `X::from_stored(&row.column)`. The database
//! only holds values the code wrote (check constraints on Postgres), so the fallback is for a value a newer
//! release wrote and an older one reads; each type has exactly one, chosen to fail safe.

use audienceos_shared::alerts::{AlertSeverity, AlertStatus, AlertType};
use audienceos_shared::clients::Health;
use audienceos_shared::communications::ReplyStatus;
use audienceos_shared::integrations::IntegrationStatus;
use audienceos_shared::onboarding::{FieldType, InstanceStatus, StageAction};

pub trait Stored: Sized + Copy {
    /// What an unknown stored value reads as.
    const FALLBACK: Self;
    fn parse_stored(s: &str) -> Option<Self>;

    fn from_stored(s: &str) -> Self {
        Self::parse_stored(s).unwrap_or(Self::FALLBACK)
    }
}

macro_rules! stored {
    ($($ty:ty => $fallback:expr;)*) => {
        $(impl Stored for $ty {
            const FALLBACK: Self = $fallback;
            fn parse_stored(s: &str) -> Option<Self> {
                <$ty>::parse(s)
            }
        })*
    };
}

stored! {
    // An unknown health is shown as the one that asks for attention.
    Health => Health::Red;
    // A reply whose state is unknown is not claimed to be sent.
    ReplyStatus => ReplyStatus::Failed;
    AlertType => AlertType::RiskDetected;
    AlertSeverity => AlertSeverity::Low;
    AlertStatus => AlertStatus::Active;
    IntegrationStatus => IntegrationStatus::NotConnected;
    // An unknown field kind is offered as plain text, which accepts anything.
    FieldType => FieldType::Text;
    StageAction => StageAction::SetCurrent;
    InstanceStatus => InstanceStatus::Pending;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_and_unknown_ones_fall_back() {
        for h in Health::ALL {
            assert_eq!(Health::from_stored(h.as_str()), h);
        }
        assert_eq!(Health::from_stored("purple"), Health::Red);
        assert_eq!(ReplyStatus::from_stored(""), ReplyStatus::Failed);
    }
}
