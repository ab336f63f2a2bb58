//! Starting the fakes, a client that does not follow redirects, and the OAuth dance through a consent page.

use std::collections::HashMap;

use audienceos_fakes::{Provider, ProviderFakes};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-fake-verifier";
pub const REDIRECT: &str = "http://127.0.0.1:8080/api/v1/oauth/callback";

pub fn start() -> ProviderFakes {
    ProviderFakes::start("127.0.0.1:0").unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn get_json(url: &str) -> Value {
    client().get(url).send().await.unwrap().json().await.unwrap()
}

pub async fn post_form(url: &str, form: &[(String, String)]) -> reqwest::Response {
    client().post(url).form(form).send().await.unwrap()
}

pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Query parameters of a redirect's `Location`.
pub fn location_params(res: &reqwest::Response) -> HashMap<String, String> {
    let location = res.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    assert!(location.starts_with(REDIRECT), "redirected to {location}");
    url.query_pairs().into_owned().collect()
}

/// Opens the consent page at `authorize_path` and presses `decision` ("allow" or "deny"); returns the
/// redirect's query parameters.
pub async fn consent(
    fakes: &ProviderFakes,
    provider: Provider,
    authorize_path: &str,
    scope: &str,
    decision: &str,
) -> HashMap<String, String> {
    let (client_id, _) = fakes.client(provider);
    let challenge = challenge(VERIFIER);
    let mut params = vec![
        ("client_id", client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-123"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("access_type", "offline"),
    ];
    let url = format!("{}{authorize_path}", fakes.base_url());
    let page = client().get(&url).query(&params).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(">Allow</button>"), "{html}");
    assert!(html.contains("AudienceOS"));
    for s in scope.split([' ', ',']) {
        assert!(html.contains(s), "scope {s} not shown");
    }
    params.push(("decision", decision));
    let res = client().post(&url).form(&params).send().await.unwrap();
    assert_eq!(res.status(), 302);
    location_params(&res)
}

/// The form fields of a code exchange.
pub fn code_form(fakes: &ProviderFakes, provider: Provider, code: &str) -> Vec<(String, String)> {
    let (id, secret) = fakes.client(provider);
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", &id),
        ("client_secret", &secret),
        ("code_verifier", VERIFIER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub fn refresh_form(fakes: &ProviderFakes, provider: Provider, refresh_token: &str) -> Vec<(String, String)> {
    let (id, secret) = fakes.client(provider);
    [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &id),
        ("client_secret", &secret),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}
