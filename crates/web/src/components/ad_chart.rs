//! The ad performance chart, drawn as SVG by us: daily spend as bars on the left (money) axis, clicks
//! and conversions as lines on the right (count) axis, each line with its own colour *and* dash pattern,
//! a legend, and a `<title>` on every bar and point. Scales and ticks come from the trend chart's
//! `nice_scale`; the `viewBox` scales to the container's width.

use audienceos_shared::integrations::AdDay;
use leptos::prelude::*;

use super::trend_chart::nice_scale;
use crate::ad_metrics::conversions_text;
use crate::format;

// About the width of the client panel it is drawn in, so its text keeps its size.
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// "$950", "$1.2k", "$15k", "$2.5M": an axis label for whole dollars.
pub fn compact_money(dollars: i64) -> String {
    let d = dollars as f64;
    let (value, suffix) = if dollars >= 1_000_000 {
        (d / 1_000_000.0, "M")
    } else if dollars >= 1_000 {
        (d / 1_000.0, "k")
    } else {
        return format!("${dollars}");
    };
    if value < 10.0 && (value - value.round()).abs() >= 0.05 {
        format!("${value:.1}{suffix}")
    } else {
        format!("${:.0}{suffix}", value.round())
    }
}

/// A linear scale from 0..`top` to the plot's height (SVG y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub top: i64,
    pub step: i64,
}

impl Scale {
    /// A round scale whose top is at or above `max`.
    pub fn to_fit(max: f64) -> Self {
        let (top, step) = nice_scale(max.max(0.0).ceil() as i64);
        Self { top, step }
    }

    /// The y coordinate of `v`.
    pub fn y(&self, v: f64) -> f64 {
        let plot_h = HEIGHT - TOP - BOTTOM;
        TOP + plot_h - plot_h * v / self.top as f64
    }

    /// The tick values from 0 to the top.
    pub fn ticks(&self) -> impl Iterator<Item = i64> {
        let step = self.step;
        (0..=self.top / step).map(move |k| k * step)
    }
}

/// The centre of day `i` of `n` (a band scale, so bars never touch the axes).
pub fn band_x(i: usize, n: usize) -> f64 {
    let plot_w = WIDTH - LEFT - RIGHT;
    LEFT + plot_w * (i as f64 + 0.5) / n.max(1) as f64
}

