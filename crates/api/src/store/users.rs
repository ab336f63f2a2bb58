//! People and their roles with permissions.

use audienceos_shared::permissions::{Action, Permission, Resource, SystemRole};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::agencies::{parse_role_key, role_key};
use super::{on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub role_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub is_owner: bool,
    pub is_active: bool,
    pub last_active_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub system_role: Option<String>,
    pub hierarchy_level: Option<i32>,
    pub is_system: bool,
}

impl RoleRow {
    pub fn system(&self) -> Option<SystemRole> {
        self.system_role.as_deref().and_then(parse_role_key)
    }
}

#[derive(sqlx::FromRow)]
struct PermissionRow {
    resource: String,
    action: String,
}

impl Store {
    /// The user with this (lower-cased) email, in any agency.
    pub async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select * from app_user where email = $1"
        )
        .bind(email)
        .fetch_optional(pool)
        .await?))
    }

    /// Add an active user to the agency with a role (invitations call this once accepted).
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_user(
        &self,
        agency_id: Uuid,
        role_id: Uuid,
        email: &str,
        first_name: &str,
        last_name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<UserRow> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "insert into app_user (id, agency_id, role_id, email, first_name, last_name, password_hash, is_owner, is_active, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, false, true, $8, $8) returning *"
        )
        .bind(super::new_id())
        .bind(agency_id)
        .bind(role_id)
        .bind(email)
        .bind(first_name)
        .bind(last_name)
        .bind(password_hash)
        .bind(now)
        .fetch_one(pool)
        .await?
        }))
    }

    pub async fn get_user(&self, agency_id: Uuid, id: Uuid) -> StoreResult<UserRow> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select * from app_user where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .fetch_one(pool)
        .await?))
    }

    pub async fn get_role(&self, agency_id: Uuid, id: Uuid) -> StoreResult<RoleRow> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select id, agency_id, name, system_role, hierarchy_level, is_system from role where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .fetch_one(pool)
        .await?
        }))
    }

    pub async fn get_system_role(&self, agency_id: Uuid, role: SystemRole) -> StoreResult<RoleRow> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
            "select id, agency_id, name, system_role, hierarchy_level, is_system from role where agency_id = $1 and system_role = $2"
        )
        .bind(agency_id)
        .bind(role_key(role))
        .fetch_one(pool)
        .await?
        }))
    }

    /// The permission matrix of a role.
    pub async fn role_permissions(&self, agency_id: Uuid, role_id: Uuid) -> StoreResult<Vec<Permission>> {
        let rows: Vec<PermissionRow> = on_db!(&self.db, |pool| sqlx::query_as(
            "select resource, action from role_permission where agency_id = $1 and role_id = $2 order by resource"
        )
        .bind(agency_id)
        .bind(role_id)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(Permission {
                    resource: Resource::parse(&r.resource)?,
                    action: Action::parse(&r.action)?,
                })
            })
            .collect())
    }

    /// Replace the password hash; returns false when no such user.
    pub async fn update_password(&self, user_id: Uuid, password_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let res = on_db!(&self.db, |pool| sqlx::query(
            "update app_user set password_hash = $1, updated_at = $2 where id = $3"
        )
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(res == 1)
    }

    /// Record that the user was active (throttled by the caller).
    pub async fn touch_user(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update app_user set last_active_at = $1 where id = $2"
        )
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
