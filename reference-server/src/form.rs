//! Request parameters: the `application/x-www-form-urlencoded` body (or GET query) of a token or
//! introspection request, and the client credentials from the form or an HTTP Basic header.
//!
//! Parsed by hand rather than with axum's `Form` because the rules are stricter than serde's:
//! a repeated parameter is an error (RFC 6749 §3.2), an empty value counts as absent (same
//! section), unknown parameters are ignored, and bytes that do not decode to UTF-8 are
//! `invalid_request` instead of being replaced. Every failure is a [`TokenError`], never a panic.

use std::borrow::Cow;

use axum::http::HeaderMap;
use axum::http::header;
use base64::Engine as _;
use percent_encoding::percent_decode;

use crate::error::TokenError;

/// The parameters the issuer reads. Everything else in the form is ignored.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub token: Option<String>,
}

impl Params {
    /// Parses a urlencoded string (body or query).
    pub fn parse(input: &[u8]) -> Result<Params, TokenError> {
        let mut params = Params::default();
        for pair in input.split(|b| *b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (raw_key, raw_value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let key = decode(raw_key)?;
            let Some(slot) = params.slot(&key) else {
                continue;
            };
            if slot.is_some() {
                return Err(TokenError::InvalidRequest(
                    "a parameter is repeated (RFC 6749 section 3.2)",
                ));
            }
            let value = decode(raw_value)?;
            // An empty value is kept as "" so a later repetition is still detected; `take`
            // below turns it into "absent".
            *slot = Some(value.into_owned());
        }
        for field in [
            &mut params.grant_type,
            &mut params.client_id,
            &mut params.client_secret,
            &mut params.username,
            &mut params.password,
            &mut params.refresh_token,
            &mut params.scope,
            &mut params.token,
        ] {
            if field.as_deref() == Some("") {
                *field = None;
            }
        }
        Ok(params)
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "grant_type" => &mut self.grant_type,
            "client_id" => &mut self.client_id,
            "client_secret" => &mut self.client_secret,
            "username" => &mut self.username,
            "password" => &mut self.password,
            "refresh_token" => &mut self.refresh_token,
            "scope" => &mut self.scope,
            "token" => &mut self.token,
            _ => return None,
        })
    }
}

/// Decodes one form component: `+` is a space, `%XX` a byte, the result must be UTF-8.
fn decode(raw: &[u8]) -> Result<Cow<'_, str>, TokenError> {
    let invalid = || TokenError::InvalidRequest("the form is not valid UTF-8 after decoding");
    if !raw.iter().any(|b| matches!(b, b'+' | b'%')) {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| invalid());
    }
    let plus_replaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus_replaced).collect();
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| invalid())
}

/// Client credentials as presented, before they are checked.
#[derive(Debug)]
pub(crate) struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// Whether the body must be treated as a form: `application/x-www-form-urlencoded`, with any
/// parameters (a `charset` is fine, digest 1.5 / APNZ-2870), case-insensitive.
pub(crate) fn is_form_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// The client credentials of a request: HTTP Basic (RFC 6749 §2.3.1) or the form's
/// `client_id`/`client_secret`. Rules from digest 1.4: both at once is `invalid_request`; a
/// malformed Basic header is `invalid_client`; another scheme (e.g. Bearer) is ignored.
pub(crate) fn client_credentials(
    headers: &HeaderMap,
    params: &mut Params,
) -> Result<ClientCredentials, TokenError> {
    if let Some(basic) = basic_credentials(headers)? {
        if params.client_id.is_some() || params.client_secret.is_some() {
            return Err(TokenError::InvalidRequest(
                "client credentials in both the Authorization header and the form",
            ));
        }
        return Ok(basic);
    }
    let Some(client_id) = params.client_id.take() else {
        return Err(TokenError::InvalidRequest("client_id is missing"));
    };
    Ok(ClientCredentials {
        client_id,
        client_secret: params.client_secret.take(),
    })
}

fn basic_credentials(headers: &HeaderMap) -> Result<Option<ClientCredentials>, TokenError> {
    let malformed = TokenError::InvalidClient("malformed Basic authorization header");
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.as_bytes();
    let Some(space) = value.iter().position(|b| *b == b' ') else {
        return Ok(None);
    };
    if !value[..space].eq_ignore_ascii_case(b"basic") {
        return Ok(None);
    }
    let encoded = value[space + 1..].trim_ascii();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| malformed)?;
    let Some(colon) = decoded.iter().position(|b| *b == b':') else {
        return Err(malformed);
    };
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    let id = decode(&decoded[..colon]).map_err(|_| malformed)?;
    let secret = decode(&decoded[colon + 1..]).map_err(|_| malformed)?;
    if id.is_empty() {
        return Err(malformed);
    }
    Ok(Some(ClientCredentials {
        client_id: id.into_owned(),
        client_secret: (!secret.is_empty()).then(|| secret.into_owned()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_fields_and_ignores_others() {
        let p = Params::parse(b"grant_type=password&x=1&username=a+b&password=p%26q").unwrap();
        assert_eq!(p.grant_type.as_deref(), Some("password"));
        assert_eq!(p.username.as_deref(), Some("a b"));
        assert_eq!(p.password.as_deref(), Some("p&q"));
    }

    #[test]
    fn repeated_parameter_is_invalid_request() {
        let e = Params::parse(b"grant_type=a&grant_type=b").unwrap_err();
        assert_eq!(e.code(), "invalid_request");
        // Repeated even when the first value was empty.
        assert!(Params::parse(b"scope=&scope=x").is_err());
        // Unknown parameters may repeat.
        assert!(Params::parse(b"x=1&x=2").is_ok());
    }

    #[test]
    fn empty_value_is_absent() {
        let p = Params::parse(b"client_secret=&scope").unwrap();
        assert!(p.client_secret.is_none());
        assert!(p.scope.is_none());
    }

    #[test]
    fn invalid_utf8_is_invalid_request() {
        assert!(Params::parse(b"username=%ff%fe").is_err());
        assert!(Params::parse(b"username=\xff").is_err());
    }

    #[test]
    fn content_type_with_charset() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert!(is_form_content_type(&h));
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_form_content_type(&h));
    }

    #[test]
    fn basic_and_form_together_is_invalid_request() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Basic YTpi".parse().unwrap());
        let mut p = Params::parse(b"client_id=a").unwrap();
        assert_eq!(
            client_credentials(&h, &mut p).unwrap_err().code(),
            "invalid_request"
        );
        let mut p = Params::parse(b"").unwrap();
        let c = client_credentials(&h, &mut p).unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.client_secret.as_deref()),
            ("a", Some("b"))
        );
    }

    #[test]
    fn malformed_basic_is_invalid_client_and_bearer_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        let mut p = Params::parse(b"client_id=a").unwrap();
        assert_eq!(
            client_credentials(&h, &mut p).unwrap_err().code(),
            "invalid_client"
        );
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        let c = client_credentials(&h, &mut p).unwrap();
        assert_eq!(c.client_id, "a");
    }
}
