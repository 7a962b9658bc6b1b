//! Header rules: JSON content type and the RFC 6749 §5.1 no-cache pair.
//!
//! The Apinizer docs state no response headers (digest 10.5, 15.1); RFC 6749 §5.1 requires
//! `Cache-Control: no-store` and `Pragma: no-cache` on token responses, so the features grade
//! these `@should`.

use super::Violation;
use crate::client::ResponseRecord;

/// The media type of `Content-Type`, lower-cased, without parameters.
pub fn media_type(resp: &ResponseRecord) -> Option<String> {
    resp.header("content-type").map(|v| {
        v.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// `Content-Type` is `application/json` (parameters such as charset allowed) and the body parses.
pub fn json_content_type(resp: &ResponseRecord) -> Result<(), Violation> {
    let mt = media_type(resp);
    if mt.as_deref() != Some("application/json") {
        return Err(Violation::new(
            "Content-Type is application/json",
            "application/json",
            resp.header("content-type").unwrap_or("(no Content-Type)"),
        ));
    }
    if resp.json.is_none() {
        return Err(Violation::new(
            "the body is JSON",
            "a JSON document",
            body_excerpt(&resp.body),
        ));
    }
    Ok(())
}

/// `Cache-Control` holds the `no-store` directive.
pub fn no_store(resp: &ResponseRecord) -> Result<(), Violation> {
    directive(resp, "cache-control", "no-store")
}

/// `Pragma` holds `no-cache`.
pub fn pragma_no_cache(resp: &ResponseRecord) -> Result<(), Violation> {
    directive(resp, "pragma", "no-cache")
}

fn directive(resp: &ResponseRecord, header: &str, want: &str) -> Result<(), Violation> {
    let present = resp
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(header))
        .flat_map(|(_, v)| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case(want));
    if present {
        Ok(())
    } else {
        Err(Violation::new(
            format!("{header}: {want} (RFC 6749 §5.1)"),
            format!("{header}: {want}"),
            resp.header(header).map_or_else(
                || format!("no {header} header"),
                |v| format!("{header}: {v}"),
            ),
        ))
    }
}

/// The start of a body for a message: enough to recognise HTML or garbage.
pub fn body_excerpt(body: &str) -> String {
    const MAX: usize = 120;
    if body.is_empty() {
        return "an empty body".to_owned();
    }
    let mut s: String = body.chars().take(MAX).collect();
    if body.chars().count() > MAX {
        s.push_str("...");
    }
    format!("`{s}`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::response;
    use crate::client::ResponseRecord;
    use serde_json::json;

    #[test]
    fn charset_parameter_is_fine_html_is_not() {
        let ok = response(
            200,
            &[("Content-Type", "application/json;charset=UTF-8")],
            json!({}),
        );
        assert!(json_content_type(&ok).is_ok());
        let html = ResponseRecord {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<html>oops</html>".into(),
            json: None,
        };
        let v = json_content_type(&html).expect_err("HTML is not JSON");
        assert_eq!(v.actual, "text/html");
    }

    #[test]
    fn no_store_is_a_directive_not_a_substring() {
        let r = response(
            200,
            &[
                ("Cache-Control", "private, no-store"),
                ("Pragma", "no-cache"),
            ],
            json!({}),
        );
        assert!(no_store(&r).is_ok() && pragma_no_cache(&r).is_ok());
        let r = response(200, &[("Cache-Control", "no-storex")], json!({}));
        assert!(no_store(&r).is_err());
        assert!(pragma_no_cache(&r).is_err());
    }
}
