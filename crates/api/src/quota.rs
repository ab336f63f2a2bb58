//! Route classes and their quotas: plain values that config reads and the rate limiter enforces. A leaf:
//! it imports nothing of the crate, so config can name quotas without depending on the middleware.

use std::collections::BTreeMap;
use std::time::Duration;

/// A family of routes sharing one quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteClass {
    /// Every authenticated `/api/v1` call, per caller.
    Api,
    /// Sign-in, sign-up and password reset, per client IP.
    AuthIp,
    /// Sign-in and password reset attempts against one account.
    AuthAccount,
    /// The AI assistant.
    Chat,
    /// Manual integration syncs.
    IntegrationSync,
    /// SEO enrichment.
    SeoEnrich,
    /// OAuth callbacks.
    OauthCallback,
    /// Unauthenticated public routes (intake form), per client IP.
    Public,
    /// The public intake form, per link token (keyed by the token's digest), whatever the IP.
    PublicToken,
}

impl RouteClass {
    pub const ALL: [RouteClass; 9] = [
        RouteClass::Api,
        RouteClass::AuthIp,
        RouteClass::AuthAccount,
        RouteClass::Chat,
        RouteClass::IntegrationSync,
        RouteClass::SeoEnrich,
        RouteClass::OauthCallback,
        RouteClass::Public,
        RouteClass::PublicToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouteClass::Api => "api",
            RouteClass::AuthIp => "auth_ip",
            RouteClass::AuthAccount => "auth_account",
            RouteClass::Chat => "chat",
            RouteClass::IntegrationSync => "integration_sync",
            RouteClass::SeoEnrich => "seo_enrich",
            RouteClass::OauthCallback => "oauth_callback",
            RouteClass::Public => "public",
            RouteClass::PublicToken => "public_token",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The plan's table (chat 20/min, sync 5/h, SEO 10/h, OAuth callbacks 5/h, public 10/min) plus auth limits.
    pub fn defaults() -> BTreeMap<RouteClass, Quota> {
        let q = |count, per: Per| Quota { count, per };
        BTreeMap::from([
            (RouteClass::Api, q(600, Per::Minute)),
            (RouteClass::AuthIp, q(20, Per::Minute)),
            (RouteClass::AuthAccount, q(20, Per::Hour)),
            (RouteClass::Chat, q(20, Per::Minute)),
            (RouteClass::IntegrationSync, q(5, Per::Hour)),
            (RouteClass::SeoEnrich, q(10, Per::Hour)),
            (RouteClass::OauthCallback, q(5, Per::Hour)),
            (RouteClass::Public, q(10, Per::Minute)),
            (RouteClass::PublicToken, q(10, Per::Minute)),
        ])
    }
}

/// The period of a quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Second,
    Minute,
    Hour,
}

/// `count` requests per period, allowed in a burst and replenished evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub count: u32,
    pub per: Per,
}

impl Quota {
    /// Parse `N/second`, `N/minute` or `N/hour` (also `s`, `min`, `m`, `h`).
    pub fn parse(s: &str) -> Option<Self> {
        let (n, per) = s.split_once('/')?;
        let count: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
        let per = match per.trim() {
            "s" | "sec" | "second" => Per::Second,
            "m" | "min" | "minute" => Per::Minute,
            "h" | "hour" => Per::Hour,
            _ => return None,
        };
        Some(Self { count, per })
    }

    pub fn period(self) -> Duration {
        match self.per {
            Per::Second => Duration::from_secs(1),
            Per::Minute => Duration::from_secs(60),
            Per::Hour => Duration::from_secs(3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_parse() {
        assert_eq!(
            Quota::parse("10/minute"),
            Some(Quota {
                count: 10,
                per: Per::Minute
            })
        );
        assert_eq!(
            Quota::parse("5/h"),
            Some(Quota {
                count: 5,
                per: Per::Hour
            })
        );
        assert_eq!(Quota::parse("0/minute"), None);
        assert_eq!(Quota::parse("ten/minute"), None);
        assert_eq!(Quota::parse("10/day"), None);
    }
}
