//! Response shapes: the normalised form snapshots lock, and the comparison against stored files.
//!
//! A shape keeps what the spec fixes and types the rest (DESIGN.md, "Response shapes"): the
//! status (the class `[4xx]` for refusals, whose exact code is judged by the refusal step because
//! the docs allow alternatives, digest 14.9/14.11), the media type and no-cache headers, field
//! names, `token_type` and `error` values, and typed placeholders for everything a target
//! legitimately varies: tokens (`[jwt]`/`[opaque]`), ids (`[uuid]`), times (`[iso8601]`,
//! `[epoch]`), `expires_in` (`[expires_in]`, checked against the profile before it is hidden).
//! Apinizer's `X-...` fields (digest 11.1) are dropped from the shape and returned as notes, so a
//! target that emits them still matches.
//!
//! The stored files are insta snapshots (`snapshots/<name>.snap`), recorded from the reference
//! issuer through `cargo insta`; judging a target only reads them and never writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Violation;
use super::jwt::is_jwt_shaped;
use crate::checks::headers::media_type;
use crate::client::ResponseRecord;

/// Fields whose values the spec fixes; they stay in the shape verbatim.
const FIXED: &[&str] = &["token_type", "error"];
/// Fields that carry tokens.
const TOKENS: &[&str] = &["access_token", "refresh_token"];

/// A normalised response and the notes about what was left out.
#[derive(Debug, Clone)]
pub struct Shape {
    pub rendered: String,
    /// Vendor fields seen and left out of the shape (reported, never failed).
    pub notes: Vec<String>,
}

/// The normalised shape of `resp`.
pub fn normalise(resp: &ResponseRecord) -> Shape {
    let mut notes = Vec::new();
    let status = if resp.status >= 400 && resp.status < 500 {
        Value::String("[4xx]".into())
    } else {
        Value::from(resp.status)
    };
    let mut headers = BTreeMap::new();
    headers.insert(
        "content-type",
        media_type(resp).map_or(Value::Null, Value::String),
    );
    headers.insert(
        "cache-control",
        directive_or_raw(resp, "cache-control", "no-store"),
    );
    headers.insert("pragma", directive_or_raw(resp, "pragma", "no-cache"));
    let body = match &resp.json {
        Some(Value::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                if k.starts_with("X-") || k.starts_with("x-") {
                    notes.push(format!(
                        "vendor field `{k}` present (not part of the shape)"
                    ));
                    continue;
                }
                out.insert(k.clone(), field_value(k, v));
            }
            serde_json::to_value(out).unwrap_or(Value::Null)
        }
        Some(other) => placeholder(other),
        None if resp.body.is_empty() => Value::Null,
        None => Value::String("[not json]".into()),
    };
    let mut doc = BTreeMap::new();
    doc.insert("status", status);
    doc.insert(
        "headers",
        serde_json::to_value(headers).unwrap_or(Value::Null),
    );
    doc.insert("body", body);
    let rendered = serde_json::to_string_pretty(&doc).unwrap_or_default();
    Shape { rendered, notes }
}

fn directive_or_raw(resp: &ResponseRecord, header: &str, directive: &str) -> Value {
    match resp.header(header) {
        None => Value::Null,
        Some(v)
            if v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case(directive)) =>
        {
            Value::String(directive.into())
        }
        Some(v) => Value::String(v.to_ascii_lowercase()),
    }
}

fn field_value(name: &str, v: &Value) -> Value {
    match (name, v) {
        (n, Value::String(_)) if FIXED.contains(&n) => v.clone(),
        (n, Value::String(s)) if TOKENS.contains(&n) => Value::String(
            if is_jwt_shaped(s) {
                "[jwt]"
            } else {
                "[opaque]"
            }
            .into(),
        ),
        ("expires_in", Value::Number(n)) if n.is_u64() => Value::String("[expires_in]".into()),
        ("scope", Value::String(_)) => Value::String("[scope]".into()),
        ("error_description", Value::String(_)) => Value::String("[string]".into()),
        _ => placeholder(v),
    }
}

