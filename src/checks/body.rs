//! Body rules of token and error responses: field presence, JSON types, fixed values, error codes.
//!
//! The field set is the documented one (digest 2.2/3.2: `access_token`, `token_type`,
//! `expires_in`, `refresh_token`, `scope`); `X-...` fields (digest 11.1) are ignored here and
//! reported by the shape check.

use super::{Violation, json_type, one_of};
use crate::checks::headers::body_excerpt;
use crate::client::ResponseRecord;

/// The fields of a successful token response, validated for presence and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFields {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

/// The body is a JSON object.
pub fn json_object(
    resp: &ResponseRecord,
) -> Result<&serde_json::Map<String, serde_json::Value>, Violation> {
    match &resp.json {
        Some(serde_json::Value::Object(m)) => Ok(m),
        Some(other) => Err(Violation::new(
            "the body is a JSON object",
            "object",
            json_type(other),
        )),
        None => Err(Violation::new(
            "the body is a JSON object",
            "a JSON object",
            body_excerpt(&resp.body),
        )),
    }
}

/// A successful token response: `access_token` a non-empty string, `token_type` a string that
/// is Bearer (RFC 6749 §7.1: case-insensitive; the exact spelling is a separate rule),
/// `expires_in` a non-negative integer, `refresh_token` and `scope` strings when present.
pub fn token_fields(resp: &ResponseRecord) -> Result<TokenFields, Violation> {
    let m = json_object(resp)?;
    let access_token = required_str(m, "access_token")?;
    if access_token.is_empty() {
        return Err(Violation::new(
            "access_token is not empty",
            "a token",
            "\"\"",
        ));
    }
    let token_type = required_str(m, "token_type")?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(Violation::new(
            "token_type is Bearer",
            "Bearer",
            format!("{token_type:?}"),
        ));
    }
    let expires_in = match m.get("expires_in") {
        None => return Err(missing("expires_in", "integer")),
        Some(v) => v.as_u64().ok_or_else(|| {
            Violation::new(
                "expires_in is a non-negative integer",
                "integer",
                format!("{} {v}", json_type(v)),
            )
        })?,
    };
    Ok(TokenFields {
        access_token: access_token.to_owned(),
        token_type: token_type.to_owned(),
        expires_in,
        refresh_token: optional_str(m, "refresh_token")?.map(str::to_owned),
        scope: optional_str(m, "scope")?.map(str::to_owned),
    })
}

/// `token_type` is exactly `Bearer`, as the docs write it ("Always `Bearer`", digest 2.2).
pub fn token_type_exact(fields: &TokenFields) -> Result<(), Violation> {
    if fields.token_type == "Bearer" {
        Ok(())
    } else {
        Err(Violation::new(
            "token_type is exactly \"Bearer\"",
            "\"Bearer\"",
            format!("{:?}", fields.token_type),
        ))
    }
}

/// `expires_in` equals the configured validity in the profile's unit (0 when immortal).
pub fn expires_in_is(fields: &TokenFields, expected: u64, unit: &str) -> Result<(), Violation> {
    if fields.expires_in == expected {
        Ok(())
    } else {
        Err(Violation::new(
            format!("expires_in is the configured validity in {unit}"),
            expected.to_string(),
            fields.expires_in.to_string(),
        ))
    }
}

/// An error response: a JSON object with a string `error` and, if present, a string
/// `error_description` (digest 2.3/3.3, RFC 6749 §5.2). Returns the code.
pub fn error_shape(resp: &ResponseRecord) -> Result<String, Violation> {
    let m = json_object(resp).map_err(|v| {
        Violation::new(
            "an error response is {error, error_description} JSON",
            v.expected,
            v.actual,
        )
    })?;
    let code = required_str(m, "error")?;
    optional_str(m, "error_description")?;
    Ok(code.to_owned())
}

/// The error code is one of the documented `codes`.
pub fn error_code_in(resp: &ResponseRecord, codes: &[&str]) -> Result<(), Violation> {
    let code = error_shape(resp)?;
    if codes.contains(&code.as_str()) {
        Ok(())
    } else {
        let quoted: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
        Err(Violation::new(
            format!("error code in {{{}}}", codes.join(", ")),
            one_of(&quoted),
            format!("\"{code}\""),
        ))
    }
}

fn missing(field: &str, ty: &str) -> Violation {
    Violation::new(
        format!("{field} is present"),
        format!("a {ty} field `{field}`"),
        "absent",
    )
}

fn required_str<'a>(
    m: &'a serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<&'a str, Violation> {
    match m.get(field) {
        None => Err(missing(field, "string")),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(v) => Err(Violation::new(
            format!("{field} is a string"),
            "string",
            json_type(v),
        )),
    }
}

fn optional_str<'a>(
    m: &'a serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<Option<&'a str>, Violation> {
    match m.get(field) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Violation::new(
            format!("{field} is a string when present"),
            "string",
            json_type(v),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::response;
    use serde_json::json;

    #[test]
    fn a_good_token_response_parses() {
        let r = response(
            200,
            &[],
            json!({"access_token": "t", "token_type": "bearer", "expires_in": 60000}),
        );
        let f = token_fields(&r).expect("valid");
        assert_eq!(f.expires_in, 60000);
        assert!(
            token_type_exact(&f).is_err(),
            "lower-case bearer is accepted, but not exact"
        );
    }

    #[test]
    fn wrong_types_are_named() {
        let r = response(
            200,
            &[],
            json!({"access_token": "t", "token_type": "Bearer", "expires_in": "60"}),
        );
        let v = token_fields(&r).expect_err("string expires_in");
        assert!(v.actual.starts_with("string"), "{v}");
        let r = response(
            200,
            &[],
            json!({"access_token": "t", "token_type": "MAC", "expires_in": 1}),
        );
        assert_eq!(
            token_fields(&r).expect_err("MAC").rule,
            "token_type is Bearer"
        );
        let r = response(200, &[], json!({"token_type": "Bearer", "expires_in": 1}));
        assert_eq!(
            token_fields(&r).expect_err("no token").rule,
            "access_token is present"
        );
    }

    #[test]
    fn error_codes_name_the_accepted_set() {
        let r = response(
            400,
            &[],
            json!({"error": "invalid_request", "error_description": "x"}),
        );
        let v = error_code_in(&r, &["unsupported_grant_type", "invalid_grant"])
            .expect_err("not in set");
        assert_eq!(
            v.expected,
            "\"unsupported_grant_type\" or \"invalid_grant\""
        );
        assert!(error_code_in(&r, &["invalid_request"]).is_ok());
        let r = response(400, &[], json!({"error": 3}));
        assert!(error_shape(&r).is_err());
    }
}
