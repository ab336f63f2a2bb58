//! The welcome email's words: a greeting, the public link, how long it works, and what happens next.

use chrono::{DateTime, Utc};

/// The subject and bodies of a welcome email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeEmail {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// The welcome email with the public link `url`, valid until `expires_at`.
pub fn welcome_email(agency_name: &str, client_name: &str, url: &str, expires_at: DateTime<Utc>) -> WelcomeEmail {
    let expires = expires_at.format("%B %-d, %Y");
    let body_text = format!(
        "Hi {client_name},\n\nWelcome to {agency_name}! To get started, tell us about your business and the \
         accounts we will work on:\n\n{url}\n\nYou can save your answers and come back later. The link is \
         personal and works until {expires}.\n\nWhat to expect:\n1. You fill in the intake form.\n2. We verify \
         access to your ad and analytics accounts.\n3. We install tracking and audit your setup.\n4. We go \
         live and support you from there.\n\n-- {agency_name}\n"
    );
    let body_html = format!(
        "<p>Hi {name},</p><p>Welcome to {agency}! To get started, tell us about your business and the accounts \
         we will work on:</p><p><a href=\"{link}\">Open your intake form</a></p><p>You can save your answers \
         and come back later. The link is personal and works until {expires}.</p>",
        name = html_escape(client_name),
        agency = html_escape(agency_name),
        link = html_escape(url),
    );
    WelcomeEmail {
        subject: format!("Welcome to {agency_name} - let's get started"),
        body_text,
        body_html,
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_and_expiry_are_in_both_bodies_and_names_are_escaped_in_html() {
        let at = "2030-03-05T12:00:00Z".parse().unwrap();
        let e = welcome_email("A & B", "<Acme>", "https://x.test/intake/t?a=1&b=2", at);
        assert_eq!(e.subject, "Welcome to A & B - let's get started");
        assert!(e.body_text.contains("https://x.test/intake/t?a=1&b=2"));
        assert!(e.body_text.contains("works until March 5, 2030"));
        assert!(e.body_html.contains("Hi &lt;Acme&gt;"));
        assert!(e.body_html.contains("Welcome to A &amp; B!"));
        assert!(e.body_html.contains("href=\"https://x.test/intake/t?a=1&amp;b=2\""));
    }
}
