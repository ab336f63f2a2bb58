//! The dashboard's trend chart, drawn as SVG by us: one line per series (new clients, stage moves,
//! tasks completed, alerts raised), each with its own colour *and* dash pattern, y and x axes with
//! ticks, a legend, and a `<title>` on every point. The `viewBox` scales to the container's width.

use audienceos_shared::dashboard::TrendPoint;
use leptos::prelude::*;

// About the width the chart is drawn at in its dashboard column, so 11px text stays about 11px.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One line of the chart.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    pub name: &'static str,
    /// A CSS class setting stroke colour and dash pattern.
    pub class: &'static str,
    pub value: fn(&TrendPoint) -> i64,
}

/// The four series of the dashboard, in legend order.
pub const SERIES: [Series; 4] = [
    Series {
        name: "New clients",
        class: "series-1",
        value: |p| p.new_clients,
    },
    Series {
        name: "Stage moves",
        class: "series-2",
        value: |p| p.stage_moves,
    },
    Series {
        name: "Tasks completed",
        class: "series-3",
        value: |p| p.tasks_completed,
    },
    Series {
        name: "Alerts raised",
        class: "series-4",
        value: |p| p.alerts_raised,
    },
];

/// A "nice" top for the y axis (1, 2, 5 × 10^n) at or above `max`, and its tick step.
pub fn nice_scale(max: i64) -> (i64, i64) {
    if max <= 4 {
        return (4, 1);
    }
    let raw_step = (max as f64 / 4.0).ceil();
    let magnitude = 10f64.powi(raw_step.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * magnitude) as i64;
    let top = ((max + step - 1) / step) * step;
    (top, step)
}

/// The trend chart for `points` (one per day, in order).
#[component]
pub fn TrendChart(points: Vec<TrendPoint>, #[prop(into)] title: String) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="muted">"No days in this range."</p> }.into_any();
    }
    let max = points
        .iter()
        .flat_map(|p| SERIES.iter().map(move |s| (s.value)(p)))
        .max()
        .unwrap_or(0);
    let (top, step) = nice_scale(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = points.len();
    let x = move |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = move |v: i64| TOP + plot_h - plot_h * v as f64 / top as f64;

    let grid = (0..=top / step)
        .map(|k| {
            let v = k * step;
            view! {
                <g class="chart-tick">
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y(v) y2=y(v) class="chart-grid"></line>
                    <text x=LEFT - 6.0 y=y(v) + 4.0 text-anchor="end">{v}</text>
                </g>
            }
        })
        .collect_view();
    // About five date labels along the x axis, always including the last day (and not one just before it).
    let every = n.div_ceil(5).max(1);
    let x_labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| (i % every == 0 && (n - 1 - i >= every / 2 || *i == 0)) || *i == n - 1)
        .map(|(i, p)| {
            let anchor = if i == 0 {
                "start"
            } else if i == n - 1 {
                "end"
            } else {
                "middle"
            };
            view! {
                <text x=x(i) y=HEIGHT - 8.0 text-anchor=anchor>{p.date.format("%b %-d").to_string()}</text>
            }
        })
        .collect_view();
    let lines = SERIES
        .iter()
        .map(|s| {
            let path: Vec<String> = points
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{:.1},{:.1}", x(i), y((s.value)(p))))
                .collect();
            let dots = points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let v = (s.value)(p);
                    view! {
                        <circle cx=x(i) cy=y(v) r="3" class="chart-point">
                            <title>{format!("{}: {} on {}", s.name, v, p.date.format("%b %-d, %Y"))}</title>
                        </circle>
                    }
                })
                .collect_view();
            view! {
                <g class=format!("chart-series {}", s.class)>
                    <polyline points=path.join(" ") fill="none"></polyline>
                    {dots}
                </g>
            }
        })
        .collect_view();
    let legend = SERIES
        .iter()
        .map(|s| {
            view! {
                <li class=format!("chart-legend-item {}", s.class)>
                    <svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true">
                        <line x1="0" x2="24" y1="4" y2="4"></line>
                    </svg>
                    {s.name}
                </li>
            }
        })
        .collect_view();
    let totals: Vec<String> = SERIES
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                points.iter().map(|p| (s.value)(p)).sum::<i64>(),
                s.name.to_lowercase()
            )
        })
        .collect();
    let summary = format!("{title}: {}.", totals.join(", "));

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
                <line x1=LEFT x2=LEFT y1=TOP y2=TOP + plot_h class="chart-axis"></line>
                <line x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h class="chart-axis"></line>
                <g class="chart-x-labels">{x_labels}</g>
                {lines}
            </svg>
            <figcaption>
                <ul class="chart-legend" aria-label="Legend">{legend}</ul>
            </figcaption>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(0), (4, 1));
        assert_eq!(nice_scale(7), (8, 2));
        assert_eq!(nice_scale(37), (40, 10));
        assert_eq!(nice_scale(101), (150, 50));
    }
}
