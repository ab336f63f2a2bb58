//! AudienceOS API: the actix-web server, its store over SQLite and Postgres, and the services behind it.
#![forbid(unsafe_code)]

pub mod alert_rules;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod compression;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod extract;
pub mod files;
pub mod integrations;
pub mod jobs;
pub mod mailer;
pub mod openapi;
pub mod quota;
pub mod random;
pub mod rate_limit;
pub mod read_cache;
pub mod route_table;
pub mod routes;
pub mod security;
pub mod seed;
pub mod seo;
pub mod services;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
