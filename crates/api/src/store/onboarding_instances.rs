//! Onboarding instances: start (instance, stage statuses, first history entry), read and list, the
//! hashed public link and the agency's link expiry. Stage transitions, platform verifications and the
//! history are in `transitions`, intake answers in `responses`. What a transition does is decided by
//! `domain::onboarding::plan_transition`; the store only reads, applies and records it in one transaction.

use crate::domain::tenant::Tenant;
use crate::store::BeginWrite;
use audienceos_shared::onboarding::{StageAction, StageState};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::sql::{found, placeholders, scope_condition};
use super::{cursor, new_id, on_db, Store, StoreError, StoreResult};
use crate::domain::onboarding::{stage_state, StageSnapshot};

mod responses;
mod transitions;

pub use responses::ResponseRow;
pub use transitions::{TransitionOutcome, TransitionRow, VerifyOutcome};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub client_email: Option<String>,
    pub client_stage_id: Uuid,
    pub client_stage: String,
    pub journey_id: Uuid,
    pub journey_name: String,
    pub current_stage_id: Uuid,
    pub current_stage: String,
    pub status: String,
    pub link_created_at: DateTime<Utc>,
    pub link_expires_at: DateTime<Utc>,
    pub link_revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub creator_first_name: Option<String>,
    pub creator_last_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Platform code -> `pending` | `verified` | `failed`.
pub type PlatformMap = std::collections::BTreeMap<String, String>;

/// A stage of an instance's journey with the instance's status of it (pending when none is stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageStatusRow {
    pub instance_id: Uuid,
    pub stage_id: Uuid,
    pub name: String,
    pub position: i32,
    pub platforms: Json<Vec<String>>,
    pub status: Option<String>,
    pub blocked_reason: Option<String>,
    pub platform_statuses: Option<Json<PlatformMap>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completer_first_name: Option<String>,
    pub completer_last_name: Option<String>,
}

/// What the public form needs to know about the instance behind a link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkTarget {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub journey_id: Uuid,
    pub status: String,
    pub link_expires_at: DateTime<Utc>,
    pub link_revoked_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub agency_name: String,
    pub logo_url: Option<String>,
    pub journey_name: String,
    pub intro: Option<String>,
    pub welcome_video_url: Option<String>,
}

