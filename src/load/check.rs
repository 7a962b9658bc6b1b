//! The shape every token response of a load run must have.
//!
//! Under load the question is narrower than the suite's: does each success response still look
//! like one? Status 200, a JSON object with `Content-Type: application/json`, a non-empty
//! `access_token` string (three segments for JWTs), `token_type` exactly `Bearer`, `expires_in`
//! equal to the configured validity in the profile's unit, `Cache-Control: no-store`, and a
//! `refresh_token` where the refresh loop needs one. Uniqueness and signatures need state across
//! responses and live in the worker. Details never quote token values.

use std::fmt;

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap};
use serde::Serialize;
use serde_json::{Map, Value};

/// One kind of rule a response can break; the report counts them separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    Status,
    ContentType,
    NotJson,
    CacheControl,
    AccessToken,
    JwtShape,
    TokenType,
    ExpiresIn,
    RefreshToken,
    Signature,
    Duplicate,
}

impl ViolationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::Status => "status",
            ViolationKind::ContentType => "content_type",
            ViolationKind::NotJson => "not_json",
            ViolationKind::CacheControl => "cache_control",
            ViolationKind::AccessToken => "access_token",
            ViolationKind::JwtShape => "jwt_shape",
            ViolationKind::TokenType => "token_type",
            ViolationKind::ExpiresIn => "expires_in",
            ViolationKind::RefreshToken => "refresh_token",
            ViolationKind::Signature => "signature",
            ViolationKind::Duplicate => "duplicate",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A broken rule, with a detail that is safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub kind: ViolationKind,
    pub detail: String,
}

impl Violation {
    pub fn new(kind: ViolationKind, detail: impl Into<String>) -> Self {
        Violation {
            kind,
            detail: detail.into(),
        }
    }
}

/// What a good response must contain, beyond the fixed rules.
#[derive(Debug, Clone)]
pub struct Expectation<'a> {
    /// Accepted `expires_in` values.
    pub expires_in: &'a [u64],
    /// Name of the unit, for messages.
    pub unit: &'a str,
    /// The access token must be a JWT (three segments).
    pub jwt: bool,
    /// A `refresh_token` string must be present.
    pub refresh_token: bool,
}

/// The tokens of a response, when present (even if other rules failed).
#[derive(Debug, Default)]
pub struct Tokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
}

/// Judges one response. Returns the tokens it carried and every rule it broke.
pub fn check(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    expect: &Expectation<'_>,
) -> (Tokens, Vec<Violation>) {
    let mut violations = Vec::new();
    let mut tokens = Tokens::default();
    let object = serde_json::from_slice::<Map<String, Value>>(body).ok();

    if status != 200 {
        let error = object
            .as_ref()
            .and_then(|o| o.get("error"))
            .and_then(Value::as_str)
            .map(|e| format!(" ({})", clip(e)))
            .unwrap_or_default();
        violations.push(Violation::new(
            ViolationKind::Status,
            format!("status {status}{error}, expected 200"),
        ));
        return (tokens, violations);
    }

    if !no_store(headers) {
        violations.push(Violation::new(
            ViolationKind::CacheControl,
            match header_text(headers, CACHE_CONTROL) {
                Some(v) => format!("Cache-Control `{}` lacks no-store", clip(&v)),
                None => "no Cache-Control header (expected no-store)".to_owned(),
            },
        ));
    }
    if !is_json(headers) {
        violations.push(Violation::new(
            ViolationKind::ContentType,
            match header_text(headers, CONTENT_TYPE) {
                Some(v) => format!("Content-Type `{}`, expected application/json", clip(&v)),
                None => "no Content-Type header (expected application/json)".to_owned(),
            },
        ));
    }
    let Some(object) = object else {
        violations.push(Violation::new(
            ViolationKind::NotJson,
            format!("body of {} bytes is not a JSON object", body.len()),
        ));
        return (tokens, violations);
    };

    match object.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => {
            if expect.jwt && !jwt_shaped(s) {
                violations.push(Violation::new(
                    ViolationKind::JwtShape,
                    "access_token is not three base64url segments",
                ));
            }
            tokens.access_token = Some(s.clone());
        }
        Some(Value::String(_)) => violations.push(Violation::new(
            ViolationKind::AccessToken,
            "access_token is empty",
        )),
        Some(other) => violations.push(Violation::new(
            ViolationKind::AccessToken,
            format!("access_token is a {}, expected a string", type_name(other)),
        )),
        None => violations.push(Violation::new(
            ViolationKind::AccessToken,
            "access_token is missing",
        )),
    }

    match object.get("token_type") {
        Some(Value::String(s)) if s == "Bearer" => {}
        Some(Value::String(s)) => violations.push(Violation::new(
            ViolationKind::TokenType,
            format!("token_type `{}`, expected `Bearer`", clip(s)),
        )),
        Some(other) => violations.push(Violation::new(
            ViolationKind::TokenType,
            format!(
                "token_type is a {}, expected the string `Bearer`",
                type_name(other)
            ),
        )),
        None => violations.push(Violation::new(
            ViolationKind::TokenType,
            "token_type is missing",
        )),
    }

    let expected = || {
        expect
            .expires_in
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match object.get("expires_in") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| expect.expires_in.contains(&v)) => {}
        Some(Value::Number(n)) => violations.push(Violation::new(
            ViolationKind::ExpiresIn,
            format!("expires_in {n}, expected {} ({})", expected(), expect.unit),
        )),
        Some(other) => violations.push(Violation::new(
            ViolationKind::ExpiresIn,
            format!("expires_in is a {}, expected an integer", type_name(other)),
        )),
        None => violations.push(Violation::new(
            ViolationKind::ExpiresIn,
            format!(
                "expires_in is missing, expected {} ({})",
                expected(),
                expect.unit
            ),
        )),
    }

    match object.get("refresh_token") {
        Some(Value::String(s)) if !s.is_empty() => tokens.refresh_token = Some(s.clone()),
        _ if !expect.refresh_token => {}
        Some(_) => violations.push(Violation::new(
            ViolationKind::RefreshToken,
            "refresh_token is not a non-empty string",
        )),
        None => violations.push(Violation::new(
            ViolationKind::RefreshToken,
            "refresh_token is missing although the fixture allows refresh",
        )),
    }

    (tokens, violations)
}

