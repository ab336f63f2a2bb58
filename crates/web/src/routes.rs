//! Every path of the SPA in one place: views link with `Route::X.path()`, never with string literals.
//! The route table itself (`app.rs`) uses the `path!` macro with the same segments.

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Dashboard,
    Pipeline,
    Clients,
    /// The communications inbox (with `?thread=<key>` for the open thread).
    Inbox,
    /// Every open task of the agency (`?assignee=me`, `?due=overdue`, `?client_id=`, `?new=1` opens "New task").
    Tasks,
    /// Alerts with filters (`?alert=<id>` opens one).
    Alerts,
    /// The onboarding board (with `?onboarding=<id>` for an onboarding's detail drawer).
    Onboarding,
    OnboardingJourneys,
    OnboardingForm,
    /// Provider connections (with `?connected=` or `?oauth_error=&provider=` after an OAuth round trip).
    Integrations,
    SignIn,
    SignUp,
    ForgotPassword,
    ResetPassword,
    Settings,
    SettingsAccount,
    SettingsApiKeys,
    SettingsAuditLog,
    SettingsPipeline,
    SettingsOnboarding,
    /// The API's Swagger UI, served by the API (a full page load, not a SPA route).
    ApiDocs,
}

impl Route {
    /// The absolute path of the page.
    pub fn path(self) -> &'static str {
        match self {
            Route::Dashboard => "/",
            Route::Pipeline => "/pipeline",
            Route::Clients => "/clients",
            Route::Inbox => "/inbox",
            Route::Tasks => "/tasks",
            Route::Alerts => "/alerts",
            Route::Onboarding => "/onboarding",
            Route::OnboardingJourneys => "/onboarding/journeys",
            Route::OnboardingForm => "/onboarding/form",
            Route::Integrations => "/integrations",
            Route::SignIn => "/sign-in",
            Route::SignUp => "/sign-up",
            Route::ForgotPassword => "/forgot-password",
            Route::ResetPassword => "/reset-password",
            Route::Settings => "/settings",
            Route::SettingsAccount => "/settings/account",
            Route::SettingsApiKeys => "/settings/api-keys",
            Route::SettingsAuditLog => "/settings/audit-log",
            Route::SettingsPipeline => "/settings/pipeline",
            Route::SettingsOnboarding => "/settings/onboarding",
            Route::ApiDocs => "/api/docs/",
        }
    }

    /// True for the public pages a signed-in user is sent away from.
    pub fn is_public_auth_page(path: &str) -> bool {
        [
            Route::SignIn,
            Route::SignUp,
            Route::ForgotPassword,
            Route::ResetPassword,
        ]
        .iter()
        .any(|r| r.path() == path)
    }
}

/// The SPA's wasm modules, one per HTML page of `crates/web`, each linking only what it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `index.html`, bin `audienceos-web`: the agency app, every route.
    App,
    /// `auth.html`, bin `audienceos-auth`: sign-in, sign-up, forgot and reset password.
    Auth,
    /// `intake.html`, bin `audienceos-intake`: the client's intake form, `/intake/<token>`.
    Intake,
}

/// The module the server loads for `path` (a path without its query). `crates/api/src/routes/spa.rs`
/// applies the same rule; keep them equal, or a path could bounce between two modules.
pub fn entry_of(path: &str) -> Entry {
    if Route::is_public_auth_page(path) {
        Entry::Auth
    } else if intake_token(path).is_some() {
        Entry::Intake
    } else {
        Entry::App
    }
}

/// The token of an intake form's path, `/intake/<token>` (one non-empty segment).
pub fn intake_token(path: &str) -> Option<&str> {
    path.strip_prefix("/intake/")
        .filter(|token| !token.is_empty() && !token.contains('/'))
}

/// A full page load of `path` (a path with its query), replacing the current history entry: the way
/// between the SPA's modules ([`Entry`]).
pub fn load_page(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(path);
    }
}

/// The query parameter that keeps the client detail panel open across reloads (`?client=<id>`).
pub const CLIENT_PARAM: &str = "client";
/// The query parameter of the inbox's open thread (`/inbox?thread=gmail:abc`).
pub const THREAD_PARAM: &str = "thread";
/// The query parameter of the onboarding detail drawer (`/onboarding?onboarding=<id>`).
pub const ONBOARDING_PARAM: &str = "onboarding";

/// `search` (a `?a=1&b=2` string, with or without the `?`) with `key` set to `value`, or removed when
/// `value` is `None`; other parameters keep their order. Returns `?..` or an empty string.
pub fn with_param(search: &str, key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_component(k) != key).then(|| (k.to_string(), v.to_string()))
        })
        .collect();
    if let Some(v) = value {
        pairs.push((encode_component(key), encode_component(v)));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        let joined: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", joined.join("&"))
    }
}

/// Decodes a query string component (`+` is a space).
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `/sign-in?next=<path>`, for sending a signed-out user back where they were after signing in.
pub fn sign_in_with_next(next: &str) -> String {
    let next = safe_next(Some(next));
    if next == Route::Dashboard.path() {
        Route::SignIn.path().to_string()
    } else {
        format!("{}?next={}", Route::SignIn.path(), encode_component(next))
    }
}

/// The `next` target if it is a path of this app, else the dashboard. Blocks open redirects
/// (`//evil.example`, `https://...`) and loops back to the auth pages.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !Route::is_public_auth_page(n.split('?').next().unwrap_or(n)) =>
        {
            n
        }
        _ => Route::Dashboard.path(),
    }
}

/// Percent-encodes a query string component (RFC 3986 unreserved characters pass through).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next(Some("/settings/api-keys")), "/settings/api-keys");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/sign-in?next=/x")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn params_are_set_replaced_and_removed() {
        assert_eq!(with_param("", "client", Some("42")), "?client=42");
        assert_eq!(with_param("?q=acme&client=1", "client", Some("2")), "?q=acme&client=2");
        assert_eq!(with_param("?q=acme&client=1", "client", None), "?q=acme");
        assert_eq!(with_param("?client=1", "client", None), "");
        assert_eq!(decode_component("a%20b+c%"), "a b c%");
    }

    #[test]
    fn each_path_has_its_module() {
        for path in ["/sign-in", "/sign-up", "/forgot-password", "/reset-password"] {
            assert_eq!(entry_of(path), Entry::Auth, "{path}");
        }
        assert_eq!(entry_of("/intake/abc_D-9"), Entry::Intake);
        assert_eq!(intake_token("/intake/abc_D-9"), Some("abc_D-9"));
        for path in [
            "/",
            "/clients",
            "/intake/",
            "/intake/a/b",
            "/intake",
            "/sign-in/x",
            "/settings/account",
        ] {
            assert_eq!(entry_of(path), Entry::App, "{path}");
        }
    }

    #[test]
    fn sign_in_link_encodes_the_query() {
        assert_eq!(
            sign_in_with_next("/settings/audit-log?x=1"),
            "/sign-in?next=/settings/audit-log%3Fx%3D1"
        );
        assert_eq!(sign_in_with_next("/"), "/sign-in");
    }
}
