//! Ad performance arithmetic shared by the client's section and the dashboard: the KPIs (spend, clicks,
//! conversions and the ratios CTR, CPC, ROAS), their change against the previous period in words, and
//! the date ranges of the range picker. Pure; no views, no requests.

use audienceos_shared::integrations::AdMetrics;
use audienceos_shared::Money;
use chrono::{Duration, NaiveDate};

use crate::format;

/// The longest custom range the picker accepts, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// One number of the ad KPI row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdKpi {
    Spend,
    Clicks,
    Conversions,
    /// Clicks per impression.
    Ctr,
    /// Spend per click.
    Cpc,
    /// Revenue per unit of spend (only when a platform reports revenue).
    Roas,
}

impl AdKpi {
    /// The tile's label.
    pub fn label(self) -> &'static str {
        match self {
            AdKpi::Spend => "Spend",
            AdKpi::Clicks => "Clicks",
            AdKpi::Conversions => "Conversions",
            AdKpi::Ctr => "CTR",
            AdKpi::Cpc => "CPC",
            AdKpi::Roas => "ROAS",
        }
    }

    /// The value, or `None` where it is undefined (no impressions, no clicks, no revenue or no spend).
    /// Money is in cents.
    pub fn value(self, m: &AdMetrics) -> Option<f64> {
        let spend = m.spend.cents() as f64;
        match self {
            AdKpi::Spend => Some(spend),
            AdKpi::Clicks => Some(m.clicks as f64),
            AdKpi::Conversions => Some(m.conversions),
            AdKpi::Ctr => (m.impressions > 0).then(|| m.clicks as f64 / m.impressions as f64),
            AdKpi::Cpc => (m.clicks > 0).then(|| spend / m.clicks as f64),
            AdKpi::Roas => match m.revenue {
                Some(r) if m.spend.cents() > 0 => Some(r.cents() as f64 / spend),
                _ => None,
            },
        }
    }

    /// "$1,250.00", "1,234", "12.5", "2.35%", "$0.42", "3.20×"; "—" when undefined.
    pub fn text(self, m: &AdMetrics) -> String {
        let Some(v) = self.value(m) else {
            return "—".into();
        };
        match self {
            AdKpi::Spend => format::money(m.spend),
            AdKpi::Clicks => format::count(m.clicks),
            AdKpi::Conversions => conversions_text(v),
            AdKpi::Ctr => format!("{:.2}%", v * 100.0),
            AdKpi::Cpc => format::money(Money::from_cents(v.round() as i64)),
            AdKpi::Roas => format!("{v:.2}×"),
        }
    }

    /// Whether a rise is good news; `None` for spend, which is neither good nor bad by itself.
    pub fn higher_is_better(self) -> Option<bool> {
        match self {
            AdKpi::Spend => None,
            AdKpi::Cpc => Some(false),
            _ => Some(true),
        }
    }
}

/// "12" or "12.5": conversions may be fractional (attribution models split them).
pub fn conversions_text(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format::count(v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// How a KPI moved against the previous period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Up by this many percent.
    Up(f64),
    /// Down by this many percent.
    Down(f64),
    Flat,
    /// Nothing to compare with (no value before, or it was zero).
    NoBaseline,
}

/// The change from `previous` to `current`, in percent; under half a percent is flat.
pub fn change(current: Option<f64>, previous: Option<f64>) -> Change {
    match (current, previous) {
        (Some(c), Some(p)) if p.abs() > f64::EPSILON => {
            let pct = (c - p) / p * 100.0;
            if pct.abs() < 0.5 {
                Change::Flat
            } else if pct > 0.0 {
                Change::Up(pct)
            } else {
                Change::Down(-pct)
            }
        }
        (Some(c), Some(_)) if c.abs() <= f64::EPSILON => Change::Flat,
        _ => Change::NoBaseline,
    }
}

/// Good, bad or neutral news, so the view can colour it (the words carry it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Neutral,
}

/// Whether `change` of `kpi` is good news.
pub fn tone(kpi: AdKpi, change: Change) -> Tone {
    match (change, kpi.higher_is_better()) {
        (Change::Up(_), Some(true)) | (Change::Down(_), Some(false)) => Tone::Good,
        (Change::Up(_), Some(false)) | (Change::Down(_), Some(true)) => Tone::Bad,
        _ => Tone::Neutral,
    }
}

/// "Up 12% vs previous 30 days (better)", "No change vs previous 7 days", "No data for the previous 30 days".
pub fn change_text(kpi: AdKpi, change: Change, period_days: i64) -> String {
    let period = format!("previous {}", format::days(period_days));
    let word = match tone(kpi, change) {
        Tone::Good => " (better)",
        Tone::Bad => " (worse)",
        Tone::Neutral => "",
    };
    match change {
        Change::Up(p) => format!("Up {} vs {period}{word}", percent(p)),
        Change::Down(p) => format!("Down {} vs {period}{word}", percent(p)),
        Change::Flat => format!("No change vs {period}"),
        Change::NoBaseline => format!("No data for the {period}"),
    }
}

