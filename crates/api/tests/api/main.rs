//! The API integration tests: one binary, the real app on 127.0.0.1:0, SQLite always and Postgres when
//! `AOS_TEST_POSTGRES_URL` is set.

// Tests and benches compare against the system clock directly.
#![allow(clippy::disallowed_methods)]

mod fixtures;
mod helpers;

mod ad_performance;
mod alerts;
mod api_keys;
mod auth;
mod cli;
mod client_csv;
mod client_imports;
mod client_list;
mod clients;
mod compression;
mod dashboard;
mod demo;
mod errors;
mod events;
mod files;
mod hardening;
mod health;
mod integration_credentials;
mod integrations;
mod logs;
mod mail;
mod notes;
mod onboarding;
mod openapi;
mod pipeline;
mod rate_limits;
mod read_cache;
mod redis_limits;
mod replies;
mod seo;
mod shutdown;
mod store;
mod sync_jobs;
mod syncs;
mod task_list;
mod tasks;
mod tenancy;
mod threads;
mod token_crypto;
