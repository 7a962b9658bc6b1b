//! HTTP: routes, method and content-type rules, body limits, and the per-request log line.
//!
//! Routes: the four token endpoints (`/auth/jwt`, `/auth/token`, `/credential/jwt`,
//! `/credential/token`), `POST {prefix}/introspect`, `GET {prefix}/.well-known/jwks.json`,
//! `GET /healthz`, and a JSON 404 for everything else; other methods on the GET-only routes get
//! a JSON 405. Handlers read the body themselves (8 KiB cap, body-read timeout) instead of using
//! axum's `Form`, whose rejections are plain text: every answer of these routes is JSON with the
//! no-store headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use serde::Serialize;
use tokenspec_profile::{ManagedFrom, TokenKind};

use crate::config::{Issuer, secret_matches};
use crate::error::{TokenError, json_response};
use crate::fault::Fault;
use crate::form::{self, ClientCredentials, Params};
use crate::grant::{self, Endpoint};

/// Request bodies larger than this get `413`.
pub const BODY_LIMIT: usize = 8 * 1024;

type AppState = Arc<Issuer>;

/// Builds the router over a ready issuer state.
pub(crate) fn router(issuer: Arc<Issuer>) -> Router {
    let mut app = Router::new();
    for mode in [ManagedFrom::Policy, ManagedFrom::Acl] {
        for kind in [TokenKind::Jwt, TokenKind::Oauth2] {
            let endpoint = Endpoint { mode, kind };
            app = app.route(
                &tokenspec_profile::endpoint_path(mode, kind),
                any(move |state: State<AppState>, request: Request| {
                    token_endpoint(state, endpoint, request)
                }),
            );
        }
        app = app
            .route(
                &format!("{}/introspect", mode.prefix()),
                any(move |state: State<AppState>, request: Request| {
                    introspect(state, mode, request)
                }),
            )
            .route(
                &format!("{}/.well-known/jwks.json", mode.prefix()),
                get(jwks).fallback(method_not_allowed),
            );
    }
    app.route("/healthz", get(healthz).fallback(method_not_allowed))
        .fallback(not_found)
        .with_state(issuer)
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec())
}

async fn method_not_allowed() -> Response {
    let mut response = TokenError::MethodNotAllowed.into_response();
    response.headers_mut().insert(
        header::ALLOW,
        axum::http::HeaderValue::from_static("GET, HEAD"),
    );
    response
}

async fn not_found() -> Response {
    TokenError::NotFound.into_response()
}

async fn jwks(State(issuer): State<AppState>) -> Response {
    json_response(StatusCode::OK, issuer.keys.jwks.clone())
}

/// Reads a form body: checks the content type, enforces [`BODY_LIMIT`], decodes.
async fn read_form(
    headers: &HeaderMap,
    body: Body,
    timeout: Duration,
) -> Result<Params, TokenError> {
    if !form::is_form_content_type(headers) {
        return Err(TokenError::InvalidRequest(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(TokenError::PayloadTooLarge);
    }
    let collected = tokio::time::timeout(timeout, Limited::new(body, BODY_LIMIT).collect())
        .await
        .map_err(|_| TokenError::Timeout)?;
    let bytes = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(TokenError::PayloadTooLarge);
        }
        Err(_) => {
            return Err(TokenError::InvalidRequest(
                "the request body could not be read",
            ));
        }
    };
    Params::parse(&bytes)
}

/// One of the four token endpoints.
async fn token_endpoint(
    State(issuer): State<AppState>,
    endpoint: Endpoint,
    request: Request,
) -> Response {
    let started = Instant::now();
    let mut fixture_seen = None;
    let result = token_request(&issuer, endpoint, request, &mut fixture_seen).await;
    let fixture = fixture_seen.map_or("-", |i| issuer.profile.fixtures[i].id.as_str());
    let path = format_args!(
        "{}/{}",
        endpoint.mode.prefix(),
        endpoint.kind.path_segment()
    );
    match result {
        Ok(issued) => {
            tracing::debug!(
                %path, fixture, grant = %issued.grant, outcome = "issued",
                micros = started.elapsed().as_micros() as u64, "token request"
            );
            json_response(StatusCode::OK, issued.body)
        }
        Err(error) => {
            tracing::debug!(
                %path, fixture, outcome = error.code(), status = error.status().as_u16(),
                "token request refused"
            );
            error.into_response()
        }
    }
}

async fn token_request(
    issuer: &Issuer,
    endpoint: Endpoint,
    request: Request,
    fixture_seen: &mut Option<usize>,
) -> Result<grant::Issued, TokenError> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let (mut params, creds) = if parts.method == Method::POST {
        let mut params = read_form(headers, body, issuer.request_timeout).await?;
        let creds = form::client_credentials(headers, &mut params)?;
        (params, creds)
    } else if parts.method == Method::GET {
        get_params(issuer, endpoint, headers, parts.uri.query().unwrap_or(""))?
    } else {
        return Err(TokenError::MethodNotAllowed);
    };
    // Introspection-only parameter; a token request never uses it.
    params.token = None;
    grant::issue(issuer, endpoint, creds, params, fixture_seen)
}

