//! JWT rules: shape, algorithm allow-list, signature, `iat`, `exp`, `iss`, `aud`, `jti`, `kid`.
//!
//! The header is read by hand before any library call so that `alg: none` (which no
//! `jsonwebtoken::Algorithm` can represent) is a named violation, not a decode error. The
//! signature is verified with the key the profile points at: the target's JWKS (the `kid` must
//! match, digest 8 and 16), a PEM public key, or the shared HS secret. `exp` must equal `iat` plus
//! the configured validity rounded up to whole seconds, with one second of slack for issuers that
//! compute both from separate clock reads; an immortal token has no `exp` (digest 14.14, seed 1.1).
//! `iss` and `aud` accept every form the docs give (the screenshots, digest 11.4, and the API
//! reference, 11.3) and name the whole set when failing; which form was seen is a note.

use std::str::FromStr as _;
use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use tokenspec_profile::JwtAlgorithm;

use super::{Violation, json_type, one_of};

/// How far `iat` may be from the harness's clock.
pub const IAT_SKEW: u64 = 60;

/// Where the verification key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// The target's published JWKS.
    Jwks(JwkSet),
    /// `target.jwt_public_key_pem`.
    Pem(String),
    /// `target.hs_secret`, for HS* tokens.
    Secret(Vec<u8>),
}

/// A verified JWT.
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    pub alg: JwtAlgorithm,
    pub kid: Option<String>,
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// Three non-empty base64url segments.
pub fn is_jwt_shaped(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|p| !p.is_empty())
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The `alg` and `kid` of the header, the alg checked against `allowed`.
pub fn header(
    token: &str,
    allowed: &[JwtAlgorithm],
) -> Result<(JwtAlgorithm, Option<String>), Violation> {
    if !is_jwt_shaped(token) {
        return Err(Violation::new(
            "the access token is a JWT",
            "three base64url segments",
            "not a JWT",
        ));
    }
    let head = token.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| {
            Violation::new(
                "the JWT header is base64url",
                "base64url",
                "undecodable header",
            )
        })?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| Violation::new("the JWT header is JSON", "a JSON object", "not JSON"))?;
    let alg_text = json
        .get("alg")
        .and_then(|a| a.as_str())
        .unwrap_or("(none given)");
    let allowed_text: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
    let alg = JwtAlgorithm::from_str(alg_text)
        .ok()
        .filter(|a| allowed.contains(a))
        .ok_or_else(|| {
            Violation::new(
                "the JWT algorithm is on the allow-list (never none)",
                one_of(&allowed_text),
                alg_text,
            )
        })?;
    let kid = json.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
    Ok((alg, kid))
}

/// Verifies the signature and returns the claims. `expected` is the fixture's configured
/// algorithm, when the profile names one.
pub fn verify(
    token: &str,
    allowed: &[JwtAlgorithm],
    expected: Option<JwtAlgorithm>,
    keys: &KeySource,
) -> Result<VerifiedJwt, Violation> {
    let (alg, kid) = header(token, allowed)?;
    if let Some(e) = expected.filter(|e| *e != alg) {
        return Err(Violation::new(
            "the JWT is signed with the configured algorithm",
            e.as_str(),
            alg.as_str(),
        ));
    }
    let lib_alg = jsonwebtoken::Algorithm::from_str(alg.as_str()).map_err(|_| {
        Violation::new(
            "the JWT algorithm is supported",
            "a known algorithm",
            alg.as_str(),
        )
    })?;
    let key = match keys {
        KeySource::Secret(s) => DecodingKey::from_secret(s).map_err(|e| {
            Violation::new(
                "the HS secret is usable",
                "a non-empty secret",
                e.to_string(),
            )
        })?,
        KeySource::Pem(pem) => {
            let k = if alg.as_str().starts_with("ES") {
                DecodingKey::from_ec_pem(pem.as_bytes())
            } else {
                DecodingKey::from_rsa_pem(pem.as_bytes())
            };
            k.map_err(|e| {
                Violation::new(
                    "the profile's public key is usable",
                    "a PEM public key",
                    e.to_string(),
                )
            })?
        }
        KeySource::Jwks(set) => {
            let kid = kid.as_deref().ok_or_else(|| {
                Violation::new(
                    "the JWT header has a kid that is in the JWKS",
                    "a kid",
                    "no kid",
                )
            })?;
            let jwk = set.find(kid).ok_or_else(|| {
                let kids: Vec<String> = set
                    .keys
                    .iter()
                    .filter_map(|k| k.common.key_id.clone())
                    .collect();
                Violation::new("the JWT kid is in the target's JWKS", one_of(&kids), kid)
            })?;
            DecodingKey::from_jwk(jwk).map_err(|e| {
                Violation::new("the JWKS key is usable", "a valid JWK", e.to_string())
            })?
        }
    };
    let mut v = Validation::new(lib_alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Violation::new(
                "the JWT signature verifies",
                "a valid signature",
                "signature does not verify",
            ),
            _ => Violation::new("the JWT decodes and verifies", "a valid JWT", e.to_string()),
        })?;
    Ok(VerifiedJwt {
        alg,
        kid,
        claims: data.claims,
    })
}

