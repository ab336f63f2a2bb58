//! Sign-up, sign-in, password and session payloads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::permissions::{Permission, SystemRole};

/// Shortest password accepted.
pub const PASSWORD_MIN: u64 = 8;
/// Longest password accepted (bounded so hashing cost stays bounded).
pub const PASSWORD_MAX: u64 = 128;

/// Create an agency and its Owner, and sign in as that Owner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The agency's name, 1 to 100 characters.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    #[cfg_attr(feature = "openapi", schema(example = "Northwind Media"))]
    pub agency_name: String,
    /// 1 to 50 characters.
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    #[cfg_attr(feature = "openapi", schema(example = "Ada"))]
    pub first_name: String,
    /// 1 to 50 characters.
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    #[cfg_attr(feature = "openapi", schema(example = "Lovelace"))]
    pub last_name: String,
    /// The Owner's email address; sign-in is by email.
    #[validate(
        custom(function = "crate::validation::email_address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    #[cfg_attr(feature = "openapi", schema(example = "ada@northwind.example"))]
    pub email: String,
    /// 8 to 128 characters.
    #[validate(length(min = 8, max = 128, message = "must be 8 to 128 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// Sign in with email and password.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email address.
    #[validate(length(min = 1, max = 254, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    /// The account's password.
    #[validate(length(min = 1, max = 128, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub password: String,
}

/// Ask for a password reset link by email.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// Where to send the link; the answer is the same whether or not an account exists.
    #[validate(custom(function = "crate::validation::email_address"))]
    pub email: String,
}

/// Set a new password with the token from a reset link.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the emailed link.
    #[validate(length(min = 1, max = 200, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
    /// The new password, 8 to 128 characters.
    #[validate(length(min = 8, max = 128, message = "must be 8 to 128 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// Change the signed-in user's password; every other session of the user is signed out.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The current password.
    #[validate(length(min = 1, max = 128, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub current_password: String,
    /// The new password, 8 to 128 characters.
    #[validate(length(min = 8, max = 128, message = "must be 8 to 128 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// A person in an agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// "First Last".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Up to two initials for avatars.
    pub fn initials(&self) -> String {
        self.first_name
            .chars()
            .take(1)
            .chain(self.last_name.chars().take(1))
            .flat_map(char::to_uppercase)
            .collect()
    }
}

/// The tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agency {
    pub id: Uuid,
    pub name: String,
    /// URL-safe unique name.
    pub slug: String,
    /// IANA time zone in which dates are shown.
    pub timezone: String,
}

/// A role of the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    /// The system role this is, if any.
    pub system_role: Option<SystemRole>,
}

/// The signed-in caller: who, in which agency, with which role and permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    pub agency: Agency,
    pub role: Role,
    /// The effective permission matrix of the caller.
    pub permissions: Vec<Permission>,
    /// The CSRF token bound to this session (also in the `aos_csrf` cookie); send it as `X-CSRF-Token`.
    pub csrf_token: String,
}

/// A plain acknowledgement with a message for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub message: String,
}
