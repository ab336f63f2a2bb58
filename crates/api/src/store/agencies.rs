//! Agencies (tenants) and sign-up: the agency, its four system roles with their permissions, its Owner,
//! its pipeline stages and its onboarding defaults (journey and intake form).

use crate::store::BeginWrite;
use audienceos_shared::clients::DEFAULT_STAGES;
use audienceos_shared::permissions::SystemRole;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::users::UserRow;
use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What sign-up writes.
#[derive(Debug, Clone)]
pub struct NewAgencyWithOwner {
    pub agency_name: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password_hash: String,
}

const INSERT_AGENCY: &str =
    "insert into agency (id, name, slug, timezone, created_at, updated_at) values ($1, $2, $3, 'UTC', $4, $4)";
const INSERT_ROLE: &str = "insert into role (id, agency_id, name, description, system_role, hierarchy_level, is_system, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, true, $7, $7)";
const INSERT_PERMISSION: &str =
    "insert into role_permission (role_id, agency_id, resource, action, created_at) values ($1, $2, $3, $4, $5)";
const INSERT_OWNER: &str = "insert into app_user (id, agency_id, role_id, email, first_name, last_name, password_hash, is_owner, is_active, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, true, true, $8, $8) returning *";

impl Store {
    /// Create the agency, its system roles with the default matrix, and the Owner, in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn create_agency_with_owner(
        &self,
        new: &NewAgencyWithOwner,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgencyRow, UserRow)> {
        let agency_id = new_id();
        let user = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(INSERT_AGENCY)
                .bind(agency_id)
                .bind(&new.agency_name)
                .bind(&new.slug)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let mut owner_role = None;
            for role in SystemRole::ALL {
                let role_id = new_id();
                if role == SystemRole::Owner {
                    owner_role = Some(role_id);
                }
                sqlx::query(INSERT_ROLE)
                    .bind(role_id)
                    .bind(agency_id)
                    .bind(role.name())
                    .bind(role.description())
                    .bind(role_key(role))
                    .bind(role.hierarchy_level())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                for p in role.default_permissions() {
                    sqlx::query(INSERT_PERMISSION)
                        .bind(role_id)
                        .bind(agency_id)
                        .bind(p.resource.as_str())
                        .bind(p.action.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for (position, name) in DEFAULT_STAGES.iter().enumerate() {
                sqlx::query(super::pipeline::INSERT_STAGE)
                    .bind(new_id())
                    .bind(agency_id)
                    .bind(*name)
                    .bind(position as i32)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            super::onboarding_journeys::insert_onboarding_defaults!(tx, agency_id, now);
            let user: UserRow = sqlx::query_as(INSERT_OWNER)
                .bind(new_id())
                .bind(agency_id)
                .bind(owner_role)
                .bind(&new.email)
                .bind(&new.first_name)
                .bind(&new.last_name)
                .bind(&new.password_hash)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            user
        });
        let agency = self.get_agency(agency_id).await?;
        Ok((agency, user))
    }

    /// Mark the agency's data as changed: every cached read of it is stale from now on, on every instance.
    pub async fn bump_data_version(&self, agency_id: Uuid) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update agency set data_version = data_version + 1 where id = $1"
        )
        .bind(agency_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Mark every agency's data as changed (the clock moved, or a bulk load ran outside the server).
    pub async fn bump_all_data_versions(&self) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update agency set data_version = data_version + 1"
        )
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn get_agency(&self, id: Uuid) -> StoreResult<AgencyRow> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select * from agency where id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await?))
    }

    pub async fn slug_exists(&self, slug: &str) -> StoreResult<bool> {
        let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(
            "select count(*) from agency where slug = $1"
        )
        .bind(slug)
        .fetch_one(pool)
        .await?);
        Ok(n > 0)
    }

    /// Every agency id, for jobs that sweep all tenants.
    pub async fn agency_ids(&self) -> StoreResult<Vec<Uuid>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select id from agency order by id"
        )
        .fetch_all(pool)
        .await?))
    }
}

/// The stored key of a system role.
pub fn role_key(role: SystemRole) -> &'static str {
    match role {
        SystemRole::Owner => "owner",
        SystemRole::Admin => "admin",
        SystemRole::Manager => "manager",
        SystemRole::Member => "member",
    }
}

/// The system role of a stored key.
pub fn parse_role_key(key: &str) -> Option<SystemRole> {
    SystemRole::ALL.into_iter().find(|r| role_key(*r) == key)
}
