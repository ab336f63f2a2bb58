//! Display helpers: instants and calendar dates in the agency's time zone (through the browser's `Intl`),
//! money, and names of audit outcomes. Pure formatting; no state, no requests.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use wasm_bindgen::{JsCast, JsValue};

/// "Mar 4, 2026, 14:05" in `time_zone` (an IANA name); UTC when the browser does not know the zone.
pub fn date_time(at: &DateTime<Utc>, time_zone: &str) -> String {
    intl_format(at, time_zone, true).unwrap_or_else(|| at.format("%b %-d, %Y, %H:%M UTC").to_string())
}

/// "Mar 4, 2026" in `time_zone`.
pub fn date(at: &DateTime<Utc>, time_zone: &str) -> String {
    intl_format(at, time_zone, false).unwrap_or_else(|| at.format("%b %-d, %Y").to_string())
}

/// `new Intl.DateTimeFormat(undefined, {..., timeZone}).format(at)`; `None` if anything throws
/// (an unknown time zone throws a RangeError).
fn intl_format(at: &DateTime<Utc>, time_zone: &str, with_time: bool) -> Option<String> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).ok();
    set("timeZone", time_zone)?;
    set("year", "numeric")?;
    set("month", "short")?;
    set("day", "numeric")?;
    if with_time {
        set("hour", "2-digit")?;
        set("minute", "2-digit")?;
        set("hourCycle", "h23")?;
    }
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let formatter = js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&JsValue::UNDEFINED, &options)).ok()?;
    let format = js_sys::Reflect::get(&formatter, &"format".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format.call1(&formatter, &date).ok()?.as_string()
}

/// "Mar 4, 2026" for a calendar date (no time zone: due dates are dates, not instants). Written out
/// rather than with `format("%b %-d, %Y")`, whose format-string machinery the intake form's small module
/// would otherwise carry.
pub fn day(d: NaiveDate) -> String {
    let year = d.year();
    if (0..=9999).contains(&year) {
        format!("{} {}, {year:04}", month_abbr(d), d.day())
    } else {
        format!("{} {}, {year:+05}", month_abbr(d), d.day())
    }
}

/// "Mar" for a date in March (`%b`).
fn month_abbr(d: NaiveDate) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[d.month0() as usize]
}

/// "Mar 4" for a date in the current year, else "Mar 4, 2026".
pub fn short_day(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        format!("{} {}", month_abbr(d), d.day())
    } else {
        day(d)
    }
}

/// "Monday, March 4, 2026": the accessible name of a calendar day.
pub fn long_day(d: NaiveDate) -> String {
    d.format("%A, %B %-d, %Y").to_string()
}

/// `YYYY-MM-DD`, as `<input type=date>` and the API use.
pub fn iso_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    audienceos_shared::validation::iso_date(s.trim())
}

/// The wall-clock date and time of `at` in `time_zone`; `None` when `Intl` does not know the zone.
pub fn wall_clock(at: &DateTime<Utc>, time_zone: &str) -> Option<NaiveDateTime> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).ok();
    set("timeZone", time_zone)?;
    for k in ["year", "month", "day", "hour", "minute", "second"] {
        set(k, "numeric")?;
    }
    set("hourCycle", "h23")?;
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let formatter =
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&JsValue::from_str("en-US"), &options)).ok()?;
    let to_parts = js_sys::Reflect::get(&formatter, &"formatToParts".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let parts = to_parts
        .call1(&formatter, &date)
        .ok()?
        .dyn_into::<js_sys::Array>()
        .ok()?;
    let mut n = [0u32; 6];
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = js_sys::Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        let slot = ["year", "month", "day", "hour", "minute", "second"]
            .iter()
            .position(|k| *k == kind);
        if let Some(i) = slot {
            n[i] = value.parse().ok()?;
        }
    }
    let date = NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])?;
    let time = NaiveTime::from_hms_opt(n[3] % 24, n[4], n[5])?;
    Some(NaiveDateTime::new(date, time))
}

/// Today's date in the agency's time zone (UTC when the zone is unknown).
pub fn today(time_zone: &str) -> NaiveDate {
    let now = Utc::now();
    wall_clock(&now, time_zone)
        .map(|t| t.date())
        .unwrap_or_else(|| now.date_naive())
}

/// The instant at which the wall clock in `time_zone` shows `local` (UTC when the zone is unknown).
/// Two rounds of "guess, measure the offset, correct" settle daylight-saving edges.
pub fn zoned_to_utc(local: NaiveDateTime, time_zone: &str) -> DateTime<Utc> {
    let mut guess = local.and_utc();
    for _ in 0..2 {
        match wall_clock(&guess, time_zone) {
            Some(seen) => guess += local - seen,
            None => break,
        }
    }
    guess
}

/// `d` at `hour`:00 in the agency's time zone.
pub fn at_hour(d: NaiveDate, hour: u32, time_zone: &str) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN);
    zoned_to_utc(NaiveDateTime::new(d, time), time_zone)
}