/// "12%", "0.8%", "1,250%".
fn percent(p: f64) -> String {
    if p < 10.0 && (p - p.round()).abs() >= 0.05 {
        format!("{p:.1}%")
    } else {
        format!("{}%", format::count(p.round() as i64))
    }
}

/// True when nothing ran in the range: no spend, impressions, clicks or conversions.
pub fn is_empty(m: &AdMetrics) -> bool {
    m.spend == Money::ZERO && m.impressions == 0 && m.clicks == 0 && m.conversions.abs() < f64::EPSILON
}

/// An inclusive range of calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The last `days` days up to and including `today`.
    pub fn last(today: NaiveDate, days: u32) -> Self {
        Self {
            from: today - Duration::days(i64::from(days.max(1)) - 1),
            to: today,
        }
    }

    /// A custom range from the picker's two date inputs (`YYYY-MM-DD`), or why it is not one.
    pub fn custom(from: &str, to: &str) -> Result<Self, &'static str> {
        let (Some(from), Some(to)) = (format::parse_day(from), format::parse_day(to)) else {
            return Err("Enter both dates.");
        };
        if from > to {
            return Err("The start date must be on or before the end date.");
        }
        let range = Self { from, to };
        if range.days() > MAX_RANGE_DAYS {
            return Err("Choose a range of at most 366 days.");
        }
        Ok(range)
    }

    /// The number of days in the range (both ends included).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(spend_cents: i64, impressions: i64, clicks: i64, conversions: f64, revenue: Option<i64>) -> AdMetrics {
        AdMetrics {
            spend: Money::from_cents(spend_cents),
            impressions,
            clicks,
            conversions,
            revenue: revenue.map(Money::from_cents),
        }
    }

    fn day(s: &str) -> NaiveDate {
        format::parse_day(s).unwrap()
    }

    #[test]
    fn ratios_are_computed_and_formatted() {
        let m = metrics(125_000, 40_000, 1_000, 52.0, Some(500_000));
        assert_eq!(AdKpi::Spend.text(&m), "$1,250.00");
        assert_eq!(AdKpi::Ctr.text(&m), "2.50%");
        assert_eq!(AdKpi::Cpc.text(&m), "$1.25");
        assert_eq!(AdKpi::Roas.text(&m), "4.00×");
        assert_eq!(AdKpi::Conversions.text(&m), "52");
        assert_eq!(conversions_text(12.46), "12.5");
    }

    #[test]
    fn undefined_ratios_read_as_a_dash() {
        let m = metrics(0, 0, 0, 0.0, None);
        assert_eq!(AdKpi::Ctr.value(&m), None);
        assert_eq!(AdKpi::Cpc.text(&m), "—");
        assert_eq!(AdKpi::Roas.value(&metrics(100, 1, 1, 0.0, None)), None);
        assert_eq!(AdKpi::Roas.value(&metrics(0, 1, 1, 0.0, Some(100))), None);
        assert!(is_empty(&m));
        assert!(!is_empty(&metrics(0, 10, 0, 0.0, None)));
    }

    #[test]
    fn cpc_rounds_to_whole_cents() {
        let m = metrics(1_000, 100, 3, 0.0, None);
        assert_eq!(AdKpi::Cpc.text(&m), "$3.33");
    }

    #[test]
    fn changes_are_percent_of_the_previous_value() {
        assert_eq!(change(Some(120.0), Some(100.0)), Change::Up(20.0));
        assert_eq!(change(Some(50.0), Some(100.0)), Change::Down(50.0));
        assert_eq!(change(Some(100.2), Some(100.0)), Change::Flat);
        assert_eq!(change(Some(5.0), Some(0.0)), Change::NoBaseline);
        assert_eq!(change(Some(0.0), Some(0.0)), Change::Flat);
        assert_eq!(change(None, Some(3.0)), Change::NoBaseline);
    }

    #[test]
    fn change_words_say_whether_it_is_good_news() {
        assert_eq!(
            change_text(AdKpi::Cpc, Change::Down(12.0), 30),
            "Down 12% vs previous 30 days (better)"
        );
        assert_eq!(
            change_text(AdKpi::Conversions, Change::Down(2.5), 7),
            "Down 2.5% vs previous 7 days (worse)"
        );
        assert_eq!(
            change_text(AdKpi::Spend, Change::Up(40.0), 30),
            "Up 40% vs previous 30 days"
        );
        assert_eq!(
            change_text(AdKpi::Spend, Change::NoBaseline, 1),
            "No data for the previous 1 day"
        );
    }

    #[test]
    fn ranges_cover_whole_days() {
        let r = DayRange::last(day("2026-03-30"), 30);
        assert_eq!(r.from, day("2026-03-01"));
        assert_eq!(r.days(), 30);
        assert_eq!(DayRange::last(day("2026-03-30"), 1).from, day("2026-03-30"));
        assert_eq!(DayRange::custom("2026-03-01", "2026-03-07").map(|r| r.days()), Ok(7));
        assert!(DayRange::custom("2026-03-08", "2026-03-07").is_err());
        assert!(DayRange::custom("", "2026-03-07").is_err());
        assert!(DayRange::custom("2025-01-01", "2026-03-07").is_err());
    }
}
