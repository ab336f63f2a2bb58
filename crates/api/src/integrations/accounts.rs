//! Who a token belongs to: the provider's cheapest authenticated call, used to label a new connection and
//! by "Test connection".

use audienceos_shared::integrations::IntegrationProvider;
use secrecy::ExposeSecret as _;
use serde_json::Value;

use super::crypto::SecretToken;
use super::endpoints::Endpoints;
use super::provider::{meta_error, send_json, slack_ok, ProviderError};
use crate::state::AppState;

/// The connected account: a stable id and a label for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub label: String,
}

/// Ask the provider who `token` (of a connection of `agency_id`) is.
pub async fn whoami(
    state: &AppState,
    agency_id: uuid::Uuid,
    provider: IntegrationProvider,
    token: &SecretToken,
) -> Result<Account, ProviderError> {
    let p = super::credentials::resolve(state, agency_id, provider).await?;
    let api = Endpoints::of(provider, &p).api;
    let (http, settings) = (&state.http, &state.settings);
    match provider {
        IntegrationProvider::Gmail => {
            let v: Value = send_json(http.get(format!("{api}/users/me/profile")).bearer_auth(token.expose())).await?;
            let email = v["emailAddress"].as_str().unwrap_or_default().to_owned();
            Ok(Account {
                id: email.clone(),
                label: email,
            })
        }
        IntegrationProvider::GoogleAds => {
            let Some(dev) = &settings.google_ads_developer_token else {
                return Err(ProviderError::Rejected {
                    status: 0,
                    message: "Google Ads is not fully set up on this server: an administrator needs to add the Google Ads developer token (README, Configuration)".into(),
                });
            };
            let v: Value = send_json(
                http.get(format!("{api}/customers:listAccessibleCustomers"))
                    .bearer_auth(token.expose())
                    .header("developer-token", dev.expose_secret()),
            )
            .await?;
            let ids: Vec<String> = v["resourceNames"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str()?.strip_prefix("customers/").map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let label = match ids.len() {
                1 => format!("Customer {}", ids[0]),
                n => format!("{n} customer accounts"),
            };
            Ok(Account {
                id: ids.join(","),
                label,
            })
        }
        IntegrationProvider::Slack => {
            let v: Value = send_json(http.post(format!("{api}/auth.test")).bearer_auth(token.expose())).await?;
            let v = slack_ok(v)?;
            Ok(Account {
                id: v["team_id"].as_str().unwrap_or_default().to_owned(),
                label: v["team"].as_str().unwrap_or("Slack workspace").to_owned(),
            })
        }
        IntegrationProvider::MetaAds => {
            let v: Value = send_json(
                http.get(format!("{api}/me"))
                    .query(&[("fields", "id,name")])
                    .bearer_auth(token.expose()),
            )
            .await
            .map_err(meta_error)?;
            Ok(Account {
                id: v["id"].as_str().unwrap_or_default().to_owned(),
                label: v["name"].as_str().unwrap_or("Meta user").to_owned(),
            })
        }
    }
}
