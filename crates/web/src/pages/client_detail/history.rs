//! Read-only parts of the panel: health with the reasons behind it, and the stage history.

use audienceos_shared::clients::{Client, Health};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::clients::list_stage_events;
use crate::components::badges::HealthBadge;
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::agency_time_zone;

/// The health badge and one line per reason, worst first.
#[component]
pub fn HealthReasons(client: Client) -> impl IntoView {
    let mut reasons = client.health_reasons.clone();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.severity));
    view! {
        <div class="health-summary">
            <HealthBadge health=client.health/>
            {if reasons.is_empty() {
                view! { <p class="muted">"Nothing needs attention."</p> }.into_any()
            } else {
                view! {
                    <ul class="reasons">
                        {reasons
                            .into_iter()
                            .map(|r| {
                                let compact = r.severity == Health::Green;
                                view! {
                                    <li>
                                        <HealthBadge health=r.severity compact=compact/>
                                        <span>{r.message}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}

/// Every move of the client, newest first; refetched when the stage changes.
#[component]
pub fn StageHistory(client_id: Uuid, stage: Signal<Uuid>) -> impl IntoView {
    let events = LocalResource::new(move || {
        stage.track();
        list_stage_events(client_id)
    });
    let tz = agency_time_zone();
    view! {
        <section class="drawer-section" aria-labelledby="client-history-title">
            <h3 class="drawer-section-title" id="client-history-title">"Stage history"</h3>
            <SectionBoundary section="Stage history" resource=events let:list>
                {
                    let tz = tz.clone();
                    if list.is_empty() {
                        view! { <p class="muted">"No stage changes yet."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="timeline">
                                {list
                                    .into_iter()
                                    .map(|e| {
                                        let what = match &e.from_stage {
                                            Some(from) => format!("{from} → {}", e.to_stage),
                                            None => format!("Created in {}", e.to_stage),
                                        };
                                        let who = e.moved_by.map(|u| u.name).unwrap_or_else(|| "System".into());
                                        view! {
                                            <li>
                                                <span class="timeline-what">{what}</span>
                                                <span class="muted">
                                                    {who}" · "
                                                    <time datetime=e.moved_at.to_rfc3339()>{format::date_time(&e.moved_at, &tz)}</time>
                                                </span>
                                                {e.note.map(|n| view! { <span class="timeline-note">{n}</span> })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                        .into_any()
                    }
                }
            </SectionBoundary>
        </section>
    }
}
