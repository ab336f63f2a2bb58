//! A client's health, explained: each rule that fires gives a reason with the health it implies, and the
//! client's health is the worst of them. Pure, so the rules are tested without a database.

use audienceos_shared::clients::{Health, HealthReason, HealthThresholds};

/// What the rules look at.
#[derive(Debug, Clone, Default)]
pub struct HealthInputs<'a> {
    pub stage_name: &'a str,
    pub days_in_stage: i64,
    pub overdue_tasks: i64,
    /// The client's conversations whose latest message waits for the agency's reply for longer than
    /// `unanswered_after()`.
    pub unanswered_messages: i64,
    pub critical_alerts: i64,
}

/// How long a client's message may wait for a reply before it counts against the client's health: one
/// working day. (Per-agency business hours arrive with the agency settings.)
pub fn unanswered_after() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// The health and its reasons, worst first.
pub fn assess(t: HealthThresholds, i: &HealthInputs<'_>) -> (Health, Vec<HealthReason>) {
    let mut reasons = Vec::new();
    if i.days_in_stage >= t.red_days {
        reasons.push(reason(
            "days_in_stage",
            Health::Red,
            format!(
                "{} days in {} (at risk after {})",
                i.days_in_stage, i.stage_name, t.red_days
            ),
        ));
    } else if i.days_in_stage >= t.yellow_days {
        reasons.push(reason(
            "days_in_stage",
            Health::Yellow,
            format!(
                "{} days in {} (needs attention after {})",
                i.days_in_stage, i.stage_name, t.yellow_days
            ),
        ));
    }
    if i.overdue_tasks > 0 {
        let severity = if i.overdue_tasks >= 3 {
            Health::Red
        } else {
            Health::Yellow
        };
        reasons.push(reason(
            "overdue_tasks",
            severity,
            plural(i.overdue_tasks, "overdue task"),
        ));
    }
    if i.unanswered_messages > 0 {
        let severity = if i.unanswered_messages >= 3 {
            Health::Red
        } else {
            Health::Yellow
        };
        reasons.push(reason(
            "unanswered_messages",
            severity,
            format!(
                "{} waiting for a reply",
                plural(i.unanswered_messages, "client message")
            ),
        ));
    }
    if i.critical_alerts > 0 {
        reasons.push(reason(
            "critical_alerts",
            Health::Red,
            plural(i.critical_alerts, "open critical alert"),
        ));
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let health = reasons.first().map(|r| r.severity).unwrap_or(Health::Green);
    (health, reasons)
}

fn reason(code: &str, severity: Health, message: String) -> HealthReason {
    HealthReason {
        code: code.into(),
        severity,
        message,
    }
}

fn plural(n: i64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> HealthThresholds {
        HealthThresholds::default()
    }

    #[test]
    fn a_fresh_client_is_green_with_no_reasons() {
        let (h, r) = assess(
            t(),
            &HealthInputs {
                stage_name: "Audit",
                ..Default::default()
            },
        );
        assert_eq!(h, Health::Green);
        assert!(r.is_empty());
    }

    #[test]
    fn days_in_stage_use_the_thresholds() {
        let at = |days| {
            assess(
                t(),
                &HealthInputs {
                    stage_name: "Audit",
                    days_in_stage: days,
                    ..Default::default()
                },
            )
        };
        assert_eq!(at(6).0, Health::Green);
        assert_eq!(at(7).0, Health::Yellow);
        assert_eq!(at(14).0, Health::Red);
        assert_eq!(at(16).1[0].message, "16 days in Audit (at risk after 14)");
        let custom = HealthThresholds {
            yellow_days: 2,
            red_days: 3,
        };
        assert_eq!(
            assess(
                custom,
                &HealthInputs {
                    days_in_stage: 3,
                    ..Default::default()
                }
            )
            .0,
            Health::Red
        );
    }

    #[test]
    fn the_worst_reason_wins_and_comes_first() {
        let (h, r) = assess(
            t(),
            &HealthInputs {
                stage_name: "Live",
                days_in_stage: 8,
                overdue_tasks: 1,
                critical_alerts: 2,
                ..Default::default()
            },
        );
        assert_eq!(h, Health::Red);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].code, "critical_alerts");
        assert_eq!(r[0].message, "2 open critical alerts");
    }

    #[test]
    fn many_overdue_tasks_or_unanswered_messages_are_red() {
        assert_eq!(
            assess(
                t(),
                &HealthInputs {
                    overdue_tasks: 3,
                    ..Default::default()
                }
            )
            .0,
            Health::Red
        );
        assert_eq!(
            assess(
                t(),
                &HealthInputs {
                    unanswered_messages: 1,
                    ..Default::default()
                }
            )
            .0,
            Health::Yellow
        );
    }
}
