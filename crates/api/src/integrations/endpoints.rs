//! Where each provider's endpoints are. With the provider's default base URL they are its real hosts
//! (Google alone spreads over four); with `AOS_<PROVIDER>_API_BASE` set, every endpoint, the consent page
//! included, hangs off that base, which is how `audienceos-fakes` serves them. Which OAuth client goes with
//! them (the server's or an agency's own) is `super::credentials::resolve`'s to decide.

use audienceos_shared::integrations::IntegrationProvider;

use crate::config::ProviderSettings;

/// Graph API version used for Meta.
pub const META_VERSION: &str = "v18.0";
/// Google Ads API version.
pub const GOOGLE_ADS_VERSION: &str = "v17";

/// The endpoints of one provider.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// Where a token is revoked (Google: `?token=`, Slack: `auth.revoke` with bearer, Meta: none).
    pub revoke: Option<String>,
    /// The API root: Gmail `.../gmail/v1`, Slack `.../api`, Meta `.../v18.0`, Google Ads `.../v17`.
    pub api: String,
}

/// One URL path segment: everything but RFC 3986's unreserved characters percent-encoded, so an id
/// can never add a segment (`/`), a query (`?`) or a fragment (`#`) to a provider URL, nor walk up with
/// `..`. Every id that goes into a provider path goes through this, after its shape is checked
/// (`IntegrationProvider::is_resource_id`).
pub fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') || (b == b'.' && id != "." && id != "..") {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A Gmail message's URL.
pub fn gmail_message_url(api: &str, id: &str) -> String {
    format!("{api}/users/me/messages/{}", segment(id))
}

/// A Google Ads customer's report stream URL.
pub fn google_ads_search_url(api: &str, customer: &str) -> String {
    format!("{api}/customers/{}/googleAds:searchStream", segment(customer))
}

/// A Meta ad account's insights URL.
pub fn meta_insights_url(api: &str, act: &str) -> String {
    format!("{api}/{}/insights", segment(act))
}

impl Endpoints {
    pub fn of(provider: IntegrationProvider, p: &ProviderSettings) -> Endpoints {
        let base = p.api_base.as_str().trim_end_matches('/').to_owned();
        let fake = p.overridden;
        match provider {
            IntegrationProvider::Gmail | IntegrationProvider::GoogleAds => {
                let (authorize, token, revoke, ads) = if fake {
                    (
                        format!("{base}/o/oauth2/v2/auth"),
                        format!("{base}/token"),
                        format!("{base}/revoke"),
                        base.clone(),
                    )
                } else {
                    (
                        "https://accounts.google.com/o/oauth2/v2/auth".to_owned(),
                        "https://oauth2.googleapis.com/token".to_owned(),
                        "https://oauth2.googleapis.com/revoke".to_owned(),
                        "https://googleads.googleapis.com".to_owned(),
                    )
                };
                let api = match provider {
                    IntegrationProvider::Gmail => format!("{base}/gmail/v1"),
                    _ => format!("{ads}/{GOOGLE_ADS_VERSION}"),
                };
                Endpoints {
                    authorize,
                    token,
                    revoke: Some(revoke),
                    api,
                }
            }
            IntegrationProvider::Slack => {
                // The API base is `.../api`; the consent page is beside it at `.../oauth/v2/authorize`.
                let site = base.strip_suffix("/api").unwrap_or(&base);
                Endpoints {
                    authorize: format!("{site}/oauth/v2/authorize"),
                    token: format!("{base}/oauth.v2.access"),
                    revoke: Some(format!("{base}/auth.revoke")),
                    api: base.clone(),
                }
            }
            IntegrationProvider::MetaAds => {
                let dialog_host = if fake {
                    base.clone()
                } else {
                    "https://www.facebook.com".to_owned()
                };
                Endpoints {
                    authorize: format!("{dialog_host}/{META_VERSION}/dialog/oauth"),
                    token: format!("{base}/{META_VERSION}/oauth/access_token"),
                    revoke: None,
                    api: format!("{base}/{META_VERSION}"),
                }
            }
        }
    }
}

/// The scopes asked for (the least each sync and reply needs).
pub fn scopes(provider: IntegrationProvider) -> &'static [&'static str] {
    match provider {
        IntegrationProvider::Gmail => &[
            "https://www.googleapis.com/auth/gmail.readonly",
            "https://www.googleapis.com/auth/gmail.send",
        ],
        IntegrationProvider::GoogleAds => &["https://www.googleapis.com/auth/adwords"],
        IntegrationProvider::Slack => &[
            "channels:read",
            "channels:history",
            "groups:read",
            "groups:history",
            "chat:write",
            "users:read",
            "users:read.email",
            "team:read",
        ],
        IntegrationProvider::MetaAds => &["ads_read", "business_management"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(base: &str, overridden: bool) -> ProviderSettings {
        ProviderSettings {
            name: "x",
            client_id: None,
            client_secret: None,
            api_base: url::Url::parse(base).unwrap(),
            overridden,
            demo: false,
        }
    }

    #[test]
    fn real_hosts_by_default_and_everything_under_an_overridden_base() {
        let g = Endpoints::of(
            IntegrationProvider::Gmail,
            &settings("https://www.googleapis.com", false),
        );
        assert_eq!(g.token, "https://oauth2.googleapis.com/token");
        assert_eq!(g.api, "https://www.googleapis.com/gmail/v1");
        let ads = Endpoints::of(
            IntegrationProvider::GoogleAds,
            &settings("http://127.0.0.1:9/google", true),
        );
        assert_eq!(ads.api, "http://127.0.0.1:9/google/v17");
        let s = Endpoints::of(
            IntegrationProvider::Slack,
            &settings("http://127.0.0.1:9/slack/api", true),
        );
        assert_eq!(s.authorize, "http://127.0.0.1:9/slack/oauth/v2/authorize");
        let m = Endpoints::of(
            IntegrationProvider::MetaAds,
            &settings("https://graph.facebook.com", false),
        );
        assert_eq!(m.authorize, "https://www.facebook.com/v18.0/dialog/oauth");
        assert_eq!(m.api, "https://graph.facebook.com/v18.0");
    }
}
