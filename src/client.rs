//! The HTTP side of the harness: one shared `reqwest` client, and an [`Exchange`] record of every
//! request sent and response got.
//!
//! A check never talks to the network; it reads an [`Exchange`]. Keeping the raw record (headers
//! as sent, body bytes as got) is what lets a failure show exactly what happened, and what lets
//! garbage from a target (HTML, truncated JSON, no body) become a clear violation instead of a
//! panic: [`ResponseRecord::json`] is `None` when the body is not JSON, and checks say so.
//! Nothing here redacts; rendering for reports goes through [`crate::redact`].

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderValue};

/// The reqwest client every scenario of a run shares (connection reuse is what keeps a run fast).
pub fn build_client(timeout: Duration) -> Result<reqwest::Client, TransportError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tokenspec/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| TransportError::Client(e.to_string()))
}

/// How the request carries its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carrier {
    /// POST with an `application/x-www-form-urlencoded` body (the seed's way).
    Form,
    /// GET with the parameters in the query string (Allow URL Parameters).
    Query,
    /// POST with the form-encoded body but this `Content-Type` header instead.
    FormWithContentType(String),
    /// POST with the parameters as a JSON object and `Content-Type: application/json`.
    Json,
}

/// One token-endpoint request to send.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// Full URL (base URL + path).
    pub url: String,
    pub carrier: Carrier,
    pub params: Vec<(String, String)>,
    /// Extra request headers (e.g. `Authorization: Basic ...`).
    pub headers: Vec<(String, String)>,
}

/// A request as it went on the wire.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A response as it came back.
#[derive(Debug, Clone)]
pub struct ResponseRecord {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
}

impl ResponseRecord {
    /// The first value of a header (name is case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A top-level field of a JSON object body.
    pub fn field(&self, name: &str) -> Option<&serde_json::Value> {
        self.json.as_ref()?.as_object()?.get(name)
    }

    /// A top-level string field of a JSON object body.
    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.field(name)?.as_str()
    }
}

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: RequestRecord,
    pub response: ResponseRecord,
    pub elapsed: Duration,
}

/// Why no response was got. These are harness errors, never verdicts on the target's rules.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("invalid request URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("target unreachable at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("no response from {url} within {}", humantime::format_duration(*.after))]
    Timeout { url: String, after: Duration },
    #[error("reading the response of {url} failed: {reason}")]
    Body { url: String, reason: String },
}

/// Sends `req` and records the exchange.
pub async fn send(
    client: &reqwest::Client,
    req: &TokenRequest,
    timeout: Duration,
) -> Result<Exchange, TransportError> {
    let builder = match &req.carrier {
        Carrier::Form => client.post(&req.url).form(&req.params),
        Carrier::Query => client.get(&req.url).query(&req.params),
        Carrier::FormWithContentType(ct) => {
            let body = form_body(&req.params);
            client
                .post(&req.url)
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_str(ct).map_err(|e| bad_url(req, e))?,
                )
                .body(body)
        }
        Carrier::Json => {
            let map: serde_json::Map<String, serde_json::Value> = req
                .params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            client.post(&req.url).json(&map)
        }
    };
    let mut builder = builder;
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let built = builder.build().map_err(|e| bad_url(req, e))?;
    let request = RequestRecord {
        method: built.method().to_string(),
        url: built.url().to_string(),
        headers: built
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: built
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    };
    let url = request.url.clone();
    let started = Instant::now();
    let sent = tokio::time::timeout(timeout, async {
        let resp = client.execute(built).await?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect::<Vec<_>>();
        let bytes = resp.bytes().await?;
        Ok::<_, reqwest::Error>((status, headers, bytes))
    })
    .await;
    let (status, headers, bytes) = match sent {
        Err(_) => {
            return Err(TransportError::Timeout {
                url,
                after: timeout,
            });
        }
        Ok(Err(e)) if e.is_timeout() => {
            return Err(TransportError::Timeout {
                url,
                after: timeout,
            });
        }
        Ok(Err(e)) if e.is_body() || e.is_decode() => {
            return Err(TransportError::Body {
                url,
                reason: error_chain(&e),
            });
        }
        Ok(Err(e)) => {
            return Err(TransportError::Unreachable {
                url,
                reason: error_chain(&e),
            });
        }
        Ok(Ok(parts)) => parts,
    };
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).ok();
    Ok(Exchange {
        request,
        response: ResponseRecord {
            status,
            headers,
            body,
            json,
        },
        elapsed: started.elapsed(),
    })
}

/// Sends a plain GET (JWKS) and records it.
pub async fn get(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<Exchange, TransportError> {
    send(
        client,
        &TokenRequest {
            url: url.to_owned(),
            carrier: Carrier::Query,
            params: Vec::new(),
            headers: Vec::new(),
        },
        timeout,
    )
    .await
}

fn bad_url(req: &TokenRequest, e: impl std::fmt::Display) -> TransportError {
    TransportError::BadUrl {
        url: req.url.clone(),
        reason: e.to_string(),
    }
}

/// `Authorization: Basic ...` for a client (RFC 6749 §2.3.1: id and secret form-encoded first).
pub fn basic_auth(client_id: &str, client_secret: &str) -> String {
    use base64::Engine as _;
    let pair = format!("{}:{}", form_escape(client_id), form_escape(client_secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `application/x-www-form-urlencoded` serialisation of `params` (what reqwest's `.form()` sends).
pub fn form_body(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&form_escape(k));
        out.push('=');
        out.push_str(&form_escape(v));
    }
    out
}

fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// The error and its causes on one line (reqwest hides the useful part in `source()`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let _ = write!(out, ": {s}");
        cur = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_escapes_like_a_browser() {
        let p = vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("scope".to_owned(), "a b&c=d".to_owned()),
        ];
        assert_eq!(
            form_body(&p),
            "grant_type=client_credentials&scope=a+b%26c%3Dd"
        );
    }
}
