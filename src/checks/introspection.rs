//! Introspection answers (RFC 7662; digest 5, [INT]).
//!
//! An active answer is a JSON object with `active: true`, the introspecting client's `client_id`
//! (a client only ever sees its own tokens), `token_type` Bearer when present, `exp` in the future
//! when present, and string `scope`. Anything not active must be exactly `{"active": false}`:
//! the docs say so, and extra fields would leak facts about tokens the caller does not own.

use super::body::json_object;
use super::{Violation, json_type};
use crate::client::ResponseRecord;

/// An active token of `client_id`, judged at `now` (epoch seconds).
pub fn active(resp: &ResponseRecord, client_id: &str, now: u64) -> Result<(), Violation> {
    let m = json_object(resp)?;
    match m.get("active") {
        Some(serde_json::Value::Bool(true)) => {}
        Some(v) => {
            return Err(Violation::new(
                "introspection says the token is active",
                "\"active\": true",
                v.to_string(),
            ));
        }
        None => {
            return Err(Violation::new(
                "introspection has an active field",
                "\"active\": true",
                "absent",
            ));
        }
    }
    if let Some(v) = m.get("client_id")
        && v.as_str() != Some(client_id)
    {
        return Err(Violation::new(
            "introspection names the token's client (digest 5)",
            format!("\"{client_id}\""),
            v.to_string(),
        ));
    }
    if let Some(v) = m.get("token_type")
        && !v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
    {
        return Err(Violation::new(
            "introspection's token_type is Bearer",
            "\"Bearer\"",
            v.to_string(),
        ));
    }
    if let Some(v) = m.get("exp") {
        match v.as_u64() {
            Some(exp) if exp >= now => {}
            Some(exp) => {
                return Err(Violation::new(
                    "an active token's exp is in the future",
                    format!(">= {now}"),
                    exp.to_string(),
                ));
            }
            None => {
                return Err(Violation::new(
                    "introspection's exp is epoch seconds",
                    "integer",
                    json_type(v),
                ));
            }
        }
    }
    if let Some(v) = m.get("scope")
        && !v.is_string()
    {
        return Err(Violation::new(
            "introspection's scope is a string",
            "string",
            json_type(v),
        ));
    }
    Ok(())
}

/// Exactly `{"active": false}`.
pub fn inactive(resp: &ResponseRecord) -> Result<(), Violation> {
    let m = json_object(resp)?;
    let exact = m.len() == 1 && m.get("active") == Some(&serde_json::Value::Bool(false));
    if exact {
        Ok(())
    } else {
        Err(Violation::new(
            "an inactive token introspects as exactly {\"active\": false} (digest 5)",
            "{\"active\":false}",
            serde_json::Value::Object(m.clone()).to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::response;
    use serde_json::json;

    #[test]
    fn active_answers_name_the_caller() {
        let r = response(
            200,
            &[],
            json!({"active": true, "client_id": "a", "token_type": "Bearer", "exp": 2000}),
        );
        assert!(active(&r, "a", 1000).is_ok());
        assert!(active(&r, "b", 1000).is_err());
        assert!(active(&r, "a", 3000).is_err(), "expired");
        let r = response(200, &[], json!({"active": false}));
        assert!(active(&r, "a", 1000).is_err());
    }

    #[test]
    fn inactive_is_exactly_active_false() {
        assert!(inactive(&response(200, &[], json!({"active": false}))).is_ok());
        assert!(
            inactive(&response(
                200,
                &[],
                json!({"active": false, "client_id": "x"})
            ))
            .is_err()
        );
        assert!(inactive(&response(200, &[], json!({"active": true}))).is_err());
    }
}
