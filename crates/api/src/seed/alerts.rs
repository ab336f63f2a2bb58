//! The demo's alerts beyond the ones its rules raise (inactivity, stage overdue and overdue tasks come from
//! the rules job over the generated data): a churn risk and two KPI drops on clients whose ads and
//! conversations the demo providers hold, and the history of a Slack connection that had to be renewed.
//! Written through the store functions the rules and the integrations use.

use audienceos_shared::alerts::{AlertSeverity, AlertType};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::store::alerts::RuleAlert;
use crate::store::bulk::ClientSeed;
use crate::store::Store;

/// Raise the demo's risk and KPI alerts on the clients named here (those present), and a resolved
/// disconnect alert; returns how many alerts were written.
pub async fn seed(store: &Store, agency_id: Uuid, clients: &[ClientSeed], now: DateTime<Utc>) -> anyhow::Result<u64> {
    let id_of = |name: &str| clients.iter().find(|c| c.name == name).map(|c| c.id);
    let mut wanted = Vec::new();
    if let Some(id) = id_of("Bluebird Coffee") {
        wanted.push(RuleAlert {
            client_id: id,
            alert_type: AlertType::RiskDetected,
            severity: AlertSeverity::High,
            title: "Bluebird Coffee: churn risk before renewal".into(),
            description: "Revenue is down on last month, the client is questioning the report, and the retainer renews in five weeks.".into(),
            reasons: vec![
                "Shopify revenue down 8% month over month".into(),
                "An unanswered question about the October report for more than a day".into(),
                "Retainer renewal in 5 weeks".into(),
            ],
            dedupe_key: format!("risk_detected:{id}:renewal"),
            since: now - Duration::hours(20),
        });
    }
    if let Some(id) = id_of("Driftwood Surf") {
        wanted.push(RuleAlert {
            client_id: id,
            alert_type: AlertType::KpiDrop,
            severity: AlertSeverity::Medium,
            title: "Driftwood Surf: ROAS down 31% week over week".into(),
            description: "Return on ad spend fell from 4.2 to 2.9 while spend held steady.".into(),
            reasons: vec![
                "ROAS 2.9 in the last 7 days, 4.2 the 7 days before".into(),
                "Spend within 5% of the week before".into(),
            ],
            dedupe_key: format!("kpi_drop:{id}:roas"),
            since: now - Duration::hours(30),
        });
    }
    if let Some(id) = id_of("Harbor Wine") {
        wanted.push(RuleAlert {
            client_id: id,
            alert_type: AlertType::KpiDrop,
            severity: AlertSeverity::Low,
            title: "Harbor Wine: conversions down 18%".into(),
            description: "Shopping conversions dipped after the feed update on Tuesday.".into(),
            reasons: vec!["41 conversions in the last 7 days, 50 the 7 days before".into()],
            dedupe_key: format!("kpi_drop:{id}:conversions"),
            since: now - Duration::days(2),
        });
    }
    let outcome = store
        .sync_rule_alerts(agency_id, &[AlertType::RiskDetected, AlertType::KpiDrop], &wanted, now)
        .await?;
    // A Slack grant the workspace revoked last week, reconnected the next day: raised and resolved the
    // way the integrations do it.
    let key = "integration_disconnected:demo-history-slack";
    let raised = store
        .raise_condition_alert(
            agency_id,
            AlertType::Disconnect,
            AlertSeverity::High,
            "Slack needs to be reconnected",
            "Slack refused the stored authorization (token_revoked). Connect it again.",
            key,
            now - Duration::days(6),
        )
        .await?;
    store
        .resolve_condition_alert(agency_id, key, now - Duration::days(5))
        .await?;
    Ok(outcome.raised + u64::from(raised))
}
