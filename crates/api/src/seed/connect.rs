//! `audienceos demo-connect`: connect the demo agency's Gmail, Slack, Google Ads and Meta Ads to the demo
//! providers through the real OAuth flow, as a person at the Integrations page would.
//!
//! It is an HTTP client of a running server: it signs in as the demo owner, and for each provider the
//! server labels a demo provider (`AOS_DEMO_PROVIDERS`, never set in production) it starts the connect,
//! opens the consent page the provider serves, presses Allow, and follows the redirect to the server's
//! OAuth callback with the session. Then it links the demo clients' Slack channels and ad accounts
//! ([`super::cast::CAST`]) and waits for the syncs, so the inbox and the ad charts are full when it
//! returns. A provider already connected whose connection still works is left as it is, so running it
//! again (every `scripts/run`) only repairs what a restart of the fakes broke: they forget the tokens
//! they issued, the test call fails, and the provider is connected again.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context as _};
use audienceos_shared::integrations::{Integration, IntegrationProvider, IntegrationStatus};
use reqwest::header::{HeaderMap, ACCEPT, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};

use super::cast::{Cast, CAST};

/// Where providers send the browser back to.
const CALLBACK_PATH: &str = "/api/v1/oauth/callback";

/// What to connect, and as whom.
#[derive(Debug, Clone)]
pub struct DemoConnect {
    /// The server, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    pub email: String,
    pub password: String,
    /// The account typed into the consent pages (default: `email`, the demo owner's own, which is the
    /// account the demo providers hold the demo data for).
    pub account: Option<String>,
    /// How long to wait for the syncs.
    pub timeout: Duration,
}

/// What happened to one provider, in words.
pub type Report = Vec<(IntegrationProvider, String)>;

/// The session of the demo owner: its cookies and the CSRF token.
struct Session {
    http: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Session {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Some((pair, _)) = value.to_str().ok().map(|v| v.split_once(';').unwrap_or((v, ""))) else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    /// A request to the server (`path` and query) with the session cookies, the CSRF token and
    /// `Accept: application/json`; the cookies go nowhere else.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let csrf = self.cookies.get("aos_csrf").cloned().unwrap_or_default();
        self.http
            .request(method, self.url(path))
            .header(COOKIE, self.cookie_header())
            .header("x-csrf-token", csrf)
            .header(ACCEPT, "application/json")
    }

    /// Send and read a JSON answer, or fail with the problem's detail.
    async fn json(&mut self, req: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let res = req.send().await?;
        self.keep_cookies(res.headers());
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let detail = body["detail"]
                .as_str()
                .or(body["title"].as_str())
                .unwrap_or("no detail");
            bail!("{status}: {detail} ({})", body["code"].as_str().unwrap_or("no code"));
        }
        Ok(body)
    }

    async fn integrations(&mut self) -> anyhow::Result<Vec<Integration>> {
        let req = self.request(reqwest::Method::GET, "/api/v1/integrations");
        Ok(serde_json::from_value(self.json(req).await?)?)
    }

    async fn integration(&mut self, provider: IntegrationProvider) -> anyhow::Result<Integration> {
        self.integrations()
            .await?
            .into_iter()
            .find(|i| i.provider == provider)
            .context("the server does not list the provider")
    }
}

/// Run it; the report says per provider what was done.
pub async fn run(opts: &DemoConnect) -> anyhow::Result<Report> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut s = Session {
        http,
        base: opts.url.trim_end_matches('/').to_owned(),
        cookies: BTreeMap::new(),
    };
    let login = s
        .request(reqwest::Method::POST, "/api/v1/auth/login")
        .json(&json!({ "email": opts.email, "password": opts.password }));
    s.json(login).await.context("signing in as the demo owner")?;

    let mut report = Report::new();
    let mut to_sync = Vec::new();
    for provider in IntegrationProvider::ALL {
        let integration = s.integration(provider).await?;
        if !integration.demo || !integration.configured {
            report.push((provider, "not a demo provider on this server: left alone".into()));
            continue;
        }
        let connected = integration.status.has_grant() && works(&mut s, &integration).await;
        let (integration, mut did) = if connected {
            (integration, "already connected".to_owned())
        } else {
            let verb = if integration.id.is_some() {
                "reconnected"
            } else {
                "connected"
            };
            let account = opts.account.as_deref().unwrap_or(&opts.email);
            let i = connect(&mut s, provider, account)
                .await
                .with_context(|| format!("connecting {}", provider.label()))?;
            let did = format!("{verb} as {}", i_label(&i));
            (i, did)
        };
        let id = integration.id.context("a connected integration has an id")?;
        if provider.links_resources() {
            let linked = link_cast(&mut s, provider, id).await?;
            if linked > 0 {
                did.push_str(&format!(", linked {linked} {}(s) to clients", provider.resource_noun()));
                to_sync.push((provider, id));
            }
        }
        report.push((provider, did));
    }
    // Links made after the connect's own first sync need one more for their data.
    for (provider, id) in to_sync {
        wait_idle(&mut s, provider, opts.timeout).await?;
        let req = s.request(reqwest::Method::POST, &format!("/api/v1/integrations/{id}/sync"));
        if let Err(e) = s.json(req).await {
            report.push((
                provider,
                format!("could not start a sync ({e}); the next scheduled one brings the data"),
            ));
        }
    }
    for provider in IntegrationProvider::ALL {
        if report
            .iter()
            .any(|(p, what)| *p == provider && what.starts_with("not a demo"))
        {
            continue;
        }
        let i = wait_idle(&mut s, provider, opts.timeout).await?;
        let outcome = match (&i.last_sync, &i.last_error) {
            (Some(o), _) if o.outcome == "ok" => format!(
                "synced (the last sync: {} new, {} updated)",
                o.stats.created, o.stats.updated
            ),
            (_, Some(e)) => format!("last sync failed: {e}"),
            _ => "not synced yet".into(),
        };
        report.push((provider, outcome));
    }
    Ok(report)
}

