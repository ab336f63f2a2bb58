//! The demo agency for `scripts/run` (created on first start, never in production) and the benchmark
//! data set (`audienceos seed-bench`).
//!
//! The demo agency: a team of five, 40 clients across the pipeline with their history, notes, tasks,
//! labels and files ([`generate`]); onboardings in progress, one with the client's submitted intake
//! ([`onboarding`]); alerts of every kind ([`alerts`] beside the rules' own). Its conversations and ad
//! results come from the demo providers, connected by `audienceos demo-connect` ([`connect`]) through
//! the real OAuth flow; the clients those providers know have the contacts in [`cast`].

pub mod alerts;
pub mod cast;
pub mod connect;
pub mod generate;
pub mod onboarding;

use anyhow::Context as _;
use audienceos_shared::permissions::SystemRole;
use secrecy::SecretString;
use uuid::Uuid;

use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::store::agencies::NewAgencyWithOwner;
use crate::store::bulk::ClientSeed;
use crate::store::Store;

pub const DEMO_EMAIL: &str = "demo@audienceos.local";
pub const DEMO_PASSWORD: &str = "demo-agency-2026";
pub const DEMO_AGENCY: &str = "Northwind Demo Agency";

/// What `seed_demo` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    Created,
    AlreadyThere,
}

pub async fn seed_demo(settings: &Settings, store: &Store) -> anyhow::Result<Seeded> {
    anyhow::ensure!(
        !settings.env.is_production(),
        "the demo agency is never created in production"
    );
    if store.find_user_by_email(DEMO_EMAIL).await?.is_some() {
        return Ok(Seeded::AlreadyThere);
    }
    let hash = PasswordHasher::new(1).hash(SecretString::from(DEMO_PASSWORD)).await?;
    let now = crate::clock::system_now();
    let (agency, owner) = store
        .create_agency_with_owner(
            &NewAgencyWithOwner {
                agency_name: DEMO_AGENCY.into(),
                slug: "northwind-demo".into(),
                first_name: "Dana".into(),
                last_name: "Demo".into(),
                email: DEMO_EMAIL.into(),
                password_hash: hash.clone(),
            },
            now,
        )
        .await?;
    // The rest of the team, so pickers and assignments have people to show. Same password (demo only).
    let mut team = vec![owner.id];
    for (first, last, role) in [
        ("Priya", "Patel", SystemRole::Admin),
        ("Marcus", "Lee", SystemRole::Manager),
        ("Sofia", "Garcia", SystemRole::Manager),
        ("Tom", "Becker", SystemRole::Member),
    ] {
        let role_row = store.get_system_role(agency.id, role).await?;
        let email = format!("{}@audienceos.local", first.to_lowercase());
        let user = store
            .insert_user(agency.id, role_row.id, &email, first, last, &hash, now)
            .await?;
        team.push(user.id);
    }
    let size = generate::Size {
        clients: 40,
        notes: 160,
        extra_events: 0,
        tasks_per_client: 3,
    };
    let mut data = generate_for(store, agency.id, &team, 2026, size).await?;
    cast::apply(&mut data);
    insert_data(store, agency.id, &data).await?;
    let files = crate::files::FileStore::from_settings(&settings.files)?;
    for client in data.clients.iter().take(10) {
        for (name, body) in demo_files(&client.name) {
            let id = crate::store::new_id();
            let key = crate::files::object_key(agency.id, client.id, id);
            files.put(&key, vec![bytes::Bytes::from(body.clone())]).await?;
            let file = crate::store::files::NewFile {
                id,
                name,
                content_type: "text/plain".into(),
                size_bytes: body.len() as i64,
                sha256: hex::encode(ring::digest::digest(&ring::digest::SHA256, body.as_bytes())),
                object_key: key,
                uploaded_by: owner.id,
            };
            store.insert_file(agency.id, client.id, &file, now).await?;
        }
    }
    let state = crate::state::AppState::new(settings.clone(), store.clone())?;
    // Onboardings of clients early in the pipeline (its first two stages; not the ones with conversations).
    let early: Vec<uuid::Uuid> = store
        .list_stages(agency.id)
        .await?
        .iter()
        .take(2)
        .map(|s| s.id)
        .collect();
    let mut candidates: Vec<&ClientSeed> = data
        .clients
        .iter()
        .filter(|c| early.contains(&c.stage_id) && !cast::is_cast(&c.name))
        .collect();
    candidates.sort_by_key(|c| early.iter().position(|s| *s == c.stage_id));
    let me = onboarding::owner_identity(&state, agency.id, owner.id).await?;
    onboarding::seed(&state, &me, &candidates).await?;
    alerts::seed(store, agency.id, &data.clients, crate::clock::system_now()).await?;
    // The other alerts come from the rules themselves (stale stages, overdue tasks, inactivity), as in
    // production.
    crate::alert_rules::run_for_agency(&state, agency.id, crate::clock::system_now()).await?;
    Ok(Seeded::Created)
}