/// `Cache-Control` carries the `no-store` directive (in any of its header lines).
fn no_store(headers: &HeaderMap) -> bool {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
}

/// `Content-Type` is `application/json`, parameters allowed.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Three non-empty base64url segments.
fn jwt_shaped(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value quoted in a message: at most 40 characters, control characters dropped.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(cache: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(c) = cache {
            h.insert(CACHE_CONTROL, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    const EXPECT: Expectation<'static> = Expectation {
        expires_in: &[60_000],
        unit: "milliseconds",
        jwt: true,
        refresh_token: true,
    };

    fn kinds(v: &[Violation]) -> Vec<ViolationKind> {
        v.iter().map(|v| v.kind).collect()
    }

    #[test]
    fn a_good_response_passes_and_yields_its_tokens() {
        let body = br#"{"access_token":"aGVh.cGF5.c2ln","token_type":"Bearer","expires_in":60000,"refresh_token":"r-1"}"#;
        let (tokens, v) = check(200, &headers(Some("no-store")), body, &EXPECT);
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(tokens.access_token.as_deref(), Some("aGVh.cGF5.c2ln"));
        assert_eq!(tokens.refresh_token.as_deref(), Some("r-1"));
    }

    #[test]
    fn each_broken_rule_is_named() {
        let body = br#"{"access_token":"opaque","token_type":"bearer","expires_in":60}"#;
        let (_, v) = check(200, &headers(Some("private, max-age=0")), body, &EXPECT);
        assert_eq!(
            kinds(&v),
            vec![
                ViolationKind::CacheControl,
                ViolationKind::JwtShape,
                ViolationKind::TokenType,
                ViolationKind::ExpiresIn,
                ViolationKind::RefreshToken,
            ]
        );
        assert_eq!(v[3].detail, "expires_in 60, expected 60000 (milliseconds)");
    }

    #[test]
    fn an_error_status_is_one_violation_and_names_the_error_code() {
        let body = br#"{"error":"invalid_client","error_description":"x"}"#;
        let (tokens, v) = check(401, &headers(Some("no-store")), body, &EXPECT);
        assert!(tokens.access_token.is_none());
        assert_eq!(kinds(&v), vec![ViolationKind::Status]);
        assert_eq!(v[0].detail, "status 401 (invalid_client), expected 200");
    }

    #[test]
    fn html_is_not_json_and_token_values_never_reach_details() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let (_, v) = check(200, &h, b"<html>secret</html>", &EXPECT);
        assert_eq!(
            kinds(&v),
            vec![
                ViolationKind::CacheControl,
                ViolationKind::ContentType,
                ViolationKind::NotJson
            ]
        );
        let body = br#"{"access_token":"s3cr3t.t0k3n","token_type":"Bearer","expires_in":1}"#;
        let (_, v) = check(200, &headers(Some("no-store")), body, &EXPECT);
        assert!(v.iter().all(|v| !v.detail.contains("s3cr3t")), "{v:?}");
    }
}
