//! The words of the integrations page: what each provider brings, its status as a word and badge class,
//! what each OAuth failure code means, and sync results. Pure, so every sentence is unit-tested.

use audienceos_shared::integrations::{
    IntegrationProvider, IntegrationStatus, OAuthApp, OAuthAppProvider, SyncOutcome, SyncStats,
};

/// One line on what connecting the provider brings.
pub fn description(provider: IntegrationProvider) -> &'static str {
    match provider {
        IntegrationProvider::Gmail => "Client emails in the inbox, matched to clients by contact email or domain.",
        IntegrationProvider::Slack => "Client channel messages, from the channels you link to clients.",
        IntegrationProvider::GoogleAds => {
            "Daily spend, clicks and conversions per client, from linked customer accounts."
        }
        IntegrationProvider::MetaAds => "Daily spend, clicks and conversions per client, from linked ad accounts.",
    }
}

/// What a "Demo provider" badge means (its tooltip, and the words a screen reader hears after it).
pub const DEMO_PROVIDER_HINT: &str =
    "a stand-in running beside this demo server, not the real service: its consent page, messages and ad accounts are sample data";

/// The banner above the cards when some providers are demo stand-ins.
pub fn demo_banner(demo: &[IntegrationProvider]) -> Option<String> {
    let names: Vec<&str> = demo.iter().map(|p| p.label()).collect();
    let list = match names.as_slice() {
        [] => return None,
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let verb = if names.len() == 1 { "connects" } else { "connect" };
    Some(format!(
        "{list} {verb} to demo providers running beside this server. Their consent pages, mailboxes, channels and ad accounts hold sample data for the demo agency; nothing is sent to Google, Slack or Meta."
    ))
}

/// Why a provider cannot connect yet, in plain words: no OAuth app at the provider is set up. `owner`:
/// the reader is the agency's Owner, who can add one.
pub fn oauth_app_missing(provider: IntegrationProvider, owner: bool) -> String {
    let app = provider.oauth_app().label();
    let who = if owner {
        "you, as the agency's Owner,"
    } else {
        "the agency's Owner"
    };
    format!(
        "{} needs a {app} OAuth app before it can connect, and none is set up yet. A server administrator can set one up for every agency (the README's “Integrations” section says how), or {who} can register the agency's own app at {app} and add it here.",
        provider.label()
    )
}

/// What a person who is not the Owner can do about a missing OAuth app.
pub fn oauth_app_ask_owner(app: OAuthAppProvider) -> String {
    format!(
        "Only the agency's Owner can add the agency's own {} OAuth app; ask them, or your server administrator.",
        app.label()
    )
}

/// The line that says a connection goes through the agency's own app.
pub fn oauth_app_own(app: &OAuthApp) -> String {
    let mut text = format!("Connects through the agency's own {} OAuth app", app.provider.label());
    if let Some(id) = &app.client_id {
        text.push_str(&format!(" (client ID {})", short_client_id(id)));
    }
    if let Some(who) = &app.set_by_name {
        text.push_str(&format!(", set up by {who}"));
    }
    text.push('.');
    text
}

/// A long client id shortened for a card: its start and its end.
pub fn short_client_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 28 {
        return id.to_owned();
    }
    let head: String = chars[..12].iter().collect();
    let tail: String = chars[chars.len() - 12..].iter().collect();
    format!("{head}…{tail}")
}

/// The names the provider's developer console gives the two values.
pub fn oauth_app_labels(app: OAuthAppProvider) -> (&'static str, &'static str) {
    match app {
        OAuthAppProvider::Google | OAuthAppProvider::Slack => ("Client ID", "Client secret"),
        OAuthAppProvider::Meta => ("App ID", "App secret"),
    }
}

