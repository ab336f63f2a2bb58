//! KPI cards: value, the change against the start of the period with an arrow *and* words, coloured by
//! whether the change is good news (`higher_is_better`), and a link to the clients behind it. Below
//! them, the agency's ad spend over the last 30 days (or a hint to connect an ads platform).

use audienceos_shared::dashboard::{Kpi, Trend};
use audienceos_shared::integrations::AdPerformanceQuery;
use leptos::prelude::*;

use super::PeriodChoice;
use crate::ad_metrics::{is_empty, AdKpi, DayRange};
use crate::api::ad_performance::agency_ad_performance;
use crate::api::dashboard::kpis;
use crate::components::ad_kpis::AdKpiTiles;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::agency_time_zone;
use crate::routes::Route;

/// Days of the dashboard's ad spend window.
const AD_WINDOW_DAYS: u32 = 30;

/// Good, bad or neutral news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Good,
    Bad,
    Neutral,
}

/// Whether a KPI's movement is good news.
pub fn verdict(kpi: &Kpi) -> Verdict {
    match (kpi.trend, kpi.higher_is_better) {
        (Trend::Up, true) | (Trend::Down, false) => Verdict::Good,
        (Trend::Up, false) | (Trend::Down, true) => Verdict::Bad,
        _ => Verdict::Neutral,
    }
}

/// "12", "4.5 days".
pub fn value_text(value: f64, unit: &str) -> String {
    let number = if value.fract().abs() < f64::EPSILON {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    match unit {
        "days" => format!("{number} days"),
        _ => number,
    }
}

/// "Up 3 from 9 (better)", "No change", "No earlier value yet".
pub fn change_text(kpi: &Kpi, period: u32) -> String {
    let Some(prev) = kpi.previous else {
        return "No earlier value yet".into();
    };
    let delta = (kpi.value - prev).abs();
    let word = match verdict(kpi) {
        Verdict::Good => " (better)",
        Verdict::Bad => " (worse)",
        Verdict::Neutral => "",
    };
    match kpi.trend {
        Trend::Up => format!(
            "Up {} from {} {period} days ago{word}",
            value_text(delta, ""),
            value_text(prev, "")
        ),
        Trend::Down => format!(
            "Down {} from {} {period} days ago{word}",
            value_text(delta, ""),
            value_text(prev, "")
        ),
        Trend::Flat => format!("No change in {period} days"),
        Trend::Unknown => "No earlier value yet".into(),
    }
}

/// The KPI row with its period selector.
#[component]
pub fn KpiSection() -> impl IntoView {
    let period = RwSignal::new(30u32);
    let data = LocalResource::new(move || kpis(period.get()));
    view! {
        <section class="dashboard-section" aria-labelledby="kpi-title">
            <div class="section-header">
                <h2 class="section-title" id="kpi-title">"Key numbers"</h2>
                <PeriodChoice value=period label="Compare with" suffix=" ago"/>
            </div>
            <SectionBoundary section="Key numbers" resource=data let:d>
                <div class="kpi-grid">
                    {d.kpis.into_iter().map(|k| view! { <KpiCard kpi=k period=d.period_days/> }).collect_view()}
                </div>
            </SectionBoundary>
        </section>
    }
}

/// Ad spend, conversions, ROAS (when revenue is reported) and CPC over the last 30 days against the
/// 30 before, for every client the caller may see.
#[component]
pub fn AdSpendSection() -> impl IntoView {
    let range = DayRange::last(format::today(&agency_time_zone()), AD_WINDOW_DAYS);
    let data = LocalResource::new(move || async move {
        agency_ad_performance(&AdPerformanceQuery {
            from: Some(range.from),
            to: Some(range.to),
            platform: None,
        })
        .await
    });
    view! {
        <section class="dashboard-section" aria-labelledby="ad-kpi-title">
            <div class="section-header">
                <h2 class="section-title" id="ad-kpi-title">"Ad spend, last 30 days"</h2>
            </div>
            <SectionBoundary section="Ad spend" resource=data let:d>
                {if is_empty(&d.totals) && is_empty(&d.previous_totals) {
                    view! {
                        <p class="muted ad-hint">
                            "No ad data yet. "
                            <a href=Route::Integrations.path()>"Connect Google Ads or Meta Ads"</a>
                            " and link ad accounts to clients to see spend, conversions and ROAS here."
                        </p>
                    }
                    .into_any()
                } else {
                    view! {
                        <AdKpiTiles
                            totals=d.totals
                            previous=d.previous_totals
                            kpis=vec![AdKpi::Spend, AdKpi::Conversions, AdKpi::Roas, AdKpi::Cpc]
                            period_days=i64::from(AD_WINDOW_DAYS)
                            label="Ad spend KPIs"
                        />
                    }
                    .into_any()
                }}
            </SectionBoundary>
        </section>
    }
}

#[component]
fn KpiCard(kpi: Kpi, period: u32) -> impl IntoView {
    let v = verdict(&kpi);
    let (class, icon) = match (kpi.trend, v) {
        (Trend::Up, Verdict::Good) => ("kpi-change trend-good", IconName::ArrowUp),
        (Trend::Up, _) => ("kpi-change trend-bad", IconName::ArrowUp),
        (Trend::Down, Verdict::Good) => ("kpi-change trend-good", IconName::ArrowDown),
        (Trend::Down, _) => ("kpi-change trend-bad", IconName::ArrowDown),
        _ => ("kpi-change trend-flat", IconName::ArrowRight),
    };
    let change = change_text(&kpi, period);
    view! {
        <a class="kpi-card card" href=kpi.link.clone()>
            <span class="kpi-label">{kpi.label.clone()}</span>
            <span class="kpi-value">{value_text(kpi.value, &kpi.unit)}</span>
            <span class=class>
                <Icon name=icon/>
                {change}
            </span>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(value: f64, previous: Option<f64>, trend: Trend, higher_is_better: bool) -> Kpi {
        Kpi {
            key: "k".into(),
            label: "K".into(),
            value,
            previous,
            trend,
            higher_is_better,
            unit: "count".into(),
            link: "/clients".into(),
        }
    }

    #[test]
    fn a_rise_is_good_only_when_higher_is_better() {
        assert_eq!(verdict(&kpi(5.0, Some(3.0), Trend::Up, true)), Verdict::Good);
        assert_eq!(verdict(&kpi(5.0, Some(3.0), Trend::Up, false)), Verdict::Bad);
        assert_eq!(verdict(&kpi(1.0, Some(3.0), Trend::Down, false)), Verdict::Good);
        assert_eq!(
            change_text(&kpi(5.0, Some(3.0), Trend::Up, false), 30),
            "Up 2 from 3 30 days ago (worse)"
        );
        assert_eq!(value_text(4.5, "days"), "4.5 days");
        assert_eq!(value_text(12.0, "count"), "12");
    }
}
