//! Redaction of secrets and tokens from everything a run shows.
//!
//! Two nets, because either alone leaks: the profile's secret values and every token value seen
//! in a response are replaced wherever they appear (a secret echoed in an error description is
//! still caught), and the values of sensitive parameters and headers (`client_secret`,
//! `password`, `refresh_token`, `access_token`, `Authorization`) are replaced by name even when
//! their value is unknown (a wrong secret the harness made up is not in the profile). The
//! literal `-` the seed documents is not a secret and stays visible: it is often the point of
//! the failure.

use std::sync::{Arc, RwLock};

use crate::client::{RequestRecord, ResponseRecord};

/// The replacement text.
pub const REDACTED: &str = "[redacted]";

/// Parameter and JSON field names whose values are always hidden.
const SENSITIVE_NAMES: &[&str] = &[
    "client_secret",
    "password",
    "refresh_token",
    "access_token",
    "token",
    "id_token",
];

/// Known secret values; cheap to clone and share between scenarios running concurrently.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Arc<RwLock<Vec<String>>>,
    /// Hide nothing: `tokenspec run --show-secrets`, an explicit opt-in for debugging a test
    /// gateway (see [`Redactor::revealing`]).
    reveal: bool,
}

impl Redactor {
    /// A redactor that hides nothing, for `tokenspec run --show-secrets` only: the user asked
    /// to see the secrets and tokens exchanged with a test gateway.
    pub fn revealing() -> Self {
        Redactor {
            reveal: true,
            ..Redactor::default()
        }
    }

    /// A redactor that hides `secrets` (typically [`tokenspec_profile::Profile::secrets`]).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let r = Redactor::default();
        for s in secrets {
            r.add(s);
        }
        r
    }

    /// Adds a value to hide (a token seen in a response). Values shorter than 4 characters and
    /// the seed's `-` are ignored: hiding them would shred unrelated text.
    pub fn add(&self, value: &str) {
        if value.len() < 4 {
            return;
        }
        let Ok(mut values) = self.values.write() else {
            return;
        };
        if !values.iter().any(|v| v == value) {
            values.push(value.to_owned());
            // Longest first, so a secret that contains another is hidden whole.
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// `text` with every known value replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if self.reveal {
            return out;
        }
        if let Ok(values) = self.values.read() {
            for v in values.iter() {
                if out.contains(v.as_str()) {
                    out = out.replace(v.as_str(), REDACTED);
                }
            }
        }
        out
    }

    /// A request rendered for a report: method, URL, headers, body; sensitive values hidden.
    pub fn render_request(&self, r: &RequestRecord) -> String {
        let url = if self.reveal {
            r.url.clone()
        } else {
            redact_query(&r.url)
        };
        let mut out = format!("{} {}\n", r.method, url);
        for (n, v) in &r.headers {
            let v = if n.eq_ignore_ascii_case("authorization") && !self.reveal {
                redact_authorization(v)
            } else {
                v.clone()
            };
            out.push_str(&format!("{n}: {v}\n"));
        }
        if let Some(body) = &r.body {
            out.push('\n');
            if self.reveal {
                out.push_str(body);
            } else {
                out.push_str(&redact_body(body));
            }
            out.push('\n');
        }
        self.redact(&out)
    }

    /// A response rendered for a report: status, headers, body; sensitive values hidden.
    pub fn render_response(&self, r: &ResponseRecord) -> String {
        let mut out = format!("HTTP {}\n", r.status);
        for (n, v) in &r.headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        out.push('\n');
        match &r.json {
            Some(json) => {
                let mut json = json.clone();
                if !self.reveal {
                    redact_json(&mut json);
                }
                out.push_str(&serde_json::to_string_pretty(&json).unwrap_or_default());
            }
            None => {
                const LIMIT: usize = 2000;
                let body: String = r.body.chars().take(LIMIT).collect();
                out.push_str(&body);
                if r.body.chars().count() > LIMIT {
                    out.push_str("\n[... truncated]");
                }
            }
        }
        out.push('\n');
        self.redact(&out)
    }
}

fn is_sensitive(name: &str) -> bool {
    SENSITIVE_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

fn hide(value: &str) -> &str {
    if value == "-" || value.is_empty() {
        value
    } else {
        REDACTED
    }
}

/// Hides sensitive `k=v` pairs of a form body or query string (other text is kept as is).
fn redact_pairs(s: &str) -> String {
    s.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_sensitive(k) => format!("{k}={}", hide(v)),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn redact_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, q)) => format!("{base}?{}", redact_pairs(q)),
        None => url.to_owned(),
    }
}

fn redact_body(body: &str) -> String {
    if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(body) {
        redact_json(&mut json);
        return json.to_string();
    }
    redact_pairs(body)
}

fn redact_authorization(v: &str) -> String {
    match v.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_owned(),
    }
}

/// Hides the values of sensitive fields anywhere in a JSON document.
pub fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_sensitive(k) {
                    if let serde_json::Value::String(s) = val {
                        *s = hide(s).to_owned();
                    }
                } else {
                    redact_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_hidden_anywhere_longest_first() {
        let r = Redactor::new(["s3cret-value", "s3cret-value-longer"]);
        assert_eq!(
            r.redact("a s3cret-value-longer and s3cret-value"),
            "a [redacted] and [redacted]"
        );
    }

    #[test]
    fn sensitive_parameters_are_hidden_by_name_but_the_dash_stays() {
        let r = Redactor::default();
        let req = RequestRecord {
            method: "POST".into(),
            url: "http://h/auth/jwt?client_secret=zz&x=1".into(),
            headers: vec![("authorization".into(), "Basic abc".into())],
            body: Some("grant_type=password&client_secret=-&password=pw123".into()),
        };
        let text = r.render_request(&req);
        assert!(
            text.contains("client_secret=-&password=[redacted]"),
            "{text}"
        );
        assert!(text.contains("?client_secret=[redacted]&x=1"), "{text}");
        assert!(text.contains("authorization: Basic [redacted]"), "{text}");
        assert!(!text.contains("pw123") && !text.contains("abc"), "{text}");
    }

    #[test]
    fn tokens_in_json_bodies_are_hidden() {
        let r = Redactor::default();
        r.add("eyJhbGciOi.tokenvalue.sig");
        let resp = ResponseRecord {
            status: 400,
            headers: vec![],
            body: String::new(),
            json: Some(serde_json::json!({
                "access_token": "abcd", "error_description": "bad eyJhbGciOi.tokenvalue.sig"
            })),
        };
        let text = r.render_response(&resp);
        assert!(
            !text.contains("abcd") && !text.contains("tokenvalue"),
            "{text}"
        );
    }
}
