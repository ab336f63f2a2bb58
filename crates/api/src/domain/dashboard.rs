//! Dashboard rules without I/O: the cards, their trend against the previous value, excerpts.

use audienceos_shared::dashboard::Trend;

/// The longest trend range, in days.
pub const MAX_TREND_DAYS: i64 = 366;

/// `(key, label, higher_is_better, unit, link)` of each card, in order.
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
    ("onboarding", "Onboarding", true, "count", "/pipeline"),
    ("open_tasks", "Open tasks", false, "count", "/clients?sort=due_date"),
    ("overdue_tasks", "Overdue tasks", false, "count", "/clients?health=red"),
    ("open_alerts", "Open alerts", false, "count", "/dashboard#alerts"),
];

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
    }
}
