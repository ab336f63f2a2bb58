//! Feature modals: each supplies its fields and its request to the shared `ActionModal` primitive.

pub mod collaborators_picker;
pub mod create_api_key;
pub mod create_client;
pub mod create_task;
pub mod due_date_picker;
pub mod escalate_alert;
pub mod file_picker;
pub mod import_clients;
pub mod label_picker;
pub mod link_resources;
pub mod oauth_app;
pub mod owner_picker;
pub mod snooze_alert;
pub mod start_onboarding;
