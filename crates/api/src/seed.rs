//! The demo agency for `scripts/run`: created on first start, never in production.

use secrecy::SecretString;

use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::store::agencies::NewAgencyWithOwner;
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
    store
        .create_agency_with_owner(
            &NewAgencyWithOwner {
                agency_name: DEMO_AGENCY.into(),
                slug: "northwind-demo".into(),
                first_name: "Dana".into(),
                last_name: "Demo".into(),
                email: DEMO_EMAIL.into(),
                password_hash: hash,
            },
            crate::store::now(),
        )
        .await?;
    Ok(Seeded::Created)
}