/// Two small documents a client folder would hold.
fn demo_files(client: &str) -> [(String, String); 2] {
    [
        (
            "Kickoff notes.txt".into(),
            format!(
                "Kickoff with {client}\n\n- Goals: grow qualified leads 20% this quarter\n- Channels: Meta, Google Ads\n- Reporting: weekly, Monday 9:00\n"
            ),
        ),
        (
            "Access checklist.md".into(),
            format!(
                "# {client}: access checklist\n\n- [x] Meta Business Manager partner access\n- [x] Google Ads manager link\n- [ ] GA4 editor access\n- [ ] Shopify collaborator request\n"
            ),
        ),
    ]
}

/// Generate and insert a data set into an agency, then compute every client's health.
pub async fn fill_agency(
    store: &Store,
    agency_id: Uuid,
    team: &[Uuid],
    seed: u64,
    size: generate::Size,
) -> anyhow::Result<generate::DataSet> {
    let data = generate_for(store, agency_id, team, seed, size).await?;
    insert_data(store, agency_id, &data).await?;
    Ok(data)
}

/// A data set for the agency's pipeline stages and `team`.
async fn generate_for(
    store: &Store,
    agency_id: Uuid,
    team: &[Uuid],
    seed: u64,
    size: generate::Size,
) -> anyhow::Result<generate::DataSet> {
    let now = crate::clock::system_now();
    let stages: Vec<(Uuid, String)> = store
        .list_stages(agency_id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(generate::generate(seed, size, &stages, team, now))
}

/// Insert a generated data set, then compute every client's health.
async fn insert_data(store: &Store, agency_id: Uuid, data: &generate::DataSet) -> anyhow::Result<()> {
    let now = crate::clock::system_now();
    store.bulk_insert_clients(agency_id, &data.clients).await?;
    store.bulk_insert_stage_events(agency_id, &data.events).await?;
    store.bulk_insert_notes(agency_id, &data.notes).await?;
    store.bulk_insert_tasks(agency_id, &data.tasks).await?;
    let labels: Vec<(String, String)> = generate::LABELS
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    store.bulk_label_clients(agency_id, &labels, &data.labels, now).await?;
    store.refresh_health(agency_id, None, now).await?;
    store.analyze().await?;
    // Written by this process, not a request: running servers must not serve reads cached before it.
    store.bump_data_version(agency_id).await?;
    Ok(())
}

/// Fill the agency of the user with this email with a benchmark-sized data set.
pub async fn seed_bench(store: &Store, owner_email: &str, size: generate::Size) -> anyhow::Result<()> {
    let owner = store
        .find_user_by_email(owner_email)
        .await?
        .context("no user with that email")?;
    fill_agency(store, owner.agency_id, &[owner.id], 42, size).await?;
    Ok(())
}
