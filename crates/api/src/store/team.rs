//! The agency's team as pickers list it: active users with their role's name.

use uuid::Uuid;

use super::sql::like_pattern;
use super::{on_db, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamMemberRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
}

impl Store {
    /// Active users of the agency by name, optionally matching `q` in their name or email.
    pub async fn list_team_members(&self, agency_id: Uuid, q: Option<&str>) -> StoreResult<Vec<TeamMemberRow>> {
        let pattern = q.map(str::trim).filter(|s| !s.is_empty()).map(like_pattern);
        let mut sql = "select u.id, u.first_name, u.last_name, u.email, r.name as role from app_user u \
                       join role r on r.id = u.role_id where u.agency_id = $1 and u.is_active = true"
            .to_string();
        if pattern.is_some() {
            sql.push_str(" and lower(u.first_name || ' ' || u.last_name || ' ' || u.email) like $2 escape '\\'");
        }
        sql.push_str(" order by u.first_name, u.last_name, u.id limit 500");
        Ok(on_db!(&self.db, |pool| {
            let mut q = sqlx::query_as(&sql).bind(agency_id);
            if let Some(p) = &pattern {
                q = q.bind(p.clone());
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The ids among `ids` that are active users of the agency.
    pub async fn active_member_ids(&self, agency_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select id from app_user where agency_id = $1 and is_active = true and id in ({})",
            super::sql::placeholders(2, ids.len())
        );
        Ok(on_db!(&self.db, |pool| {
            let mut q = sqlx::query_scalar(&sql).bind(agency_id);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        }))
    }
}
