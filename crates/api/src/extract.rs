//! The JSON body and query string extractors every route uses instead of actix's own: the same parsing
//! (and the same problems: `415`, `413`, `400 malformed_json`, `400 invalid_body`, `400 invalid_query`),
//! plus one rule at the edge: no text may hold a control character such as NUL
//! (`audienceos_shared::validation::is_forbidden_char`), refused with `422` naming the field, the same
//! on every backend and before anything reaches a service.

use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{mime, web, FromRequest, HttpMessage as _, HttpRequest};
use audienceos_shared::validation::{find_forbidden_text, is_forbidden_char, FORBIDDEN_CHAR_MESSAGE};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code};

/// A JSON request body (`application/json` or `*/*+json`), within the body limit.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A JSON body that may be left out: `None` for an empty body, otherwise exactly what `Json` accepts
/// (a body that is sent but wrong is refused, never silently ignored).
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

/// A query string.
#[derive(Debug)]
pub struct Query<T>(pub T);

macro_rules! wrapper {
    ($name:ident) => {
        impl<T> $name<T> {
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T> DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }
    };
}
wrapper!(Json);
wrapper!(Query);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json(req, payload, false);
        Box::pin(async move {
            let value = body.await?.expect("a required body is never None");
            Ok(Json(value))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json(req, payload, true);
        Box::pin(async move { Ok(OptionalJson(body.await?)) })
    }
}

/// Read and parse a JSON body; with `optional`, an empty body is `None` whatever its content type.
fn read_json<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    optional: bool,
) -> LocalBoxFuture<'static, Result<Option<T>, ApiError>> {
    let is_json = req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
    });
    // `Bytes` reads within the `PayloadConfig` limit, which is the JSON limit.
    let body = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !is_json && !optional {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
            Some(PayloadError::Overflow) => ApiError::PayloadTooLarge,
            _ => ApiError::new(Code::MalformedJson, "The request body could not be read."),
        })?;
        if optional && bytes.is_empty() {
            return Ok(None);
        }
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse_json(&bytes).map(Some)
    })
}

/// Parse a JSON body, refusing control characters in any string or key first.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // A control character can only reach a JSON string escaped (`\u0000`, `\b`, `\f`) or, for DEL, raw;
    // only then is the body walked.
    let may_hold = bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|w| w[0] == b'\\' && matches!(w[1], b'u' | b'b' | b'f'));
    if may_hold {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(field) = find_forbidden_text(&value) {
                return Err(ApiError::field(&field, "control_character", FORBIDDEN_CHAR_MESSAGE));
            }
        }
    }
    // Every JSON body of this API is an object; serde would map an array onto a struct's fields in order.
    if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b != b'{')
    {
        return Err(ApiError::new(Code::InvalidBody, "The JSON body must be an object."));
    }
    // JSON has one number type: `30.0` is the integer 30 to JSON Schema (and to the document), so a
    // whole float is read as an integer. Only bodies with a `.` are walked.
    let parsed = if bytes.contains(&b'.') {
        serde_json::from_slice::<serde_json::Value>(bytes).and_then(|mut value| {
            integral_floats_to_integers(&mut value);
            serde_json::from_value(value)
        })
    } else {
        serde_json::from_slice(bytes)
    };
    parsed.map_err(|e| {
        if e.is_data() {
            ApiError::new(
                Code::InvalidBody,
                format!("The JSON body does not match the expected shape: {e}"),
            )
        } else {
            ApiError::new(Code::MalformedJson, "The request body is not valid JSON.")
        }
    })
}

/// `30.0` becomes `30` wherever it stands (within `i64`); other numbers stay as they are.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *value = serde_json::Value::from(f as i64);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query).map_err(Into::into))
    }
}

/// Parse a query string, refusing control characters in any name or (decoded) value first.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name.chars().chain(value.chars()).any(is_forbidden_char) {
            let field = name.replace(is_forbidden_char, "\u{FFFD}");
            return Err(ApiError::field(&field, "control_character", FORBIDDEN_CHAR_MESSAGE));
        }
    }
    web::Query::<T>::from_query(query)
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::new(Code::InvalidQuery, format!("The query string is invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn control_characters_are_refused_with_the_field_named() {
        let err = parse_json::<serde_json::Value>(br#"{"name":"a\u0000b"}"#).unwrap_err();
        assert_eq!(err.code(), Code::ValidationFailed);
        assert_eq!(err.problem().errors[0].field, "name");
        let err = parse_query::<BTreeMap<String, String>>("q=%00&page=1").unwrap_err();
        assert_eq!(err.problem().errors[0].field, "q");
        assert!(parse_json::<serde_json::Value>(br#"{"name":"caf\u00e9\n"}"#).is_ok());
        assert!(parse_query::<BTreeMap<String, String>>("q=caf%C3%A9").is_ok());
    }

    #[test]
    fn shapes_and_syntax_keep_their_codes() {
        #[derive(serde::Deserialize, Debug)]
        struct Named {
            #[allow(dead_code)]
            name: String,
        }
        assert_eq!(parse_json::<Named>(b"{").unwrap_err().code(), Code::MalformedJson);
        assert_eq!(
            parse_json::<Named>(br#"{"name":1}"#).unwrap_err().code(),
            Code::InvalidBody
        );
        assert_eq!(parse_query::<Named>("nom=x").unwrap_err().code(), Code::InvalidQuery);
    }
}
