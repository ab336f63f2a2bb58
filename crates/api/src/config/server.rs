//! How the process serves: the environment, the bind address, the public URL, the SPA and data
//! directories, the proxies trusted to name the client, and the test hooks switch.

use std::net::IpAddr;
use std::path::PathBuf;

use url::Url;

use super::env::Env;
use super::urls::fallback_url;

/// Where the process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn is_production(self) -> bool {
        self == Environment::Production
    }
}

pub(super) fn environment(env: &mut Env) -> Environment {
    match env.get("AOS_ENV").as_deref() {
        None | Some("development") | Some("dev") => Environment::Development,
        Some("production") | Some("prod") => Environment::Production,
        Some(other) => {
            env.bad(
                "AOS_ENV",
                format!("unknown environment `{other}`"),
                "set it to `development` or `production`",
            );
            Environment::Development
        }
    }
}

pub(super) fn bind(env: &mut Env) -> String {
    let bind = env.get("AOS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
    if bind.parse::<std::net::SocketAddr>().is_err() {
        env.bad(
            "AOS_BIND",
            format!("`{bind}` is not an address:port"),
            "use a form like 127.0.0.1:8080 or 0.0.0.0:8080",
        );
    }
    bind
}

pub(super) fn data_dir(env: &Env) -> PathBuf {
    PathBuf::from(env.get("AOS_DATA_DIR").unwrap_or_else(|| "./data".into()))
}

pub(super) fn web_dist(env: &Env) -> PathBuf {
    PathBuf::from(env.get("AOS_WEB_DIST").unwrap_or_else(|| "crates/web/dist".into()))
}

/// The URL users open: required and https in production, else `http://<bind>` by default.
pub(super) fn public_url(env: &mut Env, prod: bool, bind: &str) -> Url {
    match env.get("AOS_PUBLIC_URL") {
        Some(u) => match Url::parse(&u) {
            Ok(url) if prod && url.scheme() != "https" => {
                env.bad(
                    "AOS_PUBLIC_URL",
                    format!("`{u}` is not https"),
                    "serve the app over https and set its https URL",
                );
                url
            }
            Ok(url) => url,
            Err(e) => {
                env.bad(
                    "AOS_PUBLIC_URL",
                    format!("`{u}` is not a URL ({e})"),
                    "set the URL users open, e.g. https://app.example.com",
                );
                fallback_url()
            }
        },
        None if prod => {
            env.bad(
                "AOS_PUBLIC_URL",
                "is not set".into(),
                "set the https URL users open, e.g. https://app.example.com",
            );
            fallback_url()
        }
        None => Url::parse(&format!("http://{bind}")).unwrap_or_else(|_| fallback_url()),
    }
}

pub(super) fn trusted_proxies(env: &mut Env) -> Vec<IpAddr> {
    let mut proxies = Vec::new();
    for p in env
        .get("AOS_TRUSTED_PROXIES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match p.parse() {
            Ok(ip) => proxies.push(ip),
            Err(_) => env.bad(
                "AOS_TRUSTED_PROXIES",
                format!("`{p}` is not an IP address"),
                "list proxy IPs separated by commas",
            ),
        }
    }
    proxies
}

/// Test-only routes (an injectable clock): refused in production.
pub(super) fn test_hooks(env: &mut Env, prod: bool) -> bool {
    match env.get("AOS_TEST_HOOKS").as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") if prod => {
            env.bad(
                "AOS_TEST_HOOKS",
                "test hooks (an injectable clock) are on in production".into(),
                "unset AOS_TEST_HOOKS; it is for automated tests only",
            );
            false
        }
        Some("true") | Some("1") => true,
        Some(other) => {
            env.bad(
                "AOS_TEST_HOOKS",
                format!("`{other}` is not true or false"),
                "set true or false, or unset it",
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::vars;
    use super::super::Settings;

    #[test]
    fn test_hooks_are_refused_in_production() {
        let err = Settings::from_vars(&vars(&[("AOS_ENV", "production"), ("AOS_TEST_HOOKS", "true")])).unwrap_err();
        assert!(err.0.iter().any(|p| p.var == "AOS_TEST_HOOKS"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let dev = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", dir.path().to_str().unwrap()),
            ("AOS_TEST_HOOKS", "true"),
        ]))
        .unwrap();
        assert!(dev.test_hooks);
        assert_eq!(dev.alert_rules_interval_secs, 900);
        assert!(Settings::example().contains("AOS_TEST_HOOKS"));
    }
}