/// An integer claim.
pub fn int_claim(
    claims: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Option<u64>, Violation> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            Violation::new(
                format!("the {name} claim is epoch seconds"),
                "integer",
                json_type(v),
            )
        }),
    }
}

/// `iat` is present and within [`IAT_SKEW`] seconds of `now` (epoch seconds).
pub fn iat_sane(
    claims: &serde_json::Map<String, serde_json::Value>,
    now: u64,
) -> Result<u64, Violation> {
    let iat = int_claim(claims, "iat")?
        .ok_or_else(|| Violation::new("the JWT has an iat claim", "iat", "absent"))?;
    if iat.abs_diff(now) > IAT_SKEW {
        return Err(Violation::new(
            format!("iat is within {IAT_SKEW} s of the harness clock"),
            format!("about {now}"),
            iat.to_string(),
        ));
    }
    Ok(iat)
}

/// `exp` is `iat` + `validity` (rounded up to whole seconds, ±1 s), or absent when immortal.
pub fn exp_matches(
    claims: &serde_json::Map<String, serde_json::Value>,
    iat: u64,
    validity: Option<Duration>,
) -> Result<(), Violation> {
    let exp = int_claim(claims, "exp")?;
    match (validity, exp) {
        (None, None) => Ok(()),
        (None, Some(exp)) => Err(Violation::new(
            "an immortal token has no exp claim",
            "no exp",
            exp.to_string(),
        )),
        (Some(_), None) => Err(Violation::new("the JWT has an exp claim", "exp", "absent")),
        (Some(d), Some(exp)) => {
            let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            let want = iat + secs;
            if exp.abs_diff(want) <= 1 {
                Ok(())
            } else {
                Err(Violation::new(
                    format!("exp is iat + the configured validity ({secs} s)"),
                    format!("{want} (iat {iat} + {secs})"),
                    format!("{exp} (iat + {})", exp as i128 - iat as i128),
                ))
            }
        }
    }
}

/// Which of the accepted forms an `iss` claim took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssForm {
    /// The principal: the client id for `client_credentials`, the username for `password`, as
    /// the screenshots show (digest 11.4).
    Principal,
    /// A gateway address ending in the mode prefix, as the API reference documents it
    /// (`https://<host>/auth`, digest 11.3).
    GatewayUrl,
}

/// `iss` is `principal` (digest 11.4 observed) or an `http(s)://` URL whose path is the mode
/// `prefix` (digest 11.3: "the gateway address", e.g. `https://<host>/auth`). The host is not
/// judged: the gateway's public address need not be the one the suite talks to.
pub fn iss_is(
    claims: &serde_json::Map<String, serde_json::Value>,
    principal: &str,
    principal_is: &str,
    prefix: &str,
) -> Result<IssForm, Violation> {
    let expected = format!(
        "\"{principal}\" (the {principal_is}, digest 11.4) or a gateway URL such as \"https://<host>{prefix}\" (digest 11.3)"
    );
    let rule = "the JWT's iss claim is the principal or the gateway address (digest 11.3, 11.4)";
    let iss = match claims.get("iss") {
        Some(serde_json::Value::String(s)) => s.as_str(),
        Some(v) => return Err(Violation::new(rule, expected, json_type(v))),
        None => return Err(Violation::new(rule, expected, "no iss claim")),
    };
    if iss == principal {
        return Ok(IssForm::Principal);
    }
    let path = iss
        .strip_prefix("https://")
        .or_else(|| iss.strip_prefix("http://"))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]));
    if path.is_some_and(|p| p.trim_end_matches('/') == prefix) {
        return Ok(IssForm::GatewayUrl);
    }
    Err(Violation::new(rule, expected, format!("\"{iss}\"")))
}

