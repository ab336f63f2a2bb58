//! The client's open alerts (active, snoozed-but-due and escalated), worst first as the API orders
//! them; acting on them happens on the dashboard's firehose.

use audienceos_shared::alerts::{AlertListQuery, AlertStatus};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::alerts::list_alerts;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::agency_time_zone;

/// The alerts section of the panel.
#[component]
pub fn ClientAlerts(client_id: Uuid) -> impl IntoView {
    let alerts = LocalResource::new(move || async move {
        list_alerts(&AlertListQuery {
            client_id: Some(client_id),
            ..Default::default()
        })
        .await
    });
    let tz = agency_time_zone();
    view! {
        <section class="drawer-section" aria-labelledby="client-alerts-title">
            <h3 class="drawer-section-title" id="client-alerts-title">"Open alerts"</h3>
            <SectionBoundary section="Alerts" resource=alerts let:page>
                {
                    let tz = tz.clone();
                    if page.items.is_empty() {
                        view! { <p class="muted">"No open alerts."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="client-alerts">
                                {page
                                    .items
                                    .into_iter()
                                    .map(|a| {
                                        let state = match a.status {
                                            AlertStatus::Escalated => format!(
                                                "escalated to {}",
                                                a.escalated_to.map(|u| u.name).unwrap_or_default()
                                            ),
                                            s => s.as_str().to_string(),
                                        };
                                        view! {
                                            <li>
                                                <Icon name=IconName::Bell/>
                                                <span class="cell-strong">{a.title}</span>
                                                <span class="muted">
                                                    {format!("{} · {} · {}", a.severity.as_str(), state, format::date(&a.created_at, &tz))}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                }
            </SectionBoundary>
        </section>
    }
}
