//! `/`: the agency at a glance. KPI cards with trend arrows for a chosen period, the trend chart for a
//! chosen range, and the firehose of real events where alerts are escalated, snoozed, dismissed or
//! resolved in place. Each section loads and fails on its own.

mod firehose;
mod getting_started;
mod kpis;

use chrono::Duration;
use leptos::prelude::*;

use self::firehose::{FirehoseSection, OpenAlertsSection};
use self::getting_started::GettingStarted;
use self::kpis::{AdSpendSection, KpiSection};
use super::agency_time_zone;
use crate::api::dashboard::trends;
use crate::components::section_boundary::SectionBoundary;
use crate::components::trend_chart::TrendChart;
use crate::components::unique_id;
use crate::format;
use crate::state::session::use_session;

/// The dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let first_name = move || session.with_me(|m| m.user.first_name.clone()).unwrap_or_default();
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <div>
                    <h1 class="page-title">{move || format!("Welcome, {}", first_name())}</h1>
                    <p class="page-subtitle">"How your clients are doing, and what needs you now."</p>
                </div>
            </header>
            <GettingStarted/>
            <KpiSection/>
            <AdSpendSection/>
            <div class="dashboard-columns">
                <div class="dashboard-stack">
                    <OpenAlertsSection/>
                    <FirehoseSection/>
                </div>
                <TrendSection/>
            </div>
        </div>
    }
}

/// A segmented choice of day counts (7/30/90), as a radio group.
#[component]
pub fn PeriodChoice(
    value: RwSignal<u32>,
    label: &'static str,
    #[prop(optional)] suffix: &'static str,
) -> impl IntoView {
    let name = unique_id("period");
    view! {
        <fieldset class="segmented">
            <legend class="sr-only">{label}</legend>
            {[7u32, 30, 90]
                .into_iter()
                .map(|days| {
                    let id = format!("{name}-{days}");
                    view! {
                        <input
                            type="radio"
                            class="segmented-input"
                            id=id.clone()
                            name=name.clone()
                            checked=move || value.get() == days
                            on:change=move |_| value.set(days)
                        />
                        <label class="segmented-label" for=id>{format!("{days} days{suffix}")}</label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
fn TrendSection() -> impl IntoView {
    let tz = agency_time_zone();
    let range = RwSignal::new(30u32);
    let series = LocalResource::new(move || {
        let to = format::today(&tz);
        let from = to - Duration::days(i64::from(range.get()) - 1);
        trends(from, to)
    });
    view! {
        <section class="card dashboard-card" aria-labelledby="trends-title">
            <div class="card-header">
                <h2 class="card-title" id="trends-title">"Trends"</h2>
                <PeriodChoice value=range label="Trend range"/>
            </div>
            <SectionBoundary section="Trends" resource=series let:data>
                <TrendChart
                    points=data.points
                    title=format!("Daily activity from {} to {}", format::day(data.from), format::day(data.to))
                />
            </SectionBoundary>
        </section>
    }
}
