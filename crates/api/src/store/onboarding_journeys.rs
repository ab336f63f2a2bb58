//! Onboarding journeys and their ordered stages, one default per agency, and the defaults (journey and
//! intake form) every new agency starts with.

use super::sql::found;
use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JourneyRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub intro: Option<String>,
    pub welcome_video_url: Option<String>,
    pub is_default: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JourneyStageRow {
    pub id: Uuid,
    pub journey_id: Uuid,
    pub name: String,
    pub position: i32,
    pub platforms: Json<Vec<String>>,
}

/// A journey as the store writes it (validated).
#[derive(Debug, Clone)]
pub struct NewJourney {
    pub name: String,
    pub intro: Option<String>,
    pub welcome_video_url: Option<String>,
    pub is_default: bool,
    pub stages: Vec<StageSpec>,
}

/// One stage of an edited stage list: `id` keeps an existing stage.
#[derive(Debug, Clone)]
pub struct StageSpec {
    pub id: Option<Uuid>,
    pub name: String,
    pub platforms: Vec<String>,
}

/// A partial update of a journey.
#[derive(Debug, Clone, Default)]
pub struct JourneyPatch {
    pub name: Option<String>,
    pub intro: Option<Option<String>>,
    pub welcome_video_url: Option<Option<String>>,
    pub make_default: bool,
}

/// What replacing a journey's stage list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetStages {
    Done,
    /// An `id` that is not a stage of this journey.
    UnknownStage(Uuid),
    /// A left-out stage that onboardings have reached.
    InUse(String),
}

/// What archiving a journey did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveJourney {
    Archived,
    IsDefault,
}

const SELECT: &str =
    "select id, agency_id, name, intro, welcome_video_url, is_default, archived_at, created_at, updated_at \
    from onboarding_journey";
const SELECT_STAGES: &str = "select id, journey_id, name, position, platforms from onboarding_stage";
const INSERT_JOURNEY: &str = "insert into onboarding_journey (id, agency_id, name, intro, welcome_video_url, is_default, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $7)";
const INSERT_STAGE: &str =
    "insert into onboarding_stage (id, agency_id, journey_id, name, position, platforms, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $7)";
const INSERT_FIELD: &str = "insert into intake_form_field (id, agency_id, journey_id, label, field_type, placeholder, required, pattern, options, position, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
const CLEAR_DEFAULT: &str =
    "update onboarding_journey set is_default = false, updated_at = $2 where agency_id = $1 and is_default = true";

/// A default intake field: (label, type, placeholder, required, pattern, options).
pub type DefaultField = (
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
    Option<&'static str>,
    &'static [&'static str],
);

/// The default intake form.
pub const DEFAULT_FIELDS: [DefaultField; 9] = [
    ("Business name", "text", Some("Acme Outdoor Co."), true, None, &[]),
    ("Contact email", "email", Some("you@example.com"), true, None, &[]),
    ("Website", "url", Some("https://example.com"), true, None, &[]),
    (
        "Store platform",
        "select",
        None,
        true,
        None,
        &["Shopify", "WooCommerce", "BigCommerce", "Custom"],
    ),
    ("Monthly ad budget (USD)", "number", Some("5000"), false, None, &[]),
    (
        "Meta Pixel ID",
        "text",
        Some("123456789012345"),
        false,
        Some("[0-9]{15,16}"),
        &[],
    ),
    (
        "Google Tag Manager ID",
        "text",
        Some("GTM-5K7QZ2M"),
        false,
        Some("GTM-[A-Z0-9]{4,10}"),
        &[],
    ),
    ("Preferred launch date", "date", None, false, None, &[]),
    ("Goals for the first 90 days", "textarea", None, false, None, &[]),
];