/// The chart for `days` (one per day, in order). `title` starts the accessible summary, e.g.
/// "Ad performance from Mar 1, 2026 to Mar 30, 2026".
#[component]
pub fn AdChart(days: Vec<AdDay>, #[prop(into)] title: String) -> impl IntoView {
    if days.is_empty() {
        return view! { <p class="muted">"No days in this range."</p> }.into_any();
    }
    let n = days.len();
    let dollars = |d: &AdDay| d.metrics.spend.cents() as f64 / 100.0;
    let money = Scale::to_fit(days.iter().map(dollars).fold(0.0, f64::max));
    let counts = Scale::to_fit(
        days.iter()
            .map(|d| (d.metrics.clicks as f64).max(d.metrics.conversions))
            .fold(0.0, f64::max),
    );
    let bar_w = ((WIDTH - LEFT - RIGHT) / n as f64 * 0.7).max(1.0);
    let long_day = |d: &AdDay| d.date.format("%b %-d, %Y").to_string();

    let grid = money
        .ticks()
        .map(|v| {
            let y = money.y(v as f64);
            view! {
                <g class="chart-tick">
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y class="chart-grid"></line>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{compact_money(v)}</text>
                </g>
            }
        })
        .collect_view();
    let right_ticks = counts
        .ticks()
        .map(|v| {
            view! {
                <text x=WIDTH - RIGHT + 6.0 y=counts.y(v as f64) + 4.0 text-anchor="start">
                    {format::count(v)}
                </text>
            }
        })
        .collect_view();
    let every = n.div_ceil(6).max(1);
    let x_labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i == n - 1)
        .map(|(i, d)| {
            view! {
                <text x=band_x(i, n) y=HEIGHT - 8.0 text-anchor="middle">{d.date.format("%b %-d").to_string()}</text>
            }
        })
        .collect_view();
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let y = money.y(dollars(d));
            view! {
                <rect
                    class="chart-bar"
                    x=band_x(i, n) - bar_w / 2.0
                    y=y
                    width=bar_w
                    height=(money.y(0.0) - y).max(0.0)
                >
                    <title>{format!("Spend: {} on {}", format::money(d.metrics.spend), long_day(d))}</title>
                </rect>
            }
        })
        .collect_view();
    let line = |name: &'static str, class: &'static str, value: fn(&AdDay) -> f64, text: fn(f64) -> String| {
        let points: Vec<String> = days
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{:.1},{:.1}", band_x(i, n), counts.y(value(d))))
            .collect();
        let dots = days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                view! {
                    <circle cx=band_x(i, n) cy=counts.y(value(d)) r="3" class="chart-point">
                        <title>{format!("{name}: {} on {}", text(value(d)), long_day(d))}</title>
                    </circle>
                }
            })
            .collect_view();
        view! {
            <g class=format!("chart-series {class}")>
                <polyline points=points.join(" ") fill="none"></polyline>
                {dots}
            </g>
        }
    };
    let clicks = line(
        "Clicks",
        "series-2",
        |d| d.metrics.clicks as f64,
        |v| format::count(v as i64),
    );
    let conversions = line("Conversions", "series-3", |d| d.metrics.conversions, conversions_text);

    let spend_total = audienceos_shared::Money::from_cents(days.iter().map(|d| d.metrics.spend.cents()).sum());
    let clicks_total: i64 = days.iter().map(|d| d.metrics.clicks).sum();
    let conversions_total: f64 = days.iter().map(|d| d.metrics.conversions).sum();
    let summary = format!(
        "{title}: {} spend, {} clicks, {} conversions.",
        format::money(spend_total),
        format::count(clicks_total),
        conversions_text(conversions_total)
    );

    view! {
        <figure class="chart">
            <svg
                class="chart-svg"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                preserveAspectRatio="xMidYMid meet"
                role="img"
                aria-label=summary
            >
                <title>{title.clone()}</title>
                {grid}
                <g class="chart-bars">{bars}</g>
                <line x1=LEFT x2=LEFT y1=TOP y2=money.y(0.0) class="chart-axis"></line>
                <line x1=WIDTH - RIGHT x2=WIDTH - RIGHT y1=TOP y2=money.y(0.0) class="chart-axis"></line>
                <line x1=LEFT x2=WIDTH - RIGHT y1=money.y(0.0) y2=money.y(0.0) class="chart-axis"></line>
                <g class="chart-y-labels-right">{right_ticks}</g>
                <g class="chart-x-labels">{x_labels}</g>
                {clicks}
                {conversions}
            </svg>
            <figcaption>
                <ul class="chart-legend" aria-label="Legend">
                    <li class="chart-legend-item">
                        <svg width="12" height="10" viewBox="0 0 12 10" aria-hidden="true">
                            <rect class="chart-bar" x="0" y="0" width="12" height="10"></rect>
                        </svg>
                        "Spend (left axis)"
                    </li>
                    <li class="chart-legend-item series-2">
                        <svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true">
                            <line x1="0" x2="24" y1="4" y2="4"></line>
                        </svg>
                        "Clicks (right axis)"
                    </li>
                    <li class="chart-legend-item series-3">
                        <svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true">
                            <line x1="0" x2="24" y1="4" y2="4"></line>
                        </svg>
                        "Conversions (right axis)"
                    </li>
                </ul>
            </figcaption>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_ticks_are_compact() {
        assert_eq!(compact_money(0), "$0");
        assert_eq!(compact_money(950), "$950");
        assert_eq!(compact_money(1_200), "$1.2k");
        assert_eq!(compact_money(2_000), "$2k");
        assert_eq!(compact_money(15_000), "$15k");
        assert_eq!(compact_money(2_500_000), "$2.5M");
    }

    #[test]
    fn scales_fit_the_largest_value_and_map_to_the_plot() {
        let s = Scale::to_fit(37.2);
        assert_eq!(s, Scale { top: 40, step: 10 });
        assert_eq!(s.ticks().collect::<Vec<_>>(), vec![0, 10, 20, 30, 40]);
        assert_eq!(s.y(0.0), HEIGHT - BOTTOM);
        assert_eq!(s.y(40.0), TOP);
        assert_eq!(Scale::to_fit(0.0), Scale { top: 4, step: 1 });
    }

    #[test]
    fn days_sit_in_the_middle_of_their_band() {
        let plot_w = WIDTH - LEFT - RIGHT;
        assert_eq!(band_x(0, 1), LEFT + plot_w / 2.0);
        assert_eq!(band_x(1, 2), LEFT + plot_w * 0.75);
    }
}