/// How to register the app at the provider, step by step (the redirect URI is shown beside them).
pub fn oauth_app_steps(app: OAuthAppProvider) -> &'static [&'static str] {
    match app {
        OAuthAppProvider::Google => &[
            "In the Google Cloud console, pick or create a project and enable the Gmail API (and the Google Ads API, for Google Ads).",
            "Under APIs & Services → OAuth consent screen, set the app up for your users.",
            "Under APIs & Services → Credentials, create an OAuth client ID of type “Web application” and add the redirect URI below as an authorized redirect URI.",
            "Copy the client ID and client secret Google shows into the fields below.",
        ],
        OAuthAppProvider::Slack => &[
            "At api.slack.com/apps, create an app (from scratch) in your workspace.",
            "Under OAuth & Permissions, add the redirect URI below, and the scopes channels:read, channels:history, groups:read, groups:history, chat:write, users:read, users:read.email and team:read.",
            "Under Basic Information, copy the client ID and client secret into the fields below.",
        ],
        OAuthAppProvider::Meta => &[
            "At developers.facebook.com/apps, create a Business app and add the Marketing API and Facebook Login for Business.",
            "Under Facebook Login → Settings, add the redirect URI below as a valid OAuth redirect URI; the app asks for ads_read and business_management.",
            "Under App settings → Basic, copy the App ID and App secret into the fields below.",
        ],
    }
}

/// What an `oauth_app_in_use` refusal means for the person who asked to remove the app.
pub fn oauth_app_remove_text(app: OAuthAppProvider) -> String {
    let names: Vec<&str> = app.integrations().iter().map(|p| p.label()).collect();
    format!(
        "{} will no longer be able to connect until an OAuth app is set up again. A connection made with this app must be disconnected first.",
        names.join(" and ")
    )
}

/// "Link channels" / "Link ad accounts": the linker button's name.
pub fn link_label(provider: IntegrationProvider) -> &'static str {
    match provider {
        IntegrationProvider::Slack => "Link channels",
        _ => "Link ad accounts",
    }
}

/// The status as a word and the `status` badge class (the word is always shown: never colour alone).
pub fn status_badge(status: IntegrationStatus) -> (&'static str, &'static str) {
    match status {
        IntegrationStatus::NotConnected => ("Not connected", "status status-neutral"),
        IntegrationStatus::Connected => ("Connected", "status status-success"),
        IntegrationStatus::Syncing => ("Syncing…", "status status-info"),
        IntegrationStatus::Degraded => ("Degraded", "status status-warning"),
        IntegrationStatus::NeedsReconnect => ("Needs reconnect", "status status-danger"),
    }
}

/// What an `oauth_error` code on the way back from the provider means, and what to do.
pub fn oauth_error_text(code: &str) -> String {
    match code {
        "oauth_state_invalid" => {
            "The sign-in link that came back was not valid, so nothing was connected. Start again with Connect.".into()
        }
        "oauth_state_expired" => {
            "The consent page was open for more than 10 minutes and the sign-in expired. Start again with Connect."
                .into()
        }
        "oauth_state_used" => {
            "That sign-in link was already used (a reload or the back button). Start again with Connect if the card does not show Connected.".into()
        }
        "oauth_state_foreign" => {
            "The sign-in was started by a different user or session, so it was refused. Start again with Connect while signed in here.".into()
        }
        "oauth_denied" => {
            "Access was not granted on the provider's consent page. Connect again and allow access to finish.".into()
        }
        "oauth_exchange_failed" => {
            "The provider did not accept the sign-in, so nothing was connected. Try again; if it keeps failing, check the OAuth client id and secret on the server.".into()
        }
        "rate_limited" => {
            "Too many connection attempts this hour. Wait a few minutes, then try again.".into()
        }
        other => format!("The connection could not be completed (error code {other}). Try again."),
    }
}

/// "Synced 12 new, 3 updated" (plus what was skipped, when anything was).
pub fn sync_summary(stats: &SyncStats) -> String {
    let mut text = format!("Synced {} new, {} updated", stats.created, stats.updated);
    if stats.skipped > 0 {
        text.push_str(&format!(", {} skipped", stats.skipped));
    }
    text
}

/// The result of a finished sync in words.
pub fn outcome_text(outcome: &SyncOutcome, last_error: Option<&str>) -> String {
    if outcome.outcome == "ok" {
        sync_summary(&outcome.stats)
    } else {
        match last_error {
            Some(e) => format!("Sync failed: {e}"),
            None => "Sync failed".into(),
        }
    }
}

/// The 429 of "Sync now": "Sync limit reached, try again in 12 min".
pub fn sync_limit_text(retry_after_secs: Option<u64>) -> String {
    match retry_after_secs {
        Some(secs) => format!("Sync limit reached, try again in {} min", secs.div_ceil(60).max(1)),
        None => "Sync limit reached, try again later".into(),
    }
}