/// `aud` (a string, or an array holding one) is one of `accepted`.
pub fn aud_in(
    claims: &serde_json::Map<String, serde_json::Value>,
    accepted: &[String],
) -> Result<String, Violation> {
    let rule = "the JWT's aud claim names the client (digest 11.3, 11.4)";
    let quoted: Vec<String> = accepted.iter().map(|a| format!("\"{a}\"")).collect();
    let got: Vec<&str> = match claims.get("aud") {
        Some(serde_json::Value::String(s)) => vec![s.as_str()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
        Some(v) => return Err(Violation::new(rule, one_of(&quoted), json_type(v))),
        None => return Err(Violation::new(rule, one_of(&quoted), "no aud claim")),
    };
    got.iter()
        .find(|g| accepted.iter().any(|a| a == *g))
        .map(|g| (*g).to_owned())
        .ok_or_else(|| {
            let shown: Vec<String> = got.iter().map(|g| format!("\"{g}\"")).collect();
            Violation::new(rule, one_of(&quoted), shown.join(", "))
        })
}

/// `jti` is a non-empty string (RFC 7519 §4.1.7; every screenshot has one, digest 11.4).
pub fn jti(claims: &serde_json::Map<String, serde_json::Value>) -> Result<String, Violation> {
    let rule = "the JWT carries a jti claim (RFC 7519 §4.1.7, digest 11.4)";
    match claims.get("jti") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(serde_json::Value::String(_)) => {
            Err(Violation::new(rule, "a non-empty string", "\"\""))
        }
        Some(v) => Err(Violation::new(rule, "a non-empty string", json_type(v))),
        None => Err(Violation::new(rule, "a jti", "no jti claim")),
    }
}

/// `jti` differs from every `earlier` one.
pub fn jti_unique(jti: &str, earlier: &[String]) -> Result<(), Violation> {
    if earlier.iter().any(|e| e == jti) {
        Err(Violation::new(
            "every JWT has its own jti (RFC 7519 §4.1.7: unique per token)",
            "a jti no earlier token of the scenario had",
            format!("the same jti as an earlier token (\"{jti}\")"),
        ))
    } else {
        Ok(())
    }
}

