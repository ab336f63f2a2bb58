//! Meta: the login dialog, code exchange and long-lived token, me/adaccounts, and insights paging.

use audienceos_fakes::{Provider, ProviderFakes};
use serde_json::Value;

use crate::helpers::{client, consent, REDIRECT, VERIFIER};

pub async fn connect(fakes: &ProviderFakes) -> String {
    let back = consent(
        fakes,
        Provider::Meta,
        "/meta/v18.0/dialog/oauth",
        "ads_read,business_management",
        "allow",
    )
    .await;
    let (id, secret) = fakes.client(Provider::Meta);
    let short: Value = graph(
        fakes,
        "/oauth/access_token",
        &[
            ("client_id", &id),
            ("client_secret", &secret),
            ("redirect_uri", REDIRECT),
            ("code", &back["code"]),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(short["token_type"], "bearer");
    let long: Value = graph(
        fakes,
        "/oauth/access_token",
        &[
            ("grant_type", "fb_exchange_token"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("fb_exchange_token", short["access_token"].as_str().unwrap()),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(long["expires_in"], 5_183_944);
    long["access_token"].as_str().unwrap().to_owned()
}

pub async fn graph(fakes: &ProviderFakes, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
    client()
        .get(format!("{}/v18.0{path}", fakes.api_base(Provider::Meta)))
        .query(query)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn dialog_exchange_me_and_ad_accounts() {
    let fakes = start_meta();
    let token = connect(&fakes).await;
    let me: Value = graph(&fakes, "/me", &[("fields", "id,name"), ("access_token", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Agency Owner");
    let accounts: Value = graph(
        &fakes,
        "/me/adaccounts",
        &[("fields", "id,name,account_status"), ("access_token", &token)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(accounts["data"][0]["id"], "act_1111111111");
    assert_eq!(accounts["data"].as_array().unwrap().len(), 2);

    let bad = graph(&fakes, "/me", &[("access_token", "EAAGnope")]).await;
    assert_eq!(bad.status(), 400);
    let err: Value = bad.json().await.unwrap();
    assert_eq!(err["error"]["code"], 190);
    assert_eq!(err["error"]["type"], "OAuthException");
}

fn start_meta() -> ProviderFakes {
    crate::helpers::start()
}

#[tokio::test]
async fn insights_by_day_and_campaign_page_through_next_links() {
    let fakes = start_meta();
    let token = connect(&fakes).await;
    let first: Value = graph(
        &fakes,
        "/act_1111111111/insights",
        &[
            ("level", "campaign"),
            ("time_increment", "1"),
            ("date_preset", "last_7d"),
            (
                "fields",
                "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values",
            ),
            ("limit", "5"),
            ("access_token", &token),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let mut rows = first["data"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["date_start"], rows[0]["date_stop"]);
    assert!(rows[0]["spend"].is_string());
    let mut next = first["paging"]["next"].as_str().map(str::to_owned);
    while let Some(url) = next {
        let page: Value = client().get(&url).send().await.unwrap().json().await.unwrap();
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        next = page["paging"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(rows.len(), 7 * 2, "two campaigns, seven days");

    let unknown = graph(&fakes, "/act_999/insights", &[("access_token", &token)]).await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["code"], 100);
}
