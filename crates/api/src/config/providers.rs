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
    /// Whether `api_base` is `audienceos-fakes` serving the demo (`AOS_DEMO_PROVIDERS`): the app labels the
    /// provider a demo provider. Never in production.
    pub demo: bool,
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
            .field("demo", &self.demo)
            .finish()
    }
}

pub(super) fn read(env: &mut Env, prod: bool) -> Vec<ProviderSettings> {
    let mut providers: Vec<ProviderSettings> = PROVIDERS
        .iter()
        .map(|&(name, default_base)| provider(env, name, default_base))
        .collect();
    for name in demo_providers(env, prod) {
        match providers.iter_mut().find(|p| p.name == name) {
            Some(p) if p.overridden => p.demo = true,
            Some(p) => env.bad(
                DEMO_VAR,
                format!(
                    "`{}` is named a demo provider but AOS_{}_API_BASE is not set",
                    p.name,
                    p.name.to_uppercase()
                ),
                "point the provider at audienceos-fakes with its API base, or leave it out of the list",
            ),
            None => env.bad(
                DEMO_VAR,
                format!("`{name}` is not a provider"),
                &format!(
                    "list some of {}, comma-separated",
                    PROVIDERS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    providers
}

const DEMO_VAR: &str = "AOS_DEMO_PROVIDERS";

/// The providers `AOS_DEMO_PROVIDERS` names (lower case); refused in production.
fn demo_providers(env: &mut Env, prod: bool) -> Vec<String> {
    let Some(list) = env.get(DEMO_VAR) else {
        return Vec::new();
    };
    let names: Vec<String> = list
        .split(',')
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    if prod && !names.is_empty() {
        env.bad(
            DEMO_VAR,
            "demo providers (audienceos-fakes) are named in production".into(),
            "unset AOS_DEMO_PROVIDERS and the API bases that point at the fakes; production talks to the real providers",
        );
        return Vec::new();
    }
    names
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
        demo: false,
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

    #[test]
    fn demo_providers_must_point_at_an_overridden_base_and_never_run_in_production() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let demo = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_GOOGLE_API_BASE", "http://127.0.0.1:9501/google"),
            ("AOS_DEMO_PROVIDERS", "google, Slack"),
            ("AOS_SLACK_API_BASE", "http://127.0.0.1:9501/slack/api"),
        ]))
        .unwrap();
        assert!(demo.provider("google").is_some_and(|p| p.demo));
        assert!(demo.provider("slack").is_some_and(|p| p.demo));
        assert!(!demo.provider("meta").is_some_and(|p| p.demo));

        // A demo provider still on the real base, and an unknown name, are both reported.
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_DEMO_PROVIDERS", "meta,gmail")])).unwrap_err();
        let demo_problems = err.0.iter().filter(|p| p.var == "AOS_DEMO_PROVIDERS").count();
        assert_eq!(demo_problems, 2, "{err}");

        let err = Settings::from_vars(&vars(&[
            ("AOS_ENV", "production"),
            ("AOS_GOOGLE_API_BASE", "http://127.0.0.1:9501/google"),
            ("AOS_DEMO_PROVIDERS", "google"),
        ]))
        .unwrap_err();
        assert!(err.0.iter().any(|p| p.var == "AOS_DEMO_PROVIDERS"), "{err}");
    }
}
