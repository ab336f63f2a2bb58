//! Provider resources linked to clients (a Slack channel, a Meta ad account, a Google Ads customer feeds
//! one client), and the cache of Slack `users.info` answers.
//!
//! A link keeps the resource's display name so the integrations page can show what is linked even while
//! the provider is unreachable. The client must be the agency's: the insert selects it from `client` with
//! the agency filter, so a foreign client id writes nothing and reads as `NotFound`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::sql::found;
use super::{new_id, on_db, Store, StoreResult};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LinkRow {
    pub external_id: String,
    pub external_name: String,
    pub client_id: Uuid,
    pub client_name: String,
}

/// A cached Slack user.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SlackUserRow {
    pub slack_user_id: String,
    pub name: String,
    pub email: Option<String>,
}

const SELECT: &str = "select l.external_id, l.external_name, l.client_id, c.name as client_name \
     from integration_link l join client c on c.id = l.client_id and c.agency_id = l.agency_id";

impl Store {
    /// The links of an integration, by external id.
    pub async fn list_integration_links(&self, agency_id: Uuid, integration_id: Uuid) -> StoreResult<Vec<LinkRow>> {
        let sql = format!("{SELECT} where l.agency_id = $1 and l.integration_id = $2 order by l.external_id");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(integration_id)
            .fetch_all(pool)
            .await?))
    }

    /// Link a resource to a client (replacing an earlier link of the resource). `NotFound` when the
    /// client or the integration is not the agency's.
    pub async fn set_integration_link(
        &self,
        agency_id: Uuid,
        integration_id: Uuid,
        external_id: &str,
        external_name: &str,
        client_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<LinkRow> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
            "insert into integration_link (id, agency_id, integration_id, external_id, external_name, client_id, created_at, updated_at) \
             select $1, c.agency_id, i.id, $4, $5, c.id, $6, $6 from client c join integration i on i.agency_id = c.agency_id \
             where c.agency_id = $2 and c.id = $7 and i.id = $3 \
             on conflict (agency_id, integration_id, external_id) do update set external_name = excluded.external_name, \
             client_id = excluded.client_id, updated_at = excluded.updated_at"
        )
        .bind(new_id())
        .bind(agency_id)
        .bind(integration_id)
        .bind(external_id)
        .bind(external_name)
        .bind(now)
        .bind(client_id)
        .execute(pool)
        .await?
        .rows_affected()
        });
        found(n)?;
        let sql = format!("{SELECT} where l.agency_id = $1 and l.integration_id = $2 and l.external_id = $3");
        Ok(on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(agency_id)
            .bind(integration_id)
            .bind(external_id)
            .fetch_one(pool)
            .await?))
    }

    /// Unlink a resource; whether a link existed.
    pub async fn remove_integration_link(
        &self,
        agency_id: Uuid,
        integration_id: Uuid,
        external_id: &str,
    ) -> StoreResult<bool> {
        let n = on_db!(&self.db, |pool| sqlx::query(
            "delete from integration_link where agency_id = $1 and integration_id = $2 and external_id = $3"
        )
        .bind(agency_id)
        .bind(integration_id)
        .bind(external_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// A cached Slack user of the agency's workspace.
    pub async fn get_slack_user(&self, agency_id: Uuid, slack_user_id: &str) -> StoreResult<Option<SlackUserRow>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_as(
            "select slack_user_id, name, email from slack_user where agency_id = $1 and slack_user_id = $2"
        )
        .bind(agency_id)
        .bind(slack_user_id)
        .fetch_optional(pool)
        .await?))
    }

    /// Remember a Slack user's name and email.
    pub async fn put_slack_user(&self, agency_id: Uuid, user: &SlackUserRow, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "insert into slack_user (agency_id, slack_user_id, name, email, fetched_at) values ($1, $2, $3, $4, $5) \
             on conflict (agency_id, slack_user_id) do update set name = excluded.name, email = excluded.email, \
             fetched_at = excluded.fetched_at"
        )
        .bind(agency_id)
        .bind(&user.slack_user_id)
        .bind(&user.name)
        .bind(&user.email)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