/// The typed placeholder of a value that is not fixed.
fn placeholder(v: &Value) -> Value {
    let p = match v {
        Value::Null => return Value::Null,
        Value::Bool(_) => "[boolean]",
        Value::Number(n) if n.as_u64().is_some_and(|x| x >= 1_000_000_000) => "[epoch]",
        Value::Number(n) if n.is_u64() || n.is_i64() => "[integer]",
        Value::Number(_) => "[number]",
        Value::String(s) if is_uuid(s) => "[uuid]",
        Value::String(s) if is_iso8601(s) => "[iso8601]",
        Value::String(s) if is_jwt_shaped(s) => "[jwt]",
        Value::String(_) => "[string]",
        Value::Array(items) => return Value::Array(items.iter().map(placeholder).collect()),
        Value::Object(m) => {
            let out: BTreeMap<&String, Value> =
                m.iter().map(|(k, v)| (k, placeholder(v))).collect();
            return serde_json::to_value(out).unwrap_or(Value::Null);
        }
    };
    Value::String(p.into())
}

/// `8-4-4-4-12` hex digits.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `YYYY-MM-DDTHH:MM:SS...` (the `X-...At` fields of digest 11.1).
pub fn is_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':'
}

/// Where snapshot files live, and how they are named.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    pub dir: PathBuf,
}

impl SnapshotStore {
    /// `snapshots/<name>.snap` (insta's file name for a named snapshot without module prefix).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.snap"))
    }

    /// The stored content of snapshot `name`, without insta's metadata header.
    pub fn load(&self, name: &str) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(self.path(name)) {
            Ok(text) => Ok(Some(snap_content(&text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The content part of an insta `.snap` file (after the `---` front matter).
pub fn snap_content(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let body = match text.strip_prefix("---\n") {
        Some(rest) => match rest.find("\n---\n") {
            Some(end) => &rest[end + 5..],
            None => rest,
        },
        None => text.as_str(),
    };
    body.trim_end().to_owned()
}

/// Compares a shape against the stored content; a mismatch carries a readable line diff.
pub fn compare(name: &str, file: &Path, stored: &str, actual: &str) -> Result<(), Violation> {
    if stored.trim_end() == actual.trim_end() {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(stored.trim_end(), actual.trim_end());
    let rendered = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("{} (stored)", file.display()), "response (actual)")
        .to_string();
    Err(Violation::new(
        format!("the response shape matches snapshot `{name}`"),
        format!("the shape stored in {}", file.display()),
        format!("a different shape:\n{rendered}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::response;
    use serde_json::json;

    #[test]
    fn tokens_times_and_vendor_fields_are_normalised() {
        let r = response(
            200,
            &[
                ("Content-Type", "application/json;charset=UTF-8"),
                ("Cache-Control", "no-store"),
                ("Pragma", "no-cache"),
            ],
            json!({
                "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJpYXQiOjF9.c2ln",
                "refresh_token": "6f1c1f8e-8d3a-4c1e-9a55-3b7c5d1e2f00",
                "token_type": "Bearer",
                "expires_in": 60000,
                "X-IssuedAt": "2026-01-01T10:01:00.000Z"
            }),
        );
        let s = normalise(&r);
        assert_eq!(
            s.rendered,
            serde_json::to_string_pretty(&json!({
                "body": {"access_token": "[jwt]", "expires_in": "[expires_in]", "refresh_token": "[opaque]", "token_type": "Bearer"},
                "headers": {"cache-control": "no-store", "content-type": "application/json", "pragma": "no-cache"},
                "status": 200
            }))
            .expect("json")
        );
        assert_eq!(s.notes.len(), 1);
    }

    #[test]
    fn snap_front_matter_is_skipped_and_diffs_are_readable() {
        let text = "---\nsource: tests/conformance.rs\nexpression: shape\n---\n{\n  \"a\": 1\n}\n";
        assert_eq!(snap_content(text), "{\n  \"a\": 1\n}");
        let v = compare(
            "x",
            Path::new("snapshots/x.snap"),
            "{\n  \"a\": 1\n}",
            "{\n  \"a\": 2\n}",
        )
        .expect_err("differs");
        assert!(
            v.actual.contains("-  \"a\": 1") && v.actual.contains("+  \"a\": 2"),
            "{}",
            v.actual
        );
    }

    #[test]
    fn uuids_and_times_are_recognised() {
        assert!(is_uuid("6f1c1f8e-8d3a-4c1e-9a55-3b7c5d1e2f00"));
        assert!(!is_uuid("6f1c1f8e8d3a4c1e9a553b7c5d1e2f00"));
        assert!(is_iso8601("2026-01-01T10:01:00.000Z"));
        assert!(!is_iso8601("yesterday"));
    }
}