/// Inside a transaction of either backend: the default journey with its stages and the default intake
/// form of a new agency (a macro, because the transaction's type differs per backend).
macro_rules! insert_onboarding_defaults {
    ($tx:expr, $agency_id:expr, $now:expr) => {{
        let journey_id = $crate::store::new_id();
        sqlx::query($crate::store::onboarding_journeys::INSERT_JOURNEY_SQL)
            .bind(journey_id)
            .bind($agency_id)
            .bind("Standard onboarding")
            .bind(Some(
                "Welcome! Tell us about your business so we can set up your accounts.",
            ))
            .bind(None::<String>)
            .bind(true)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        for (position, (name, platforms)) in audienceos_shared::onboarding::DEFAULT_JOURNEY_STAGES.iter().enumerate() {
            let platforms: Vec<String> = platforms.iter().map(|p| p.to_string()).collect();
            sqlx::query($crate::store::onboarding_journeys::INSERT_STAGE_SQL)
                .bind($crate::store::new_id())
                .bind($agency_id)
                .bind(journey_id)
                .bind(*name)
                .bind(position as i32)
                .bind(sqlx::types::Json(platforms))
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
        for (position, (label, kind, placeholder, required, pattern, options)) in
            $crate::store::onboarding_journeys::DEFAULT_FIELDS.iter().enumerate()
        {
            let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            sqlx::query($crate::store::onboarding_journeys::INSERT_FIELD_SQL)
                .bind($crate::store::new_id())
                .bind($agency_id)
                .bind(None::<uuid::Uuid>)
                .bind(*label)
                .bind(*kind)
                .bind(*placeholder)
                .bind(*required)
                .bind(*pattern)
                .bind(sqlx::types::Json(options))
                .bind(position as i32)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use insert_onboarding_defaults;

pub const INSERT_JOURNEY_SQL: &str = INSERT_JOURNEY;
pub const INSERT_STAGE_SQL: &str = INSERT_STAGE;
pub const INSERT_FIELD_SQL: &str = INSERT_FIELD;

impl Store {
    /// The agency's journeys, the default first, then by name.
    pub async fn list_journeys(&self, agency_id: Uuid, include_archived: bool) -> StoreResult<Vec<JourneyRow>> {
        let sql =
            format!("{SELECT} where agency_id = $1 and ($2 or archived_at is null) order by is_default desc, name, id");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(include_archived)
            .fetch_all(pool)
            .await?))
    }

    /// A journey of the agency; `NotFound` for another agency's.
    pub async fn get_journey(&self, agency_id: Uuid, id: Uuid) -> StoreResult<JourneyRow> {
        let sql = format!("{SELECT} where agency_id = $1 and id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// The agency's default journey.
    pub async fn default_journey(&self, agency_id: Uuid) -> StoreResult<JourneyRow> {
        let sql = format!("{SELECT} where agency_id = $1 and is_default = true and archived_at is null");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .fetch_one(pool)
            .await?))
    }

    /// The stages of the agency's journeys (all of them, or one), in order.
    pub async fn journey_stages(&self, agency_id: Uuid, journey_id: Option<Uuid>) -> StoreResult<Vec<JourneyStageRow>> {
        let sql = format!(
            "{SELECT_STAGES} where agency_id = $1 and ($2 is null or journey_id = $2) order by journey_id, position, id"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(journey_id)
            .fetch_all(pool)
            .await?))
    }

    /// Create a journey with its stages; a new default replaces the old one, in one transaction.
    pub async fn insert_journey(&self, agency_id: Uuid, j: &NewJourney, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = new_id();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if j.is_default {
                sqlx::query(CLEAR_DEFAULT)
                    .bind(agency_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(INSERT_JOURNEY)
                .bind(id)
                .bind(agency_id)
                .bind(&j.name)
                .bind(&j.intro)
                .bind(&j.welcome_video_url)
                .bind(j.is_default)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for (position, s) in j.stages.iter().enumerate() {
                sqlx::query(INSERT_STAGE)
                    .bind(new_id())
                    .bind(agency_id)
                    .bind(id)
                    .bind(&s.name)
                    .bind(position as i32)
                    .bind(Json(&s.platforms))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Change a journey's texts, or make it the default (the old default stops being one).
    pub async fn update_journey(
        &self,
        agency_id: Uuid,
        id: Uuid,
        p: &JourneyPatch,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if p.make_default {
                sqlx::query(CLEAR_DEFAULT)
                    .bind(agency_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            let n = sqlx::query(
                "update onboarding_journey set name = coalesce($3, name), \
                 intro = case when $4 then $5 else intro end, \
                 welcome_video_url = case when $6 then $7 else welcome_video_url end, \
                 is_default = (is_default or $8), updated_at = $9 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(&p.name)
            .bind(p.intro.is_some())
            .bind(p.intro.clone().flatten())
            .bind(p.welcome_video_url.is_some())
            .bind(p.welcome_video_url.clone().flatten())
            .bind(p.make_default)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            found(n)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Replace a journey's ordered stage list: kept stages are renamed and moved, new ones added, left-out
    /// ones removed unless an onboarding has reached them. All or nothing.
    pub async fn set_journey_stages(
        &self,
        agency_id: Uuid,
        journey_id: Uuid,
        stages: &[StageSpec],
        now: DateTime<Utc>,
    ) -> StoreResult<SetStages> {
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query("update onboarding_journey set updated_at = $3 where agency_id = $1 and id = $2")
                .bind(agency_id)
                .bind(journey_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            found(n)?;
            let existing: Vec<(Uuid, String)> =
                sqlx::query_as("select id, name from onboarding_stage where agency_id = $1 and journey_id = $2")
                    .bind(agency_id)
                    .bind(journey_id)
                    .fetch_all(&mut *tx)
                    .await?;
            if let Some(bad) = stages
                .iter()
                .filter_map(|s| s.id)
                .find(|id| !existing.iter().any(|(e, _)| e == id))
            {
                return Ok(SetStages::UnknownStage(bad));
            }
            for (gone, name) in existing
                .iter()
                .filter(|(e, _)| !stages.iter().any(|s| s.id == Some(*e)))
            {
                let used: i64 = sqlx::query_scalar(
                    "select (select count(*) from onboarding_stage_status where agency_id = $1 and stage_id = $2) \
                     + (select count(*) from onboarding_instance where agency_id = $1 and current_stage_id = $2)",
                )
                .bind(agency_id)
                .bind(gone)
                .fetch_one(&mut *tx)
                .await?;
                if used > 0 {
                    return Ok(SetStages::InUse(name.clone()));
                }
                sqlx::query("delete from onboarding_stage where agency_id = $1 and id = $2")
                    .bind(agency_id)
                    .bind(gone)
                    .execute(&mut *tx)
                    .await?;
            }
            for (position, s) in stages.iter().enumerate() {
                match s.id {
                    Some(id) => {
                        sqlx::query(
                            "update onboarding_stage set name = $3, position = $4, platforms = $5, updated_at = $6 \
                             where agency_id = $1 and id = $2",
                        )
                        .bind(agency_id)
                        .bind(id)
                        .bind(&s.name)
                        .bind(position as i32)
                        .bind(Json(&s.platforms))
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query(INSERT_STAGE)
                            .bind(new_id())
                            .bind(agency_id)
                            .bind(journey_id)
                            .bind(&s.name)
                            .bind(position as i32)
                            .bind(Json(&s.platforms))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            tx.commit().await?;
            SetStages::Done
        }))
    }

    /// Archive a journey that is not the default (existing onboardings keep it).
    pub async fn archive_journey(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<ArchiveJourney> {
        let j = self.get_journey(agency_id, id).await?;
        if j.is_default {
            return Ok(ArchiveJourney::IsDefault);
        }
        on_db!(&self.db, |pool| sqlx::query(
            "update onboarding_journey set archived_at = coalesce(archived_at, $3), updated_at = $3 \
             where agency_id = $1 and id = $2 and is_default = false"
        )
        .bind(agency_id)
        .bind(id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(ArchiveJourney::Archived)
    }
}
