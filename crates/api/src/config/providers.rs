//! External providers: each one's credentials and API base URL (`AOS_<PROVIDER>_*`).

use std::fmt;

use secrecy::SecretString;
use url::Url;

use super::env::Env;
use super::urls::fallback_url;

/// Every provider and its real API base URL.
const PROVIDERS: &[(&str, &str)] = &[
    ("google", "https://www.googleapis.com"),
    ("slack", "https://slack.com/api"),
    ("meta", "https://graph.facebook.com"),
    ("gemini", "https://generativelanguage.googleapis.com"),
    ("seo", "https://api.dataforseo.com"),
];

/// One external provider's credentials and API base URL.
#[derive(Clone)]
pub struct ProviderSettings {
    pub name: &'static str,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// Base URL of the provider's API (overridable so tests and the demo point at `audienceos-fakes`).
    pub api_base: Url,
    /// Whether `api_base` was overridden (`AOS_<PROVIDER>_API_BASE`): then every endpoint of the provider,
    /// its OAuth consent page included, is served under it (as `audienceos-fakes` does) instead of on the
    /// provider's own hosts.
    pub overridden: bool,
}

impl ProviderSettings {
    pub fn is_configured(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[REDACTED]"))
            .field("api_base", &self.api_base.as_str())
            .field("overridden", &self.overridden)
            .finish()
    }
}

pub(super) fn read(env: &mut Env) -> Vec<ProviderSettings> {
    PROVIDERS
        .iter()
        .map(|&(name, default_base)| provider(env, name, default_base))
        .collect()
}

/// One provider: the id and secret are set together (Gemini takes only a secret, its API key).
fn provider(env: &mut Env, name: &'static str, default_base: &str) -> ProviderSettings {
    let upper = name.to_uppercase();
    let base_var = format!("AOS_{upper}_API_BASE");
    let overridden = env.get(&base_var).is_some();
    let api_base = match env.get(&base_var) {
        Some(b) => match Url::parse(&b) {
            Ok(u) => u,
            Err(_) => {
                env.bad(
                    &base_var,
                    format!("`{b}` is not a URL"),
                    "set an absolute http(s) URL or unset it",
                );
                fallback_url()
            }
        },
        None => Url::parse(default_base).unwrap_or_else(|_| fallback_url()),
    };
    let client_id = env.get(&format!("AOS_{upper}_CLIENT_ID"));
    let client_secret = env.get(&format!("AOS_{upper}_CLIENT_SECRET")).map(SecretString::from);
    if client_id.is_some() != client_secret.is_some() && name != "gemini" {
        env.bad(
            &format!("AOS_{upper}_CLIENT_ID"),
            "only one of the client id and secret is set".into(),
            &format!("set both AOS_{upper}_CLIENT_ID and AOS_{upper}_CLIENT_SECRET, or neither"),
        );
    }
    ProviderSettings {
        name,
        client_id,
        client_secret,
        api_base,
        overridden,
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::vars;
    use super::super::Settings;
    use super::ProviderSettings;

    #[test]
    fn the_seo_login_and_password_are_set_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_SEO_CLIENT_ID", "login")])).unwrap_err();
        assert!(err.0.iter().any(|p| p.var == "AOS_SEO_CLIENT_ID"), "{err}");
        let both = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_SEO_CLIENT_ID", "login"),
            ("AOS_SEO_CLIENT_SECRET", "password"),
        ]))
        .unwrap();
        assert!(both.provider("seo").is_some_and(ProviderSettings::is_configured));
        let none = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert!(!none.provider("seo").is_some_and(ProviderSettings::is_configured));
    }
}
