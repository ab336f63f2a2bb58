//! Dashboard rules without I/O: the cards, their trend against the previous value, excerpts.

use audienceos_shared::dashboard::Trend;

/// The longest trend range, in days.
pub const MAX_TREND_DAYS: i64 = 366;

/// `(key, label, higher_is_better, unit, link)` of each card, in order. Each link opens a view listing
/// exactly what the card counts; `{first_stage}` is replaced by the id of the board's first stage.
pub const CARDS: [(&str, &str, bool, &str, &str); 7] = [
    ("active_clients", "Active clients", true, "count", "/clients"),
    // Red and yellow: the list filter's "Needs attention or at risk" ("At risk" alone is red).
    (
        "at_risk",
        "Needs attention or at risk",
        false,
        "count",
        "/clients?health=red,yellow",
    ),
    ("avg_days_in_stage", "Avg. days in stage", false, "days", "/pipeline"),
    (
        "onboarding",
        "Onboarding",
        true,
        "count",
        "/clients?stage_id={first_stage}",
    ),
    ("open_tasks", "Open tasks", false, "count", "/tasks"),
    ("overdue_tasks", "Overdue tasks", false, "count", "/tasks?due=overdue"),
    ("open_alerts", "Open alerts", false, "count", "/alerts"),
];

/// A card's link with the first stage's id filled in (the pipeline's page when the board has no stage).
pub fn card_link(link: &str, first_stage: Option<uuid::Uuid>) -> String {
    match first_stage {
        Some(id) => link.replace("{first_stage}", &id.to_string()),
        None if link.contains("{first_stage}") => "/pipeline".to_string(),
        None => link.to_string(),
    }
}

/// Where an alert opens in the SPA (escalation emails link here).
pub fn alert_link(id: uuid::Uuid) -> String {
    format!("/alerts?alert={id}")
}

pub fn trend(value: f64, previous: Option<f64>) -> Trend {
    match previous {
        None => Trend::Unknown,
        Some(p) if (value - p).abs() < 0.05 => Trend::Flat,
        Some(p) if value > p => Trend::Up,
        Some(_) => Trend::Down,
    }
}

/// The first `max` characters, with an ellipsis when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trends_compare_with_the_previous_value_and_excerpts_cut_at_a_character() {
        assert_eq!(trend(3.0, None), Trend::Unknown);
        assert_eq!(trend(3.0, Some(3.01)), Trend::Flat);
        assert_eq!(trend(4.0, Some(3.0)), Trend::Up);
        assert_eq!(trend(2.0, Some(3.0)), Trend::Down);
        assert_eq!(excerpt("héllo", 3), "hél…");
        assert_eq!(excerpt("hi", 3), "hi");
        let id = uuid::Uuid::nil();
        assert_eq!(card_link(CARDS[3].4, Some(id)), format!("/clients?stage_id={id}"));
        assert_eq!(card_link(CARDS[3].4, None), "/pipeline");
        assert_eq!(card_link(CARDS[6].4, None), "/alerts");
    }
}
