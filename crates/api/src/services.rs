//! Orchestration per feature: what a request does across the store, mail, jobs, events and the audit
//! log. Handlers in `routes/` extract, authorise, call one service function and respond; pure rules live
//! in `domain/`, SQL in `store/`.

pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod client_csv;
pub mod clients;
pub mod dashboard;
pub mod events;
pub mod files;
pub mod health;
pub mod integration_resources;
pub mod integrations;
pub mod onboarding;
pub mod replies;
pub mod tasks;
pub mod team;
