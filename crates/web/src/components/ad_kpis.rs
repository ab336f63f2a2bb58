//! The ad KPI tiles (spend, clicks, conversions, CTR, CPC, ROAS): value, and the change against the
//! previous period with an arrow *and* words, coloured by whether it is good news. Used by the client's
//! ad performance section and the dashboard.

use audienceos_shared::integrations::AdMetrics;
use leptos::prelude::*;

use super::icons::{Icon, IconName};
use crate::ad_metrics::{change, change_text, tone, AdKpi, Change, Tone};

/// One tile per KPI in `kpis`; ROAS is left out when no platform reported revenue.
#[component]
pub fn AdKpiTiles(
    totals: AdMetrics,
    previous: AdMetrics,
    kpis: Vec<AdKpi>,
    /// Length of the range, for "vs previous 30 days".
    period_days: i64,
    /// The list's accessible name, e.g. "Ad KPIs".
    label: &'static str,
    /// Narrower tiles (the client drawer).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let tiles = kpis
        .into_iter()
        .filter(|k| *k != AdKpi::Roas || totals.revenue.is_some())
        .map(|kpi| {
            let moved = change(kpi.value(&totals), kpi.value(&previous));
            let (class, icon) = match (moved, tone(kpi, moved)) {
                (Change::Up(_), Tone::Good) => ("kpi-change trend-good", IconName::ArrowUp),
                (Change::Up(_), Tone::Bad) => ("kpi-change trend-bad", IconName::ArrowUp),
                (Change::Up(_), Tone::Neutral) => ("kpi-change trend-flat", IconName::ArrowUp),
                (Change::Down(_), Tone::Good) => ("kpi-change trend-good", IconName::ArrowDown),
                (Change::Down(_), Tone::Bad) => ("kpi-change trend-bad", IconName::ArrowDown),
                (Change::Down(_), Tone::Neutral) => ("kpi-change trend-flat", IconName::ArrowDown),
                _ => ("kpi-change trend-flat", IconName::ArrowRight),
            };
            view! {
                <li class="kpi-card card ad-kpi">
                    <span class="kpi-label">{kpi.label()}</span>
                    <span class="kpi-value">{kpi.text(&totals)}</span>
                    <span class=class>
                        <Icon name=icon/>
                        {change_text(kpi, moved, period_days)}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="kpi-grid ad-kpi-grid" class:ad-kpi-grid-compact=compact aria-label=label>
            {tiles}
        </ul>
    }
}