/// The Monday after `d` (a week from `d` when `d` is a Monday).
pub fn next_monday(d: NaiveDate) -> NaiveDate {
    let ahead = 7 - i64::from(d.weekday().num_days_from_monday());
    d + Duration::days(ahead)
}

/// The first day of `d`'s week (Monday).
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The same day `months` months later (or earlier), clamped to the end of shorter months.
pub fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    (1..=d.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month0 + 1, day))
        .unwrap_or(d)
}

/// Short weekday names from Monday, for calendar headers.
pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "Mo", "Monday"),
    (Weekday::Tue, "Tu", "Tuesday"),
    (Weekday::Wed, "We", "Wednesday"),
    (Weekday::Thu, "Th", "Thursday"),
    (Weekday::Fri, "Fr", "Friday"),
    (Weekday::Sat, "Sa", "Saturday"),
    (Weekday::Sun, "Su", "Sunday"),
];

/// A whole number with thousands separators: 12,345.
pub fn count(n: i64) -> String {
    let grouped = group_digits(&n.unsigned_abs().to_string());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// "$1,250.00" for an exact amount.
pub fn money(m: audienceos_shared::Money) -> String {
    let text = m.to_string();
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    format!("${}.{cents}", group_digits(whole))
}

/// Commas every three digits from the right.
fn group_digits(digits: &str) -> String {
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// "just now", "5 min ago", "3 h ago", "2 days ago" (then the date) for an instant before `now`.
/// An instant slightly in the future (clock skew between browser and server) reads "just now".
pub fn relative(at: &DateTime<Utc>, now: &DateTime<Utc>, time_zone: &str) -> String {
    let secs = (*now - *at).num_seconds();
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        s if s < 7 * 86_400 => {
            let d = s / 86_400;
            if d == 1 {
                "yesterday".into()
            } else {
                format!("{d} days ago")
            }
        }
        _ => format!("on {}", date(at, time_zone)),
    }
}

/// "1 day" / "3 days".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// "Success", "Failure", "Denied" for the audit log's `outcome`; other values are capitalised.
pub fn outcome_label(outcome: &str) -> String {
    match outcome {
        "success" => "Success".into(),
        "failure" => "Failure".into(),
        "denied" => "Denied".into(),
        other => capitalise(&other.replace('_', " ")),
    }
}

/// "auth.login" -> "Auth · login", "api_key.created" -> "API key · created": readable, while the
/// stable name is shown next to it.
pub fn action_label(action: &str) -> String {
    let words = |s: &str| {
        let s = s.replace('_', " ");
        match s.strip_prefix("api ") {
            Some(rest) => format!("API {rest}"),
            None => capitalise(&s),
        }
    };
    match action.split_once('.') {
        Some((scope, verb)) => format!("{} · {}", words(scope), verb.replace(['_', '.'], " ")),
        None => words(action),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_the_format_strings_write_them() {
        for (y, m, d) in [(2026, 3, 4), (2026, 12, 31), (999, 1, 1), (10000, 6, 15), (-5, 2, 9)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(day(date), date.format("%b %-d, %Y").to_string());
            assert_eq!(short_day(date, date), date.format("%b %-d").to_string());
        }
        assert_eq!(day(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()), "Mar 4, 2026");
    }

    #[test]
    fn calendar_arithmetic() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(add_months(d, 1), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(add_months(d, -2), NaiveDate::from_ymd_opt(2025, 11, 30).unwrap());
        let wed = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(next_monday(wed), NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        assert_eq!(week_start(wed), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        let mon = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(next_monday(mon), NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-1200), "-1,200");
    }

    #[test]
    fn money_is_grouped() {
        use audienceos_shared::Money;
        assert_eq!(money(Money::from_cents(125_000_005)), "$1,250,000.05");
        assert_eq!(money(Money::from_cents(99)), "$0.99");
        assert_eq!(money(Money::from_cents(100_000)), "$1,000.00");
    }

    #[test]
    fn relative_times_read_as_words() {
        let now = "2026-03-04T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let ago = |secs: i64| relative(&(now - Duration::seconds(secs)), &now, "UTC");
        assert_eq!(ago(-30), "just now");
        assert_eq!(ago(59), "just now");
        assert_eq!(ago(5 * 60 + 10), "5 min ago");
        assert_eq!(ago(3 * 3_600), "3 h ago");
        assert_eq!(ago(86_400 + 5), "yesterday");
        assert_eq!(ago(3 * 86_400), "3 days ago");
    }

    #[test]
    fn labels_are_words() {
        assert_eq!(outcome_label("denied"), "Denied");
        assert_eq!(outcome_label("rate_limited"), "Rate limited");
        assert_eq!(action_label("api_key.created"), "API key · created");
        assert_eq!(action_label("auth.login"), "Auth · login");
    }
}