/// GET with the parameters in the query string, allowed only for a client of this endpoint whose
/// fixture allows URL parameters (seed 1.1). Every other GET, including one naming an unknown
/// client, is `405` so the answer does not reveal which client ids exist.
fn get_params(
    issuer: &Issuer,
    endpoint: Endpoint,
    headers: &HeaderMap,
    query: &str,
) -> Result<(Params, ClientCredentials), TokenError> {
    let parsed = Params::parse(query.as_bytes()).and_then(|mut params| {
        let creds = form::client_credentials(headers, &mut params)?;
        Ok((params, creds))
    });
    let any_client = issuer.faults.on(Fault::GetAlwaysAllowed);
    let allowed = |client_id: &str| {
        any_client
            || issuer.client(client_id).is_some_and(|(_, f)| {
                f.allow_url_parameters
                    && f.managed_from == endpoint.mode
                    && f.token == endpoint.kind
            })
    };
    match parsed {
        Ok((params, creds)) if allowed(&creds.client_id) => Ok((params, creds)),
        Ok(_) => Err(TokenError::MethodNotAllowed),
        // A malformed query is reported as such only to a client that may use GET here.
        Err(error) => match lenient_client_id(query) {
            Some(id) if allowed(&id) => Err(error),
            _ => Err(TokenError::MethodNotAllowed),
        },
    }
}

/// The first `client_id` in a query that failed strict parsing, decoded leniently.
fn lenient_client_id(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("client_id=")?;
        let value = value.replace('+', " ");
        Some(
            percent_encoding::percent_decode_str(&value)
                .decode_utf8()
                .ok()?
                .into_owned(),
        )
    })
}

/// `POST {prefix}/introspect`: RFC 7662 for the caller's own opaque access tokens and JWTs
/// (digest 5).
async fn introspect(
    State(issuer): State<AppState>,
    mode: ManagedFrom,
    request: Request,
) -> Response {
    match introspect_request(&issuer, mode, request).await {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => {
            tracing::debug!(
                path = "introspect",
                outcome = error.code(),
                status = error.status().as_u16(),
                "introspection refused"
            );
            error.into_response()
        }
    }
}

/// An active token's introspection answer.
#[derive(Serialize)]
struct Active<'a> {
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    token_type: &'static str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    aud: &'a str,
}

async fn introspect_request(
    issuer: &Issuer,
    mode: ManagedFrom,
    request: Request,
) -> Result<Vec<u8>, TokenError> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    if parts.method != Method::POST {
        return Err(TokenError::MethodNotAllowed);
    }
    let mut params = read_form(headers, body, issuer.request_timeout).await?;
    let creds = form::client_credentials(headers, &mut params)?;
    let Some(token) = params.token.take() else {
        return Err(TokenError::InvalidRequest("token is missing"));
    };
    let Some(secret) = creds.client_secret.as_deref() else {
        return Err(TokenError::InvalidRequest("client_secret is missing"));
    };
    let bad_client = TokenError::InvalidClient("client authentication failed");
    let Some((index, fixture)) = issuer.client(&creds.client_id) else {
        let _ = secret_matches(secret, &issuer.dummy);
        return Err(bad_client);
    };
    if !secret_matches(secret, &issuer.fixtures[index].secret) {
        return Err(bad_client);
    }
    if fixture.managed_from != mode && !issuer.faults.on(Fault::ModePrefixUnchecked) {
        return Err(TokenError::InvalidClient(
            "this client is not managed on this endpoint's prefix",
        ));
    }
    // Only the caller's own live tokens are active (digest 5: foreign tokens are inactive).
    let record = issuer
        .store
        .access(&token, Instant::now())
        .filter(|r| r.fixture == index);
    let Some(record) = record else {
        return Ok(introspect_jwt(issuer, index, &token)
            .unwrap_or_else(|| br#"{"active":false}"#.to_vec()));
    };
    serde_json::to_vec(&Active {
        active: true,
        scope: record.scope.as_deref(),
        client_id: &fixture.client_id,
        username: record.username.as_deref(),
        token_type: "Bearer",
        iat: record.iat,
        exp: record.exp,
        aud: &issuer.fixtures[index].aud,
    })
    .map_err(|_| TokenError::ServerError)
}

/// The claims of our JWTs that introspection reads.
#[derive(serde::Deserialize)]
struct JwtClaims {
    iss: String,
    aud: String,
    iat: u64,
    exp: Option<u64>,
    scope: Option<String>,
}

/// Introspects a JWT access token: active when this issuer signed it, it has not expired, and
/// its `aud` is the calling client's (digest 5: a client sees only its own tokens).
fn introspect_jwt(issuer: &Issuer, index: usize, token: &str) -> Option<Vec<u8>> {
    let claims = issuer.keys.verified_claims(token)?;
    let claims: JwtClaims = serde_json::from_slice(&claims).ok()?;
    let state = &issuer.fixtures[index];
    if claims.aud != state.aud {
        return None;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    if claims.exp.is_some_and(|exp| exp <= now) {
        return None;
    }
    let fixture = &issuer.profile.fixtures[index];
    serde_json::to_vec(&Active {
        active: true,
        scope: claims.scope.as_deref(),
        client_id: &fixture.client_id,
        username: (claims.iss != fixture.client_id).then_some(claims.iss.as_str()),
        token_type: "Bearer",
        iat: claims.iat,
        exp: claims.exp,
        aud: &state.aud,
    })
    .ok()
}
