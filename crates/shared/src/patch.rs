//! Partial updates: in a PATCH body a field that is absent is left alone, `null` clears it and a value sets
//! it. `Option<Option<T>>` with [`double`] tells the three apart.

use serde::{Deserialize, Deserializer};

/// `#[serde(default, deserialize_with = "crate::patch::double", skip_serializing_if = "Option::is_none")]`
/// on an `Option<Option<T>>` field: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "super::double")]
        x: Option<Option<u8>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        assert_eq!(serde_json::from_str::<P>("{}").unwrap().x, None);
        assert_eq!(serde_json::from_str::<P>("{\"x\":null}").unwrap().x, Some(None));
        assert_eq!(serde_json::from_str::<P>("{\"x\":3}").unwrap().x, Some(Some(3)));
    }
}
