//! Onboarding: what each request does across the store, the outbox and jobs, the SEO job and the audit
//! log. One file per route file (`instances`, `journeys`, `intake_fields`, `settings`, `public_intake`),
//! plus `links` (the public link's token, URL and welcome email) and `views` (rows to responses). The
//! rules are in `domain::onboarding`, the SQL in `store::onboarding_instances` and its neighbours.

pub mod instances;
pub mod intake_fields;
pub mod journeys;
pub mod links;
pub mod public_intake;
pub mod settings;
pub mod views;
