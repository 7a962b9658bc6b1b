//! Errors: the OAuth error responses of the token endpoints, and the start-up error.
//!
//! [`TokenError`] is the only way a request handler says "no": each variant fixes the status,
//! the RFC 6749 §5.2 `error` code and a static description, and its [`IntoResponse`] adds the
//! headers every token-endpoint response carries (`Content-Type: application/json`,
//! `Cache-Control: no-store`, `Pragma: no-cache`). Descriptions are `&'static str` on purpose:
//! nothing the client sent (and no secret) can ever be echoed into an error body or a log line.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why the issuer could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// A signing key could not be generated.
    #[error("cannot generate the {algorithm} signing key")]
    Key { algorithm: &'static str },
    /// The profile asks for something this issuer cannot do.
    #[error("fixture `{fixture}`: {message}")]
    Fixture {
        fixture: String,
        message: &'static str,
    },
}

/// A refusal of the token, introspection or JWKS endpoints, rendered as OAuth JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// 400 `invalid_request`: malformed, missing or repeated parameter, wrong content type.
    InvalidRequest(&'static str),
    /// 401 `invalid_client`: unknown client, wrong secret, wrong mode or token kind.
    InvalidClient(&'static str),
    /// 400 `invalid_grant`: bad user credentials, unusable refresh token, grant not allowed.
    InvalidGrant(&'static str),
    /// 400 `unsupported_grant_type`: a `grant_type` that is no grant type at all.
    UnsupportedGrantType,
    /// 400 `invalid_scope`: strict mode, a requested role the principal does not hold.
    InvalidScope,
    /// 405 with `Allow: POST`: wrong method, or GET where URL parameters are not allowed.
    MethodNotAllowed,
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 404 under the token prefixes.
    NotFound,
    /// 408: the request took longer than the per-request timeout.
    Timeout,
    /// 500: the issuer itself failed (signing). Never caused by client input.
    ServerError,
}

/// The RFC 6749 §5.2 error body.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    error_description: &'static str,
}

impl TokenError {
    /// The HTTP status of this error.
    pub fn status(self) -> StatusCode {
        match self {
            TokenError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            TokenError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            TokenError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            TokenError::NotFound => StatusCode::NOT_FOUND,
            TokenError::Timeout => StatusCode::REQUEST_TIMEOUT,
            TokenError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            TokenError::InvalidRequest(_)
            | TokenError::InvalidGrant(_)
            | TokenError::UnsupportedGrantType
            | TokenError::InvalidScope => StatusCode::BAD_REQUEST,
        }
    }

    /// The `error` code.
    pub fn code(self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_)
            | TokenError::MethodNotAllowed
            | TokenError::PayloadTooLarge
            | TokenError::NotFound
            | TokenError::Timeout => "invalid_request",
            TokenError::InvalidClient(_) => "invalid_client",
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::UnsupportedGrantType => "unsupported_grant_type",
            TokenError::InvalidScope => "invalid_scope",
            TokenError::ServerError => "server_error",
        }
    }

    /// The `error_description`.
    pub fn description(self) -> &'static str {
        match self {
            TokenError::InvalidRequest(d)
            | TokenError::InvalidClient(d)
            | TokenError::InvalidGrant(d) => d,
            TokenError::UnsupportedGrantType => {
                "grant_type must be client_credentials, password or refresh_token"
            }
            TokenError::InvalidScope => "the requested scope is not a role of the principal",
            TokenError::MethodNotAllowed => {
                "use POST with an application/x-www-form-urlencoded body (GET only where URL parameters are allowed)"
            }
            TokenError::PayloadTooLarge => "the request body is larger than 8192 bytes",
            TokenError::NotFound => "no such endpoint",
            TokenError::Timeout => "the request was not completed in time",
            TokenError::ServerError => "the issuer failed to produce a token",
        }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code(),
            error_description: self.description(),
        };
        // Serialising two static strings cannot fail; fall back to a fixed body regardless.
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| {
            br#"{"error":"server_error","error_description":"error rendering failed"}"#.to_vec()
        });
        let mut response = json_response(self.status(), bytes);
        let headers = response.headers_mut();
        match self {
            TokenError::MethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            TokenError::InvalidClient(_) => {
                // RFC 6749 §5.2: a 401 names the scheme the client may authenticate with.
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"tokenspec\""),
                );
            }
            _ => {}
        }
        response
    }
}

/// A JSON response with the no-store headers of RFC 6749 §5.1.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.reserve(3);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
