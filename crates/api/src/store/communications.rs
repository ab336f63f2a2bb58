//! Messages synced from Gmail and Slack, and how a message finds its client.
//!
//! A sync may be killed at any point and rerun, so writing is an upsert keyed by the provider's own id
//! (`communication_message_key`: agency, platform, provider message id): a rerun updates rows in place and
//! never writes a message twice. `needs_reply` is a property of a thread (its last message is inbound), so
//! it is recomputed for every thread a batch touched, in the same transaction.
//!
//! Matching is done in Rust over one read of the agency's clients ([`ClientMatcher`]): a sync of
//! thousands of messages asks the database once, not once per sender.

use std::collections::{BTreeSet, HashMap};

use audienceos_shared::seo::normalize_domain;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::threads::refresh_threads;
use super::{cursor, new_id, on_db, paginate, BeginWrite as _, Store, StoreResult};

/// A message as a sync writes it.
#[derive(Debug, Clone)]
pub struct NewCommunication {
    pub client_id: Uuid,
    pub integration_id: Option<Uuid>,
    /// `gmail` or `slack`.
    pub platform: &'static str,
    pub provider_message_id: String,
    pub thread_id: Option<String>,
    pub channel_id: Option<String>,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub snippet: String,
    pub body: String,
    pub is_inbound: bool,
    pub received_at: DateTime<Utc>,
}

/// What an upsert created, per client: how many messages and the keys (`platform:thread`) of their threads.
pub type CreatedMessages = std::collections::BTreeMap<Uuid, (i64, BTreeSet<String>)>;

/// What an upsert did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// Rows written for the first time.
    pub created: i64,
    /// Rows that were already there (updated in place).
    pub existing: i64,
    /// The rows written for the first time, per client (for the `messages.created` live events).
    pub created_by_client: CreatedMessages,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommunicationRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub platform: String,
    pub thread_id: Option<String>,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub snippet: String,
    pub is_inbound: bool,
    pub needs_reply: bool,
    pub received_at: DateTime<Utc>,
}

/// One client's keys for matching messages.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ClientKeys {
    id: Uuid,
    contact_email_norm: Option<String>,
    website: Option<String>,
}

/// Mail domains shared by unrelated people: a sender at one of them says nothing about their company.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "zoho.com",
    "yandex.com",
];

/// The lower-cased domain of an email address (`None` when it has none).
pub fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').to_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// Whether a domain is a free-mail provider's (never used to match a client).
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL_DOMAINS.contains(&domain)
}

/// Finds the client a message belongs to: first by the exact contact email, then by the company domain
/// (the client's website, or its contact email's domain unless that is free mail). A domain claimed by
/// more than one client matches none of them: misfiling a message is worse than skipping it.
#[derive(Debug, Default, Clone)]
pub struct ClientMatcher {
    by_email: HashMap<String, Uuid>,
    by_domain: HashMap<String, Option<Uuid>>,
}

impl ClientMatcher {
    fn build(clients: Vec<ClientKeys>) -> Self {
        let mut m = ClientMatcher::default();
        for c in clients {
            let mut domains = BTreeSet::new();
            if let Some(email) = c.contact_email_norm.as_deref() {
                m.by_email.insert(email.to_owned(), c.id);
                if let Some(d) = email_domain(email).filter(|d| !is_free_mail(d)) {
                    domains.insert(d);
                }
            }
            if let Some(d) = c
                .website
                .as_deref()
                .and_then(normalize_domain)
                .map(|d| d.trim_start_matches("www.").to_owned())
                .filter(|d| !is_free_mail(d))
            {
                domains.insert(d);
            }
            for d in domains {
                m.by_domain
                    .entry(d)
                    .and_modify(|owner| {
                        if *owner != Some(c.id) {
                            *owner = None;
                        }
                    })
                    .or_insert(Some(c.id));
            }
        }
        m
    }

    /// The client whose contact email is exactly `email` (case-insensitive).
    pub fn by_email(&self, email: &str) -> Option<Uuid> {
        self.by_email.get(&email.trim().to_lowercase()).copied()
    }

