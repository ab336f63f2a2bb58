//! The client list's view state in the URL: the same field names as `ClientListQuery`, so a copied link
//! reproduces the list. Unknown or malformed values are ignored rather than failing the page.

use audienceos_shared::clients::{ClientListQuery, ClientSort, HealthSet, SortDir};
use uuid::Uuid;

use crate::format::parse_day;

/// The filters, search and sort read from the URL's parameters (`get` looks one up by name).
pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ClientListQuery {
    let text = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let id = |k: &str| text(k).and_then(|v| Uuid::parse_str(&v).ok());
    ClientListQuery {
        q: text("q"),
        stage_id: id("stage_id"),
        health: text("health").and_then(|v| HealthSet::parse(&v)),
        owner_id: id("owner_id"),
        label_id: id("label_id"),
        due_before: text("due_before").and_then(|v| parse_day(&v)),
        due_after: text("due_after").and_then(|v| parse_day(&v)),
        archived: text("archived").filter(|v| v == "true").map(|_| true),
        sort: text("sort").and_then(|v| ClientSort::parse(&v)),
        dir: text("dir").and_then(|v| match v.as_str() {
            "asc" => Some(SortDir::Asc),
            "desc" => Some(SortDir::Desc),
            _ => None,
        }),
        limit: None,
        cursor: None,
    }
}

/// The `?..` for `query`, keeping `client` (the open panel) when given.
pub fn to_search(query: &ClientListQuery, client: Option<&str>) -> String {
    let mut s = serde_urlencoded::to_string(query).unwrap_or_default();
    if let Some(c) = client {
        if !s.is_empty() {
            s.push('&');
        }
        s.push_str("client=");
        s.push_str(&crate::routes::encode_component(c));
    }
    if s.is_empty() {
        s
    } else {
        format!("?{s}")
    }
}

/// True when any filter or the search is set (sort alone is not a filter).
pub fn is_filtered(q: &ClientListQuery) -> bool {
    q.q.is_some()
        || q.stage_id.is_some()
        || q.health.is_some()
        || q.owner_id.is_some()
        || q.label_id.is_some()
        || q.due_before.is_some()
        || q.due_after.is_some()
        || q.archived.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(search: &str) -> ClientListQuery {
        let map: HashMap<String, String> = serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap();
        from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn a_link_round_trips() {
        let q = ClientListQuery {
            q: Some("acme & co".into()),
            stage_id: Some(Uuid::nil()),
            health: Some(HealthSet::of([
                audienceos_shared::clients::Health::Red,
                audienceos_shared::clients::Health::Yellow,
            ])),
            due_after: parse_day("2026-03-01"),
            archived: Some(true),
            sort: Some(ClientSort::DaysInStage),
            dir: Some(SortDir::Asc),
            ..Default::default()
        };
        let search = to_search(&q, None);
        assert!(search.contains("sort=days_in_stage"), "{search}");
        assert_eq!(parse(&search), q);
    }

    #[test]
    fn the_dashboard_at_risk_link_filters_both_values() {
        use audienceos_shared::clients::Health;
        let q = parse("?health=red,yellow");
        assert_eq!(q.health, Some(HealthSet::of([Health::Yellow, Health::Red])));
        assert_eq!(parse("?health=red,purple").health, None);
    }

    #[test]
    fn bad_values_are_ignored() {
        let q = parse("?health=purple&stage_id=nope&due_before=tomorrow&archived=yes&sort=x&client=1");
        assert_eq!(q, ClientListQuery::default());
        assert_eq!(to_search(&q, Some("42")), "?client=42");
    }
}