/// Only a web URL may be followed to the consent page (never `javascript:` or a relative path).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_banner_names_the_demo_providers() {
        assert_eq!(demo_banner(&[]), None);
        let one = demo_banner(&[IntegrationProvider::Gmail]).unwrap();
        assert!(one.starts_with("Gmail connects to demo providers"), "{one}");
        let all = demo_banner(&IntegrationProvider::ALL).unwrap();
        assert!(
            all.starts_with("Gmail, Slack, Google Ads and Meta Ads connect"),
            "{all}"
        );
        assert!(all.contains("sample data"));
    }

    #[test]
    fn a_missing_oauth_app_is_explained_in_words_and_an_own_app_is_named() {
        let text = oauth_app_missing(IntegrationProvider::GoogleAds, false);
        assert!(text.starts_with("Google Ads needs a Google OAuth app"), "{text}");
        assert!(text.contains("the agency's Owner can register") && text.contains("README"));
        assert!(
            oauth_app_missing(IntegrationProvider::Slack, true).contains("or you, as the agency's Owner, can register")
        );
        let own = OAuthApp {
            provider: OAuthAppProvider::Google,
            source: audienceos_shared::integrations::OAuthAppSource::Agency,
            client_id: Some("1234567890-abcdefghijklmnop.apps.googleusercontent.com".into()),
            set_by_name: Some("Grace Hopper".into()),
            updated_at: None,
            redirect_uri: "https://app.example/api/v1/oauth/callback".into(),
        };
        assert_eq!(
            oauth_app_own(&own),
            "Connects through the agency's own Google OAuth app (client ID 1234567890-a…rcontent.com), set up by Grace Hopper."
        );
        assert_eq!(short_client_id("123.456"), "123.456");
        assert_eq!(oauth_app_labels(OAuthAppProvider::Meta), ("App ID", "App secret"));
        for app in OAuthAppProvider::ALL {
            assert!(oauth_app_steps(app).iter().any(|s| s.contains("redirect URI")), "{app}");
        }
        assert!(oauth_app_remove_text(OAuthAppProvider::Google).starts_with("Gmail and Google Ads"));
    }

    #[test]
    fn every_status_has_a_word() {
        assert_eq!(status_badge(IntegrationStatus::NeedsReconnect).0, "Needs reconnect");
        assert_eq!(status_badge(IntegrationStatus::Syncing).0, "Syncing…");
        assert_eq!(status_badge(IntegrationStatus::NotConnected).0, "Not connected");
    }

    #[test]
    fn oauth_codes_are_explained() {
        for code in [
            "oauth_state_invalid",
            "oauth_state_expired",
            "oauth_state_used",
            "oauth_state_foreign",
            "oauth_denied",
            "oauth_exchange_failed",
            "rate_limited",
        ] {
            assert!(!oauth_error_text(code).contains(code), "{code} has its own words");
        }
        assert!(oauth_error_text("weird").contains("weird"));
    }

    #[test]
    fn sync_results_read_as_counts() {
        let stats = SyncStats {
            fetched: 20,
            created: 12,
            updated: 3,
            skipped: 0,
            duration_ms: 400,
        };
        assert_eq!(sync_summary(&stats), "Synced 12 new, 3 updated");
        let skipped = SyncStats { skipped: 5, ..stats };
        assert_eq!(sync_summary(&skipped), "Synced 12 new, 3 updated, 5 skipped");
        let failed = SyncOutcome {
            outcome: "failed".into(),
            started_at: None,
            finished_at: None,
            stats: SyncStats::default(),
        };
        assert_eq!(
            outcome_text(&failed, Some("token revoked")),
            "Sync failed: token revoked"
        );
    }

    #[test]
    fn sync_limit_rounds_up_to_minutes() {
        assert_eq!(sync_limit_text(Some(61)), "Sync limit reached, try again in 2 min");
        assert_eq!(sync_limit_text(Some(5)), "Sync limit reached, try again in 1 min");
        assert_eq!(sync_limit_text(None), "Sync limit reached, try again later");
    }

    #[test]
    fn only_web_urls_are_followed() {
        assert!(is_web_url("https://accounts.google.com/o/oauth2/auth?x=1"));
        assert!(is_web_url("http://127.0.0.1:9000/oauth/authorize"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("/integrations"));
    }
}
