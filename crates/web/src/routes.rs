//! Every path of the SPA in one place: views link with `Route::X.path()`, never with string literals.
//! The route table itself (`app.rs`) uses the `path!` macro with the same segments.

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Dashboard,
    SignIn,
    SignUp,
    ForgotPassword,
    ResetPassword,
    Settings,
    SettingsAccount,
    SettingsApiKeys,
    SettingsAuditLog,
    /// The API's Swagger UI, served by the API (a full page load, not a SPA route).
    ApiDocs,
}

impl Route {
    /// The absolute path of the page.
    pub fn path(self) -> &'static str {
        match self {
            Route::Dashboard => "/",
            Route::SignIn => "/sign-in",
            Route::SignUp => "/sign-up",
            Route::ForgotPassword => "/forgot-password",
            Route::ResetPassword => "/reset-password",
            Route::Settings => "/settings",
            Route::SettingsAccount => "/settings/account",
            Route::SettingsApiKeys => "/settings/api-keys",
            Route::SettingsAuditLog => "/settings/audit-log",
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
    fn sign_in_link_encodes_the_query() {
        assert_eq!(
            sign_in_with_next("/settings/audit-log?x=1"),
            "/sign-in?next=/settings/audit-log%3Fx%3D1"
        );
        assert_eq!(sign_in_with_next("/"), "/sign-in");
    }
}
