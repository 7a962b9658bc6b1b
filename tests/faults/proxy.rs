//! A faulty target built from a correct one: a reverse proxy in front of a real reference issuer
//! that forwards every request and changes exactly one thing on the way in or out.
//!
//! Why a proxy rather than canned responses: a canned target cannot refresh, count, sign or keep
//! state, so it fails almost every scenario and proves little. In front of the real issuer, the
//! target is correct except for the one mutation, which is what lets a fault-matrix case say
//! "this scenario, and only this one, noticed". wiremock's `Respond` is synchronous and cannot
//! forward, so the proxy is a small axum app with two plain-function hooks.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokenspec_profile::Profile;

/// What the proxy knows besides the request: the target's profile (the same file the issuer
/// was configured from) and the refresh tokens the upstream issued so far.
pub struct Ctx {
    pub profile: Profile,
    seen_refresh_tokens: Mutex<HashSet<String>>,
}

impl Ctx {
    /// Whether the upstream issued this refresh token through the proxy.
    pub fn issued_refresh_token(&self, token: &str) -> bool {
        self.seen_refresh_tokens
            .lock()
            .is_ok_and(|s| s.contains(token))
    }
}

/// A request on its way to the upstream issuer.
#[derive(Debug, Clone)]
pub struct ProxyRequest {
    pub method: Method,
    pub path: String,
    /// The parameters: the query string of a GET, the body of a form POST (or of any POST once
    /// a hook sets `form`).
    pub params: Vec<(String, String)>,
    /// The request's Content-Type, as sent.
    pub content_type: Option<String>,
    /// Whether the body is (to be sent as) `application/x-www-form-urlencoded`.
    pub form: bool,
    /// The body as sent (used when `form` is false).
    pub body: Bytes,
    /// The `Authorization` header, forwarded as is.
    pub authorization: Option<HeaderValue>,
}

impl ProxyRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        match self.params.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
    }

    /// The fixture of the request's client id.
    pub fn fixture<'p>(&self, profile: &'p Profile) -> Option<&'p tokenspec_profile::Fixture> {
        self.param("client_id")
            .and_then(|id| profile.fixture_by_client_id(id))
    }

    /// Whether this is a request to a token endpoint (not JWKS, introspection, health).
    pub fn is_token_endpoint(&self) -> bool {
        self.path.ends_with("/jwt") || self.path.ends_with("/token")
    }
}

/// A response on its way back to the suite.
#[derive(Debug, Clone)]
pub struct ProxyResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ProxyResponse {
    pub fn json(&self) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    pub fn set_json(&mut self, m: serde_json::Map<String, Value>) {
        self.body = serde_json::to_vec(&Value::Object(m)).unwrap_or_default();
    }

    /// The body of a successful token response, to change in place.
    pub fn edit_token(&mut self, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
        if self.status != StatusCode::OK {
            return;
        }
        if let Some(mut m) = self.json()
            && m.contains_key("access_token")
        {
            f(&mut m);
            self.set_json(m);
        }
    }

    /// The body of an OAuth error response, to change in place.
    pub fn edit_error(
        &mut self,
        f: impl FnOnce(&mut StatusCode, &mut serde_json::Map<String, Value>),
    ) {
        if !self.status.is_client_error() {
            return;
        }
        if let Some(mut m) = self.json()
            && m.contains_key("error")
        {
            f(&mut self.status, &mut m);
            self.set_json(m);
        }
    }
}

pub type RequestHook = fn(&Ctx, &mut ProxyRequest);
pub type ResponseHook = fn(&Ctx, &ProxyRequest, &mut ProxyResponse);

struct Shared {
    ctx: Ctx,
    upstream: String,
    http: reqwest::Client,
    on_request: Option<RequestHook>,
    on_response: Option<ResponseHook>,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy on `127.0.0.1:0` in front of `upstream`.
pub async fn start(
    profile: Profile,
    upstream: String,
    on_request: Option<RequestHook>,
    on_response: Option<ResponseHook>,
) -> anyhow::Result<Proxy> {
    let shared = Arc::new(Shared {
        ctx: Ctx {
            profile,
            seen_refresh_tokens: Mutex::new(HashSet::new()),
        },
        upstream,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        on_request,
        on_response,
    });
    let app = axum::Router::new().fallback(forward).with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Proxy {
        base_url: format!("http://{addr}"),
        task,
    })
}

fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

fn decode(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn encode(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let form = method == Method::POST && is_form(content_type.as_deref());
    let params = if method == Method::GET {
        decode(uri.query().unwrap_or_default().as_bytes())
    } else if form {
        decode(&body)
    } else {
        Vec::new()
    };
    let mut req = ProxyRequest {
        method,
        path: uri.path().to_owned(),
        params,
        content_type,
        form,
        body,
        authorization: headers.get(header::AUTHORIZATION).cloned(),
    };
    if let Some(hook) = shared.on_request {
        hook(&shared.ctx, &mut req);
    }

    let mut url = format!("{}{}", shared.upstream, req.path);
    if req.method == Method::GET && !req.params.is_empty() {
        url.push('?');
        url.push_str(&encode(&req.params));
    }
    let mut out = shared.http.request(req.method.clone(), &url);
    if req.method != Method::GET {
        if req.form {
            let ct = match &req.content_type {
                Some(ct) if is_form(Some(ct)) => ct.clone(),
                _ => "application/x-www-form-urlencoded".to_owned(),
            };
            out = out
                .header(header::CONTENT_TYPE, ct)
                .body(encode(&req.params));
        } else {
            if let Some(ct) = &req.content_type {
                out = out.header(header::CONTENT_TYPE, ct.clone());
            }
            out = out.body(req.body.clone());
        }
    }
    if let Some(auth) = &req.authorization {
        out = out.header(header::AUTHORIZATION, auth.clone());
    }
    let upstream = match out.send().await {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("proxy: upstream failed: {e}"),
            )
                .into_response();
        }
    };
    let status = upstream.status();
    let mut resp_headers = HeaderMap::new();
    for (name, value) in upstream.headers() {
        if name != header::CONTENT_LENGTH
            && name != header::TRANSFER_ENCODING
            && name != header::CONNECTION
        {
            resp_headers.append(name.clone(), value.clone());
        }
    }
    let body = match upstream.bytes().await {
        Ok(b) => b.to_vec(),
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("proxy: upstream body failed: {e}"),
            )
                .into_response();
        }
    };
    let mut resp = ProxyResponse {
        status,
        headers: resp_headers,
        body,
    };
    if let Some(rt) = resp.json().and_then(|m| {
        m.get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }) && let Ok(mut seen) = shared.ctx.seen_refresh_tokens.lock()
    {
        seen.insert(rt);
    }
    if let Some(hook) = shared.on_response {
        hook(&shared.ctx, &req, &mut resp);
    }
    let mut response = Response::new(axum::body::Body::from(resp.body));
    *response.status_mut() = resp.status;
    *response.headers_mut() = resp.headers;
    response
}