fn i_label(i: &Integration) -> String {
    i.account_label
        .clone()
        .unwrap_or_else(|| "the consent page's account".into())
}

/// Whether the stored connection still works (the server's "Test connection").
async fn works(s: &mut Session, integration: &Integration) -> bool {
    let Some(id) = integration.id else { return false };
    let req = s.request(reqwest::Method::POST, &format!("/api/v1/integrations/{id}/test"));
    s.json(req).await.is_ok_and(|r| r["ok"].as_bool() == Some(true))
}

/// Connect, consent, callback: the integration as the callback answers it.
async fn connect(s: &mut Session, provider: IntegrationProvider, account: &str) -> anyhow::Result<Integration> {
    let req = s
        .request(reqwest::Method::POST, "/api/v1/integrations/connect")
        .json(&json!({ "provider": provider }));
    let started = s.json(req).await.context("starting the connect")?;
    let authorize = started["authorize_url"]
        .as_str()
        .context("no consent page address in the answer")?
        .to_owned();
    let page = s
        .http
        .get(&authorize)
        .send()
        .await
        .context("opening the consent page")?;
    if !page.status().is_success() {
        bail!("the consent page answered {}", page.status());
    }
    let form = ConsentForm::parse(&page.text().await?).context("reading the consent page")?;
    let action = url::Url::parse(&authorize)?.join(&form.action)?;
    // The account field, as a person signing in types it.
    let mut fields = form.fields;
    fields.retain(|(k, _)| k != "account");
    fields.push(("account".into(), account.to_owned()));
    fields.push(("decision".into(), "allow".into()));
    let decided = s
        .http
        .post(action)
        .form(&fields)
        .send()
        .await
        .context("pressing Allow")?;
    let location = decided
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .context("the consent page did not send the browser back")?;
    // The provider redirects to the server's public URL; the session (and its cookies) goes to the
    // server this command talks to, and only to its OAuth callback.
    let back = url::Url::parse(location).context("the consent page sent the browser to a bad address")?;
    if back.path() != CALLBACK_PATH {
        bail!(
            "the consent page sent the browser to {}, not the OAuth callback",
            back.path()
        );
    }
    let callback = format!("{CALLBACK_PATH}?{}", back.query().unwrap_or_default());
    let req = s.request(reqwest::Method::GET, &callback);
    let integration = s.json(req).await.context("completing the OAuth callback")?;
    Ok(serde_json::from_value(integration)?)
}

/// Link every listed resource of a cast client that is not linked yet; how many were linked.
async fn link_cast(s: &mut Session, provider: IntegrationProvider, id: uuid::Uuid) -> anyhow::Result<usize> {
    let req = s.request(reqwest::Method::GET, &format!("/api/v1/integrations/{id}/resources"));
    let resources = s.json(req).await.context("listing the provider's resources")?;
    let clients = clients_by_name(s).await?;
    let mut linked = 0;
    for r in resources.as_array().into_iter().flatten() {
        let Some(external_id) = r["external_id"].as_str() else {
            continue;
        };
        if !r["client_id"].is_null() {
            continue;
        }
        let Some(client_id) = CAST
            .iter()
            .find(|c| resource_of(c, provider) == Some(bare_id(provider, external_id)))
            .and_then(|c| clients.get(c.client))
        else {
            continue;
        };
        let path = format!("/api/v1/integrations/{id}/links/{external_id}");
        let body = json!({ "client_id": client_id, "name": r["name"].as_str().unwrap_or(external_id) });
        let req = s.request(reqwest::Method::PUT, &path).json(&body);
        s.json(req).await.with_context(|| format!("linking {external_id}"))?;
        linked += 1;
    }
    Ok(linked)
}