    /// The one client whose domain is the address's domain or a parent of it (`mail.acme.com` →
    /// `acme.com`); never for free-mail domains.
    pub fn by_domain(&self, email: &str) -> Option<Uuid> {
        let domain = email_domain(email)?;
        if is_free_mail(&domain) {
            return None;
        }
        let mut d = domain.as_str();
        loop {
            if let Some(owner) = self.by_domain.get(d) {
                return *owner;
            }
            match d.split_once('.') {
                Some((_, parent)) if parent.contains('.') => d = parent,
                _ => return None,
            }
        }
    }

    /// By email, else by domain.
    pub fn client_of(&self, email: &str) -> Option<Uuid> {
        self.by_email(email).or_else(|| self.by_domain(email))
    }
}

/// Rows per multi-row insert (14 values each, plus the agency and the time).
const INSERT_CHUNK: usize = 100;

/// `insert ... values (..), (..) on conflict do nothing returning platform, provider_message_id` for `rows`
/// rows: `$1` agency, `$2` now, then 14 values per row.
fn multi_insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = |i: usize| format!("${}", 3 + r * 14 + i);
            format!(
                "({}, $1, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, case when {} is null then {} else false end, {}, $2, $2)",
                p(0),
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11),
                p(12),
                p(5),
                p(12),
                p(13)
            )
        })
        .collect();
    format!(
        "insert into communication (id, agency_id, client_id, integration_id, platform, provider_message_id, \
         thread_id, channel_id, sender_email, sender_name, subject, snippet, body, is_inbound, needs_reply, \
         received_at, created_at, updated_at) values {} \
         on conflict (agency_id, platform, provider_message_id) do nothing returning platform, provider_message_id",
        values.join(", ")
    )
}
const UPSERT_UPDATE: &str =
    "update communication set client_id = $4, thread_id = $5, channel_id = $6, sender_email = $7, \
     sender_name = $8, subject = $9, snippet = $10, body = $11, is_inbound = $12, received_at = $13, updated_at = $14, \
     needs_reply = case when $5 is null then $12 else needs_reply end \
     where agency_id = $1 and platform = $2 and provider_message_id = $3 \
     and exists (select 1 from client c where c.agency_id = $1 and c.id = $4)";
/// A thread needs a reply when its latest message is inbound (a message without a thread id is a thread of
/// its own: it needs a reply when it is inbound, set as it is written). Recompute it for the threads `$3..` of a
/// platform (one statement per batch; the placeholders are numbered by [`threads_needs_reply_sql`]).
fn threads_needs_reply_sql(threads: usize) -> String {
    let list: Vec<String> = (0..threads).map(|i| format!("${}", i + 3)).collect();
    format!(
        "update communication set needs_reply = (is_inbound and not exists (\
         select 1 from communication later where later.agency_id = communication.agency_id \
         and later.platform = communication.platform and later.thread_id = communication.thread_id \
         and (later.received_at > communication.received_at or (later.received_at = communication.received_at and later.id > communication.id)))) \
         where agency_id = $1 and platform = $2 and thread_id in ({})",
        list.join(", ")
    )
}

impl Store {
    /// The agency's clients (not archived), ready to match messages.
    pub async fn client_matcher(&self, agency_id: Uuid) -> StoreResult<ClientMatcher> {
        let rows: Vec<ClientKeys> = on_db!(&self.db, |pool| sqlx::query_as(
            "select id, contact_email_norm, website from client where agency_id = $1 and archived_at is null \
             order by created_at, id"
        )
        .bind(agency_id)
        .fetch_all(pool)
        .await?);
        Ok(ClientMatcher::build(rows))
    }

    /// The agency's client whose contact email is `email`.
    pub async fn find_client_by_email(&self, agency_id: Uuid, email: &str) -> StoreResult<Option<Uuid>> {
        Ok(self.client_matcher(agency_id).await?.by_email(email))
    }

    /// The agency's one client owning `email`'s domain (never for free-mail domains).
    pub async fn find_client_by_email_domain(&self, agency_id: Uuid, email: &str) -> StoreResult<Option<Uuid>> {
        Ok(self.client_matcher(agency_id).await?.by_domain(email))
    }