/// The header's `kid` names a key of `set` whose `alg`, when the JWKS gives one, is the token's
/// (digest 8: "the JWKS `keys[].kid` matches the JWT header `kid`").
pub fn kid_in_jwks(kid: Option<&str>, alg: JwtAlgorithm, set: &JwkSet) -> Result<(), Violation> {
    let kids: Vec<String> = set
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    let rule = "the JWT header's kid names a key of the target's JWKS (digest 8)";
    let Some(kid) = kid else {
        return Err(Violation::new(rule, one_of(&kids), "no kid in the header"));
    };
    let Some(jwk) = set.find(kid) else {
        return Err(Violation::new(rule, one_of(&kids), format!("\"{kid}\"")));
    };
    match jwk.common.key_algorithm.map(|a| format!("{a:?}")) {
        Some(ka) if ka != alg.as_str() => Err(Violation::new(
            "the JWKS key the kid names is for the token's algorithm",
            alg.as_str(),
            ka,
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hs_token(claims: serde_json::Value, secret: &[u8]) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(secret).expect("key");
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("encode")
    }

    fn claims(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn hs256_verifies_with_the_right_secret_only() {
        let t = hs_token(
            json!({"iat": 1, "scope": "orders"}),
            b"0123456789abcdef0123456789abcdef",
        );
        let ok = verify(
            &t,
            &[JwtAlgorithm::HS256],
            None,
            &KeySource::Secret(b"0123456789abcdef0123456789abcdef".to_vec()),
        )
        .expect("verifies");
        assert_eq!(ok.claims.get("scope"), Some(&json!("orders")));
        let bad = verify(
            &t,
            &[JwtAlgorithm::HS256],
            None,
            &KeySource::Secret(b"another-secret-another-secret-xx".to_vec()),
        )
        .expect_err("wrong secret");
        assert_eq!(bad.rule, "the JWT signature verifies");
    }

    #[test]
    fn alg_none_and_off_list_algorithms_are_refused() {
        let none = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"iat":1}"#)
        );
        let v = header(&none, &[JwtAlgorithm::RS256]).expect_err("none");
        assert_eq!(v.actual, "none");
        let t = hs_token(json!({"iat": 1}), b"0123456789abcdef0123456789abcdef");
        assert!(header(&t, &[JwtAlgorithm::RS256]).is_err());
    }

    #[test]
    fn exp_is_iat_plus_validity_within_a_second() {
        let d = Some(Duration::from_secs(60));
        assert!(exp_matches(&claims(json!({"exp": 1060})), 1000, d).is_ok());
        assert!(exp_matches(&claims(json!({"exp": 1061})), 1000, d).is_ok());
        assert!(exp_matches(&claims(json!({"exp": 1062})), 1000, d).is_err());
        assert!(exp_matches(&claims(json!({})), 1000, d).is_err());
        assert!(exp_matches(&claims(json!({})), 1000, None).is_ok());
        assert!(exp_matches(&claims(json!({"exp": 5})), 1000, None).is_err());
        let half = Some(Duration::from_millis(1500));
        assert!(exp_matches(&claims(json!({"exp": 1002})), 1000, half).is_ok());
    }

    #[test]
    fn iss_is_the_principal_or_a_gateway_url_on_the_mode_prefix() {
        let c = |v: serde_json::Value| claims(json!({ "iss": v }));
        assert_eq!(
            iss_is(&c(json!("alice")), "alice", "username", "/auth"),
            Ok(IssForm::Principal)
        );
        assert_eq!(
            iss_is(
                &c(json!("https://gw.example/auth")),
                "alice",
                "username",
                "/auth"
            ),
            Ok(IssForm::GatewayUrl)
        );
        assert_eq!(
            iss_is(
                &c(json!("http://10.0.0.1:8080/credential/")),
                "k",
                "client id",
                "/credential"
            ),
            Ok(IssForm::GatewayUrl)
        );
        let v = iss_is(&c(json!("bob")), "alice", "username", "/auth").expect_err("wrong user");
        assert!(
            v.expected.contains("\"alice\"") && v.expected.contains("/auth"),
            "{v}"
        );
        assert!(
            iss_is(
                &c(json!("https://gw.example/credential")),
                "a",
                "username",
                "/auth"
            )
            .is_err()
        );
        assert!(iss_is(&c(json!(7)), "a", "username", "/auth").is_err());
        assert!(iss_is(&claims(json!({})), "a", "username", "/auth").is_err());
    }

    #[test]
    fn aud_is_one_of_the_accepted_set_as_string_or_array() {
        let ok = ["#GW#k".to_owned(), "k".to_owned()];
        assert!(aud_in(&claims(json!({"aud": "#GW#k"})), &ok).is_ok());
        assert!(aud_in(&claims(json!({"aud": ["x", "k"]})), &ok).is_ok());
        let v = aud_in(&claims(json!({"aud": "other"})), &ok).expect_err("wrong aud");
        assert_eq!(v.expected, "\"#GW#k\" or \"k\"");
        assert!(aud_in(&claims(json!({})), &ok).is_err());
    }

    #[test]
    fn jti_is_present_and_unique() {
        assert_eq!(jti(&claims(json!({"jti": "a"}))), Ok("a".to_owned()));
        assert!(jti(&claims(json!({"jti": ""}))).is_err());
        assert!(jti(&claims(json!({"jti": 1}))).is_err());
        assert!(jti(&claims(json!({}))).is_err());
        assert!(jti_unique("b", &["a".to_owned()]).is_ok());
        assert!(jti_unique("a", &["a".to_owned()]).is_err());
    }

    #[test]
    fn kid_must_name_a_jwks_key_of_the_tokens_algorithm() {
        let set: JwkSet = serde_json::from_value(json!({"keys": [{
            "kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
            "n": "sXch", "e": "AQAB"
        }]}))
        .expect("jwks");
        assert!(kid_in_jwks(Some("k1"), JwtAlgorithm::RS256, &set).is_ok());
        assert!(kid_in_jwks(Some("k1"), JwtAlgorithm::RS384, &set).is_err());
        let v = kid_in_jwks(Some("k2"), JwtAlgorithm::RS256, &set).expect_err("unknown kid");
        assert_eq!(v.expected, "k1");
        assert!(kid_in_jwks(None, JwtAlgorithm::RS256, &set).is_err());
    }

    #[test]
    fn iat_must_be_near_now() {
        assert!(iat_sane(&claims(json!({"iat": 1000})), 1030).is_ok());
        assert!(iat_sane(&claims(json!({"iat": 1000})), 2000).is_err());
        assert!(iat_sane(&claims(json!({})), 1000).is_err());
        assert!(iat_sane(&claims(json!({"iat": "1000"})), 1000).is_err());
    }
}