fn resource_of(c: &Cast, provider: IntegrationProvider) -> Option<&'static str> {
    match provider {
        IntegrationProvider::Slack => c.slack,
        IntegrationProvider::GoogleAds => c.google_ads,
        IntegrationProvider::MetaAds => c.meta,
        IntegrationProvider::Gmail => None,
    }
}

/// The id as the cast writes it: Meta's without `act_`, Google Ads' without dashes or `customers/`.
fn bare_id(provider: IntegrationProvider, id: &str) -> &str {
    match provider {
        IntegrationProvider::MetaAds => id.strip_prefix("act_").unwrap_or(id),
        IntegrationProvider::GoogleAds => id.strip_prefix("customers/").unwrap_or(id),
        _ => id,
    }
}

/// The agency's clients by name (the demo's 40 fit in one page).
async fn clients_by_name(s: &mut Session) -> anyhow::Result<BTreeMap<String, String>> {
    let req = s.request(reqwest::Method::GET, "/api/v1/clients?limit=200");
    let page = s.json(req).await.context("listing the clients")?;
    Ok(page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["name"].as_str()?.to_owned(), c["id"].as_str()?.to_owned())))
        .collect())
}

/// Wait until the provider's sync (if one runs or is queued) is over.
async fn wait_idle(s: &mut Session, provider: IntegrationProvider, timeout: Duration) -> anyhow::Result<Integration> {
    let deadline = tokio::time::Instant::now() + timeout;
    // A sync just queued may not have started yet: give the job worker a moment to claim it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    loop {
        let i = s.integration(provider).await?;
        if i.status != IntegrationStatus::Syncing {
            return Ok(i);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{} was still syncing after {} s", provider.label(), timeout.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The consent page's form: where it posts, and its fields with their values (hidden ones and the account).
#[derive(Debug, PartialEq)]
struct ConsentForm {
    action: String,
    fields: Vec<(String, String)>,
}

impl ConsentForm {
    /// A small reader of the one form the fakes' consent pages have (`<form method="post" action=..>`
    /// with `<input name=.. value=..>` elements); not a general HTML parser.
    fn parse(html: &str) -> Option<ConsentForm> {
        let form_start = html.find("<form")?;
        let form = &html[form_start
            ..html[form_start..]
                .find("</form>")
                .map_or(html.len(), |e| form_start + e)];
        let tag_end = form.find('>')?;
        let action = attr(&form[..tag_end], "action")?;
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(i) = rest.find("<input") {
            let tag = &rest[i..];
            let end = tag.find('>')?;
            let tag = &tag[..end];
            if let Some(name) = attr(tag, "name") {
                fields.push((name, attr(tag, "value").unwrap_or_default()));
            }
            rest = &rest[i + end..];
        }
        Some(ConsentForm { action, fields })
    }
}

/// The value of `name="..."` in a tag, with the page's entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_form_gives_its_action_and_fields() {
        let html = r#"<html><body><form method="post" action="/google/o/oauth2/v2/auth">
<input type="hidden" name="client_id" value="google-client-id">
<input type="hidden" name="state" value="a&amp;b&quot;c">
<label>Account <input type="text" name="account" value="demo@audienceos.local"></label>
<button type="submit" name="decision" value="allow">Allow</button>
</form></body></html>"#;
        let form = ConsentForm::parse(html).unwrap();
        assert_eq!(form.action, "/google/o/oauth2/v2/auth");
        assert_eq!(
            form.fields,
            vec![
                ("client_id".to_owned(), "google-client-id".to_owned()),
                ("state".to_owned(), "a&b\"c".to_owned()),
                ("account".to_owned(), "demo@audienceos.local".to_owned()),
            ]
        );
        assert!(ConsentForm::parse("<html>no form</html>").is_none());
    }

    #[test]
    fn resource_ids_match_the_cast_in_the_providers_shapes() {
        assert_eq!(bare_id(IntegrationProvider::MetaAds, "act_4100000001"), "4100000001");
        assert_eq!(bare_id(IntegrationProvider::GoogleAds, "3021000001"), "3021000001");
        assert_eq!(resource_of(&CAST[0], IntegrationProvider::Slack), Some("C0DEMO0001"));
    }
}
