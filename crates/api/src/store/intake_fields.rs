//! Intake form fields: per journey, or the agency's default form (`journey_id` null) that journeys
//! without fields of their own use. Archived fields leave the form but keep their answers.

use super::sql::found;
use crate::domain::onboarding::intake::FormField;
use crate::store::BeginWrite;
use audienceos_shared::onboarding::FieldType;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FieldRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub journey_id: Option<Uuid>,
    pub label: String,
    pub field_type: String,
    pub placeholder: Option<String>,
    pub required: bool,
    pub pattern: Option<String>,
    pub options: Json<Vec<String>>,
    pub position: i32,
    pub archived_at: Option<DateTime<Utc>>,
}

impl FieldRow {
    /// The field as the intake checks see it.
    pub fn form_field(&self) -> FormField {
        FormField {
            id: self.id,
            label: self.label.clone(),
            field_type: FieldType::parse(&self.field_type).unwrap_or(FieldType::Text),
            required: self.required,
            pattern: self.pattern.clone(),
            options: self.options.0.clone(),
        }
    }
}

/// A field as the store writes it (validated).
#[derive(Debug, Clone)]
pub struct NewField {
    pub journey_id: Option<Uuid>,
    pub label: String,
    pub field_type: String,
    pub placeholder: Option<String>,
    pub required: bool,
    pub pattern: Option<String>,
    pub options: Vec<String>,
}

/// A partial update of a field.
#[derive(Debug, Clone, Default)]
pub struct FieldPatch {
    pub label: Option<String>,
    pub field_type: Option<String>,
    pub placeholder: Option<Option<String>>,
    pub required: Option<bool>,
    pub pattern: Option<Option<String>>,
    pub options: Option<Vec<String>>,
}

const SELECT: &str = "select id, agency_id, journey_id, label, field_type, placeholder, required, pattern, options, position, archived_at \
    from intake_form_field";
/// The form of `$2` (a journey id, or null for the default form).
const SAME_FORM: &str = "(($2 is null and journey_id is null) or journey_id = $2)";

impl Store {
    /// The fields of one form (a journey's, or the default with `None`), in order.
    pub async fn list_fields(
        &self,
        agency_id: Uuid,
        journey_id: Option<Uuid>,
        include_archived: bool,
    ) -> StoreResult<Vec<FieldRow>> {
        let sql = format!(
            "{SELECT} where agency_id = $1 and {SAME_FORM} and ($3 or archived_at is null) order by position, id"
        );
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(journey_id)
            .bind(include_archived)
            .fetch_all(pool)
            .await?))
    }

    /// The form a journey's onboardings fill in: its own active fields, else the agency's default form.
    pub async fn form_fields(&self, agency_id: Uuid, journey_id: Uuid) -> StoreResult<Vec<FieldRow>> {
        let own = self.list_fields(agency_id, Some(journey_id), false).await?;
        if own.is_empty() {
            self.list_fields(agency_id, None, false).await
        } else {
            Ok(own)
        }
    }

    /// A field of the agency; `NotFound` for another agency's.
    pub async fn get_field(&self, agency_id: Uuid, id: Uuid) -> StoreResult<FieldRow> {
        let sql = format!("{SELECT} where agency_id = $1 and id = $2");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Add a field at the end of its form.
    pub async fn insert_field(&self, agency_id: Uuid, f: &NewField, now: DateTime<Utc>) -> StoreResult<Uuid> {
        let id = new_id();
        let next = format!(
            "select coalesce(max(position) + 1, 0) from intake_form_field where agency_id = $1 and {SAME_FORM}"
        );
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let position: i32 = sqlx::query_scalar(&next)
                .bind(agency_id)
                .bind(f.journey_id)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(super::onboarding_journeys::INSERT_FIELD_SQL)
                .bind(id)
                .bind(agency_id)
                .bind(f.journey_id)
                .bind(&f.label)
                .bind(&f.field_type)
                .bind(&f.placeholder)
                .bind(f.required)
                .bind(&f.pattern)
                .bind(Json(&f.options))
                .bind(position)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Change a field.
    pub async fn update_field(&self, agency_id: Uuid, id: Uuid, p: &FieldPatch, now: DateTime<Utc>) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "update intake_form_field set label = coalesce($3, label), field_type = coalesce($4, field_type), \
                 placeholder = case when $5 then $6 else placeholder end, required = coalesce($7, required), \
                 pattern = case when $8 then $9 else pattern end, options = coalesce($10, options), updated_at = $11 \
                 where agency_id = $1 and id = $2",
            )
            .bind(agency_id)
            .bind(id)
            .bind(&p.label)
            .bind(&p.field_type)
            .bind(p.placeholder.is_some())
            .bind(p.placeholder.clone().flatten())
            .bind(p.required)
            .bind(p.pattern.is_some())
            .bind(p.pattern.clone().flatten())
            .bind(p.options.as_ref().map(Json))
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        found(n)
    }

    /// Put a form's active fields in the given order. `Ok(false)` (and nothing changed) unless `ids` is
    /// exactly the form's active fields.
    pub async fn reorder_fields(
        &self,
        agency_id: Uuid,
        journey_id: Option<Uuid>,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let current_sql =
            format!("select id from intake_form_field where agency_id = $1 and {SAME_FORM} and archived_at is null");
        Ok(on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut current: Vec<Uuid> = sqlx::query_scalar(&current_sql)
                .bind(agency_id)
                .bind(journey_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut wanted = ids.to_vec();
            current.sort();
            wanted.sort();
            wanted.dedup();
            if current != wanted || wanted.len() != ids.len() {
                return Ok(false);
            }
            for (position, id) in ids.iter().enumerate() {
                sqlx::query(
                    "update intake_form_field set position = $3, updated_at = $4 where agency_id = $1 and id = $2 and position <> $3",
                )
                .bind(agency_id)
                .bind(id)
                .bind(position as i32)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            true
        }))
    }

    /// Archive a field: it leaves its form; answers already given keep it.
    pub async fn archive_field(&self, agency_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
            "update intake_form_field set archived_at = coalesce(archived_at, $3), updated_at = $3 where agency_id = $1 and id = $2"
        )
        .bind(agency_id)
        .bind(id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        found(n)
    }
}
