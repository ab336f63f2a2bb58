//! Exact money amounts: whole cents on the inside, a decimal string such as `"1250.00"` on the wire, so no
//! float ever rounds a client's spend.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of money in cents, never negative in this product, at most 999 999 999 999.99.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// The largest amount accepted, in cents.
pub const MAX_CENTS: i64 = 99_999_999_999_999;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

/// Why a string is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyError(pub &'static str);

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Accepts `1250`, `1250.5`, `1250.50`, `1,250.50` (thousands commas ignored), with an optional `$`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t: String = s.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Err(MoneyError("must be an amount such as 1250.00"));
        }
        if t.starts_with('-') {
            return Err(MoneyError("must not be negative"));
        }
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(MoneyError("must be an amount such as 1250.00"));
        }
        if frac.len() > 2 {
            return Err(MoneyError("must have at most 2 decimals"));
        }
        if whole.len() > 12 {
            return Err(MoneyError("is too large"));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError("is too large"))?
        };
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
        let cents = whole * 100 + frac;
        if cents > MAX_CENTS {
            return Err(MoneyError("is too large"));
        }
        Ok(Money(cents))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Number(n) => n.to_string(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::schema::Type::String,
                utoipa::openapi::schema::Type::Number,
            ]))
            .description(Some(
                "An exact amount with at most two decimals: answered as a string; accepted as a string \
                 (`1250.00`, `1,250.5`, `$1250`) or a number",
            ))
            .examples([serde_json::json!("1250.00")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (input, cents, shown) in [
            ("0", 0, "0.00"),
            ("1250", 125_000, "1250.00"),
            ("1250.5", 125_050, "1250.50"),
            ("$1,250.05", 125_005, "1250.05"),
            (".99", 99, "0.99"),
            ("0.1", 10, "0.10"),
        ] {
            let m: Money = input.parse().unwrap();
            assert_eq!(m.cents(), cents, "{input}");
            assert_eq!(m.to_string(), shown);
        }
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["", "-1", "1.234", "abc", "1.2.3", "1e5", ".", "9999999999999"] {
            assert!(bad.parse::<Money>().is_err(), "{bad}");
        }
    }

    #[test]
    fn json_accepts_strings_and_numbers() {
        let m: Money = serde_json::from_str("\"12.30\"").unwrap();
        assert_eq!(m.cents(), 1230);
        let m: Money = serde_json::from_str("12.3").unwrap();
        assert_eq!(m.cents(), 1230);
        assert_eq!(serde_json::to_string(&Money::from_cents(5)).unwrap(), "\"0.05\"");
    }
}