    /// Write synced messages in one transaction: new ones are inserted, known ones (same platform and
    /// provider id) updated in place; then `needs_reply` is recomputed for every thread touched. A message
    /// whose client is not the agency's (or was deleted meanwhile) is not written and not counted.
    pub async fn upsert_communications(
        &self,
        agency_id: Uuid,
        items: &[NewCommunication],
        now: DateTime<Utc>,
    ) -> StoreResult<UpsertCounts> {
        if items.is_empty() {
            return Ok(UpsertCounts::default());
        }
        let mut counts = UpsertCounts::default();
        let postgres = self.is_postgres();
        let threads: BTreeSet<(&str, &str)> = items
            .iter()
            .filter_map(|m| m.thread_id.as_deref().map(|t| (m.platform, t)))
            .collect();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // The agency's clients among the batch's: rows of any other client are not written.
            let client_ids: Vec<Uuid> = items
                .iter()
                .map(|m| m.client_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut valid: BTreeSet<Uuid> = BTreeSet::new();
            for part in client_ids.chunks(500) {
                let sql = format!(
                    "select id from client where agency_id = $1 and id in ({})",
                    (0..part.len())
                        .map(|i| format!("${}", i + 2))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let mut q = sqlx::query_scalar::<_, Uuid>(&sql).bind(agency_id);
                for id in part {
                    q = q.bind(*id);
                }
                valid.extend(q.fetch_all(&mut *tx).await?);
            }
            let rows: Vec<&NewCommunication> = items.iter().filter(|m| valid.contains(&m.client_id)).collect();
            // Every thread a written message belongs to: its row is recomputed before the commit.
            let written: Vec<(&str, &str)> = rows
                .iter()
                .map(|m| (m.platform, m.thread_id.as_deref().unwrap_or(&m.provider_message_id)))
                .collect();
            // New messages: one multi-row insert per chunk; the ids it returns are the ones it created.
            let mut created: BTreeSet<(String, String)> = BTreeSet::new();
            for part in rows.chunks(INSERT_CHUNK) {
                let sql = multi_insert_sql(part.len());
                let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(agency_id).bind(now);
                for m in part {
                    q = q
                        .bind(new_id())
                        .bind(m.client_id)
                        .bind(m.integration_id)
                        .bind(m.platform)
                        .bind(&m.provider_message_id)
                        .bind(&m.thread_id)
                        .bind(&m.channel_id)
                        .bind(&m.sender_email)
                        .bind(&m.sender_name)
                        .bind(&m.subject)
                        .bind(&m.snippet)
                        .bind(&m.body)
                        .bind(m.is_inbound)
                        .bind(m.received_at);
                }
                created.extend(q.fetch_all(&mut *tx).await?);
            }
            counts.created = created.len() as i64;
            for m in &rows {
                if created.contains(&(m.platform.to_owned(), m.provider_message_id.clone())) {
                    let thread = m.thread_id.as_deref().unwrap_or(&m.provider_message_id);
                    let entry = counts.created_by_client.entry(m.client_id).or_default();
                    entry.0 += 1;
                    entry.1.insert(format!("{}:{thread}", m.platform));
                }
            }
            // A client's messages are activity, sent or received: the newest new one moves the client's
            // `last_activity_at` forward (never back, never past now), so inactivity rules see them.
            let mut newest: std::collections::BTreeMap<Uuid, DateTime<Utc>> = std::collections::BTreeMap::new();
            for m in rows
                .iter()
                .filter(|m| created.contains(&(m.platform.to_owned(), m.provider_message_id.clone())))
            {
                let at = m.received_at.min(now);
                let e = newest.entry(m.client_id).or_insert(at);
                *e = (*e).max(at);
            }
            for (client_id, at) in &newest {
                sqlx::query(
                    "update client set last_activity_at = $3 where agency_id = $1 and id = $2 and last_activity_at < $3",
                )
                .bind(agency_id)
                .bind(client_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            // Known messages: updated in place. A message whose thread id changed leaves its old thread,
            // whose row is recomputed too.
            let mut moved_from: Vec<(&str, String)> = Vec::new();
            for m in rows {
                if created.contains(&(m.platform.to_owned(), m.provider_message_id.clone())) {
                    continue;
                }
                let old_thread: Option<String> = sqlx::query_scalar(
                    "select coalesce(thread_id, provider_message_id) from communication \
                     where agency_id = $1 and platform = $2 and provider_message_id = $3",
                )
                .bind(agency_id)
                .bind(m.platform)
                .bind(&m.provider_message_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(old) = old_thread.filter(|t| Some(t.as_str()) != m.thread_id.as_deref()) {
                    moved_from.push((m.platform, old));
                }
                let updated = sqlx::query(UPSERT_UPDATE)
                    .bind(agency_id)
                    .bind(m.platform)
                    .bind(&m.provider_message_id)
                    .bind(m.client_id)
                    .bind(&m.thread_id)
                    .bind(&m.channel_id)
                    .bind(&m.sender_email)
                    .bind(&m.sender_name)
                    .bind(&m.subject)
                    .bind(&m.snippet)
                    .bind(&m.body)
                    .bind(m.is_inbound)
                    .bind(m.received_at)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                counts.existing += updated as i64;
            }
            let platforms: BTreeSet<&str> = threads.iter().map(|(p, _)| *p).collect();
            for platform in platforms {
                let ids: Vec<&str> = threads
                    .iter()
                    .filter(|(p, _)| *p == platform)
                    .map(|(_, t)| *t)
                    .collect();
                for part in ids.chunks(500) {
                    let sql = threads_needs_reply_sql(part.len());
                    let mut q = sqlx::query(&sql).bind(agency_id).bind(platform);
                    for t in part {
                        q = q.bind(*t);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            refresh_threads!(
                tx,
                postgres,
                agency_id,
                written
                    .iter()
                    .map(|(p, k)| (*p, *k))
                    .chain(moved_from.iter().map(|(p, k)| (*p, k.as_str())))
            );
            tx.commit().await?;
        });
        Ok(counts)
    }

    /// A client's messages, newest first, keyset-paginated on (received_at, id).
    pub async fn list_client_communications(
        &self,
        agency_id: Uuid,
        client_id: Uuid,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<(Vec<CommunicationRow>, Option<String>)> {
        let (at, id) = after
            .and_then(cursor::decode)
            .unwrap_or((cursor::far_future(), Uuid::max()));
        let rows: Vec<CommunicationRow> = on_db!(&self.db, |pool| sqlx::query_as(
            "select id, client_id, platform, thread_id, sender_email, sender_name, subject, snippet, is_inbound, \
             needs_reply, received_at from communication \
             where agency_id = $1 and client_id = $2 and (received_at < $3 or (received_at = $3 and id < $4)) \
             order by received_at desc, id desc limit $5"
        )
        .bind(agency_id)
        .bind(client_id)
        .bind(at)
        .bind(id)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?);
        Ok(paginate(rows, limit, |r| (r.received_at, r.id)))
    }

    /// How many messages the agency holds on a platform (for tests and the sync's counts).
    pub async fn count_communications(&self, agency_id: Uuid, platform: &str) -> StoreResult<i64> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "select count(*) from communication where agency_id = $1 and platform = $2"
        )
        .bind(agency_id)
        .bind(platform)
        .fetch_one(pool)
        .await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(email: Option<&str>, website: Option<&str>) -> ClientKeys {
        ClientKeys {
            id: Uuid::now_v7(),
            contact_email_norm: email.map(str::to_owned),
            website: website.map(str::to_owned),
        }
    }

    #[test]
    fn matches_by_email_then_domain_and_never_by_free_mail_or_shared_domains() {
        let acme = keys(Some("dana@acme-dental.test"), None);
        let bright = keys(None, Some("https://www.brightpath.test/about"));
        let freemail = keys(Some("someone@gmail.com"), None);
        let shared_a = keys(Some("a@shared.test"), None);
        let shared_b = keys(Some("b@shared.test"), None);
        let ids = (acme.id, bright.id, freemail.id, shared_a.id);
        let m = ClientMatcher::build(vec![acme, bright, freemail, shared_a, shared_b]);
        assert_eq!(m.client_of("Dana@Acme-Dental.test"), Some(ids.0));
        assert_eq!(m.client_of("billing@acme-dental.test"), Some(ids.0));
        assert_eq!(m.client_of("sam@mail.brightpath.test"), Some(ids.1));
        assert_eq!(
            m.client_of("someone@gmail.com"),
            Some(ids.2),
            "exact email still matches"
        );
        assert_eq!(m.client_of("other@gmail.com"), None);
        assert_eq!(m.client_of("a@shared.test"), Some(ids.3));
        assert_eq!(m.client_of("c@shared.test"), None, "two clients claim the domain");
        assert_eq!(m.client_of("x@unknown.test"), None);
    }
}
