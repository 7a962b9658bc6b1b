//! Status-code rules.

use super::{Violation, one_of};
use crate::client::ResponseRecord;

/// The status is exactly `code`.
pub fn status_is(resp: &ResponseRecord, code: u16) -> Result<(), Violation> {
    status_in(resp, &[code])
}

/// The status is one of `codes` (the docs disagree on some, digest section 14).
pub fn status_in(resp: &ResponseRecord, codes: &[u16]) -> Result<(), Violation> {
    if codes.contains(&resp.status) {
        Ok(())
    } else {
        Err(Violation::new(
            format!("status is {}", one_of(codes)),
            one_of(codes),
            resp.status.to_string(),
        ))
    }
}

/// The request was refused: a 4xx status (a 5xx is a server fault, not a refusal) and no
/// `access_token` in the body.
pub fn refused(resp: &ResponseRecord) -> Result<(), Violation> {
    if resp.field("access_token").is_some() {
        return Err(Violation::new(
            "no token is issued",
            "no access_token",
            format!("status {} with an access_token", resp.status),
        ));
    }
    if !(400..500).contains(&resp.status) {
        return Err(Violation::new(
            "a refused request gets a 4xx status",
            "400..=499",
            resp.status.to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::response;
    use serde_json::json;

    #[test]
    fn refusal_needs_4xx_and_no_token() {
        assert!(refused(&response(401, &[], json!({"error": "invalid_client"}))).is_ok());
        assert!(refused(&response(500, &[], json!({"error": "server_error"}))).is_err());
        assert!(refused(&response(400, &[], json!({"access_token": "x"}))).is_err());
        assert!(refused(&response(200, &[], json!({}))).is_err());
    }

    #[test]
    fn status_sets_are_named() {
        let v = status_in(&response(403, &[], json!({})), &[400, 401])
            .expect_err("403 is not in the set");
        assert_eq!(v.expected, "400 or 401");
    }
}