/// A new onboarding as the store writes it.
#[derive(Debug, Clone)]
pub struct NewInstance {
    /// Chosen by the caller, so the link token can be sealed to it before the row exists.
    pub id: Uuid,
    pub client_id: Uuid,
    pub journey_id: Uuid,
    pub link_token_hash: String,
    /// The link token sealed with the token key (`services::onboarding::links::seal_link`).
    pub link_token_sealed: String,
    pub link_expires_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

/// Filters of the instance list.
#[derive(Debug, Clone, Default)]
pub struct InstanceFilter {
    pub status: Option<String>,
    pub stage_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub journey_id: Option<Uuid>,
}

const INSTANCE_SELECT: &str = "select i.id, i.agency_id, i.client_id, c.name as client_name, c.contact_email as client_email, \
    c.stage_id as client_stage_id, ps.name as client_stage, i.journey_id, j.name as journey_name, \
    i.current_stage_id, cs.name as current_stage, i.status, i.link_created_at, i.link_expires_at, i.link_revoked_at, \
    i.created_by, u.first_name as creator_first_name, u.last_name as creator_last_name, i.submitted_at, i.completed_at, \
    i.version, i.created_at, i.updated_at \
    from onboarding_instance i \
    join client c on c.id = i.client_id \
    join pipeline_stage ps on ps.id = c.stage_id \
    join onboarding_journey j on j.id = i.journey_id \
    join onboarding_stage cs on cs.id = i.current_stage_id \
    left join app_user u on u.id = i.created_by";

const INSERT_TRANSITION: &str = "insert into onboarding_transition (id, agency_id, instance_id, stage_id, stage_name, action, from_status, to_status, reason, actor_user_id, created_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const UPSERT_STATUS: &str = "insert into onboarding_stage_status (instance_id, stage_id, agency_id, status, blocked_reason, completed_at, completed_by, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
    on conflict (instance_id, stage_id) do update set status = excluded.status, blocked_reason = excluded.blocked_reason, \
    completed_at = excluded.completed_at, completed_by = excluded.completed_by, updated_at = excluded.updated_at";

const STAGES_OF_INSTANCE: &str = "select s.id, s.name, st.status, st.blocked_reason from onboarding_instance i \
    join onboarding_stage s on s.journey_id = i.journey_id and s.agency_id = i.agency_id \
    left join onboarding_stage_status st on st.instance_id = i.id and st.stage_id = s.id \
    where i.agency_id = $1 and i.id = $2 order by s.position, s.id";

fn snapshots(rows: Vec<(Uuid, String, Option<String>, Option<String>)>) -> Vec<StageSnapshot> {
    rows.into_iter()
        .map(|(id, name, status, reason)| StageSnapshot {
            id,
            name,
            status: stage_state(status.as_deref()),
            reason,
        })
        .collect()
}

impl Store {
    /// Start an onboarding: the instance in its journey's first stage (in progress), a status row per
    /// stage and the first history entry, in one transaction. `NotFound` when the journey has no stage.
    pub async fn insert_instance(&self, agency_id: Uuid, n: &NewInstance, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = n.id;
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let stages: Vec<(Uuid, String)> = sqlx::query_as(
                "select id, name from onboarding_stage where agency_id = $1 and journey_id = $2 order by position, id",
            )
            .bind(agency_id)
            .bind(n.journey_id)
            .fetch_all(&mut *tx)
            .await?;
            let Some((first, first_name)) = stages.first().cloned() else {
                return Err(StoreError::NotFound);
            };
            sqlx::query(
                "insert into onboarding_instance (id, agency_id, client_id, journey_id, current_stage_id, status, link_token_hash, \
                 link_created_at, link_expires_at, created_by, version, created_at, updated_at, link_token_sealed) \
                 values ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, 1, $7, $7, $10)",
            )
            .bind(id)
            .bind(agency_id)
            .bind(n.client_id)
            .bind(n.journey_id)
            .bind(first)
            .bind(&n.link_token_hash)
            .bind(now)
            .bind(n.link_expires_at)
            .bind(n.created_by)
            .bind(&n.link_token_sealed)
            .execute(&mut *tx)
            .await?;
            for (stage_id, _) in &stages {
                let status = if *stage_id == first { "in_progress" } else { "pending" };
                sqlx::query(UPSERT_STATUS)
                    .bind(id)
                    .bind(stage_id)
                    .bind(agency_id)
                    .bind(status)
                    .bind(None::<String>)
                    .bind(None::<DateTime<Utc>>)
                    .bind(None::<Uuid>)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(INSERT_TRANSITION)
                .bind(new_id())
                .bind(agency_id)
                .bind(id)
                .bind(first)
                .bind(&first_name)
                .bind(StageAction::Started.as_str())
                .bind(None::<String>)
                .bind(Some(StageState::InProgress.as_str()))
                .bind(None::<String>)
                .bind(n.created_by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// One onboarding the caller may see (Members: only of their clients).
    pub async fn get_instance(&self, tenant: Tenant, id: Uuid) -> StoreResult<InstanceRow> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "{INSTANCE_SELECT} where i.agency_id = $1 and i.id = $2 and {}",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(scope)
            .fetch_one(pool)
            .await?))
    }

    /// Onboardings, newest first, keyset-paginated.
    pub async fn list_instances(
        &self,
        tenant: Tenant,
        f: &InstanceFilter,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<InstanceRow>, Option<String>)> {
        let (agency_id, scope) = tenant.parts();
        let (at, after_id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let sql = format!(
            "{INSTANCE_SELECT} where i.agency_id = $1 and {} and ($3 is null or i.status = $3) \
             and ($4 is null or i.current_stage_id = $4) and ($5 is null or i.client_id = $5) \
             and ($6 is null or i.journey_id = $6) and (i.created_at < $7 or (i.created_at = $7 and i.id < $8)) \
             order by i.created_at desc, i.id desc limit $9",
            scope_condition(2)
        );
        let rows: Vec<InstanceRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(scope)
            .bind(&f.status)
            .bind(f.stage_id)
            .bind(f.client_id)
            .bind(f.journey_id)
            .bind(at)
            .bind(after_id)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?);
        Ok(super::paginate(rows, limit, |r| (r.created_at, r.id)))
    }

    /// The journey stages of these onboardings with their statuses, in order.
    pub async fn instance_stage_statuses(&self, agency_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<StageStatusRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select i.id as instance_id, s.id as stage_id, s.name, s.position, s.platforms, st.status, st.blocked_reason, \
             st.platform_statuses, st.completed_at, st.completed_by, u.first_name as completer_first_name, \
             u.last_name as completer_last_name \
             from onboarding_instance i \
             join onboarding_stage s on s.journey_id = i.journey_id and s.agency_id = i.agency_id \
             left join onboarding_stage_status st on st.instance_id = i.id and st.stage_id = s.id \
             left join app_user u on u.id = st.completed_by \
             where i.agency_id = $1 and i.id in ({}) order by i.id, s.position, s.id",
            placeholders(2, ids.len())
        );
        Ok(on_db!(&self.db, |pool| {
            let mut q = sqlx::query_as(&sql).bind(agency_id);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The sealed token of the instance's public link, if it was issued with one.
    pub async fn sealed_link(&self, tenant: Tenant, id: Uuid) -> StoreResult<Option<String>> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "select i.link_token_sealed from onboarding_instance i where i.agency_id = $1 and i.id = $2 \
             and exists (select 1 from client c where c.id = i.client_id and {})",
            scope_condition(3)
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(scope)
            .fetch_one(pool)
            .await?))
    }

    /// Replace the public link (the old one stops working).
    pub async fn replace_link(
        &self,
        tenant: Tenant,
        id: Uuid,
        hash: &str,
        sealed: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "update onboarding_instance set link_token_hash = $3, link_created_at = $4, link_expires_at = $5, \
             link_revoked_at = null, link_token_sealed = $7, version = version + 1, updated_at = $4 \
             where agency_id = $1 and id = $2 \
             and exists (select 1 from client c where c.id = onboarding_instance.client_id and {})",
            scope_condition(6)
        );
        let n = on_db!(&self.db, |pool| sqlx::query(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(hash)
            .bind(now)
            .bind(expires_at)
            .bind(scope)
            .bind(sealed)
            .execute(pool)
            .await?
            .rows_affected());
        found(n)
    }

    /// Revoke the public link.
    pub async fn revoke_link(&self, tenant: Tenant, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        let (agency_id, scope) = tenant.parts();
        let sql = format!(
            "update onboarding_instance set link_revoked_at = coalesce(link_revoked_at, $3), version = version + 1, updated_at = $3 \
             where agency_id = $1 and id = $2 \
             and exists (select 1 from client c where c.id = onboarding_instance.client_id and {})",
            scope_condition(4)
        );
        let n = on_db!(&self.db, |pool| sqlx::query(&sql)
            .bind(agency_id)
            .bind(id)
            .bind(now)
            .bind(scope)
            .execute(pool)
            .await?
            .rows_affected());
        found(n)
    }

    /// The instance behind a link digest, with what the public form shows (the caller checks expiry).
    pub async fn find_link_target(&self, hash: &str) -> StoreResult<Option<LinkTarget>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select i.id, i.agency_id, i.journey_id, i.status, i.link_expires_at, i.link_revoked_at, i.submitted_at, \
             a.name as agency_name, a.logo_url, j.name as journey_name, j.intro, j.welcome_video_url \
             from onboarding_instance i join agency a on a.id = i.agency_id \
             join onboarding_journey j on j.id = i.journey_id where i.link_token_hash = $1"
        )
        .bind(hash)
        .fetch_optional(pool)
        .await?))
    }

    /// The link expiry policy of the agency, in days.
    pub async fn onboarding_link_days(&self, agency_id: Uuid) -> StoreResult<i64> {
        let days: i32 = on_db!(&self.db, |pool| sqlx::query_scalar(
            "select onboarding_link_days from agency where id = $1"
        )
        .bind(agency_id)
        .fetch_one(pool)
        .await?);
        Ok(i64::from(days))
    }

    pub async fn set_onboarding_link_days(&self, agency_id: Uuid, days: i64) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "update agency set onboarding_link_days = $2 where id = $1"
        )
        .bind(agency_id)
        .bind(days as i32)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
