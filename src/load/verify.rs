//! JWT signature verification for the sampled responses of a load run.
//!
//! Keys are resolved once, before the first request: HS* fixtures verify with the profile's
//! `hs_secret`; RS*/ES* fixtures with the target's JWKS (keys matched by `kid`), or the profile's
//! `jwt_public_key_pem` when the target publishes none. Verification checks the signature, the
//! header `alg` against the fixture's algorithm, and `exp` for expiring fixtures; audience,
//! issuer and the other claims are the suite's business, not the load mode's.

use std::collections::{HashMap, HashSet};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokenspec_profile::{Expiry, JwtAlgorithm, Profile};

use super::error::LoadError;
use super::plan::Plan;

/// Verifies signatures of one fixture's JWTs.
pub struct SignatureVerifier {
    keys: Keys,
    validation: Validation,
}

enum Keys {
    /// One key for every token (HS* secret or a PEM from the profile).
    Single(DecodingKey),
    /// JWKS keys by `kid`; the entry under `None` serves tokens without `kid`.
    ByKid(HashMap<Option<String>, DecodingKey>),
}

impl SignatureVerifier {
    /// Resolves the verification key of `plan`'s fixture. `None` when the fixture issues no JWT.
    pub async fn for_plan(
        plan: &Plan,
        profile: &Profile,
        client: &reqwest::Client,
    ) -> Result<Option<SignatureVerifier>, LoadError> {
        let Some(alg) = plan.jwt else {
            return Ok(None);
        };
        let no_key = |reason: String| LoadError::NoVerificationKey {
            fixture: plan.fixture.id.clone(),
            reason,
        };
        let keys = if alg.is_symmetric() {
            let secret = profile
                .target
                .hs_secret
                .as_ref()
                .ok_or_else(|| no_key("the profile has no target.hs_secret".to_owned()))?;
            Keys::Single(
                DecodingKey::from_secret(secret.expose().as_bytes())
                    .map_err(|e| no_key(format!("hs_secret unusable: {e}")))?,
            )
        } else {
            match fetch_jwks(client, &plan.jwks_url).await {
                Ok(set) => {
                    let mut map = HashMap::new();
                    for jwk in &set.keys {
                        if let Ok(key) = DecodingKey::from_jwk(jwk) {
                            map.insert(jwk.common.key_id.clone(), key);
                        }
                    }
                    if map.is_empty() {
                        return Err(no_key(format!(
                            "the JWKS at {} holds no usable key",
                            plan.jwks_url
                        )));
                    }
                    Keys::ByKid(map)
                }
                Err(jwks_error) => match &profile.target.jwt_public_key_pem {
                    Some(pem) => Keys::Single(
                        pem_key(alg, pem)
                            .map_err(|e| no_key(format!("jwt_public_key_pem: {e}")))?,
                    ),
                    None => return Err(no_key(jwks_error)),
                },
            }
        };

        let mut validation = Validation::new(algorithm(alg));
        validation.validate_aud = false;
        match plan.fixture.expiry {
            Expiry::Never => {
                validation.validate_exp = false;
                validation.required_spec_claims = HashSet::new();
            }
            Expiry::After(_) => validation.set_required_spec_claims(&["exp"]),
        }
        Ok(Some(SignatureVerifier { keys, validation }))
    }

    /// Checks one token; the error is safe to print (it never quotes the token).
    pub fn verify(&self, token: &str) -> Result<(), String> {
        let key = match &self.keys {
            Keys::Single(key) => key,
            Keys::ByKid(map) => {
                let header =
                    jsonwebtoken::decode_header(token).map_err(|e| format!("bad header: {e}"))?;
                map.get(&header.kid).ok_or_else(|| match &header.kid {
                    Some(kid) => format!("kid `{kid}` is not in the target's JWKS"),
                    None => "the token has no kid and the JWKS has no key without one".to_owned(),
                })?
            }
        };
        jsonwebtoken::decode::<serde_json::Value>(token, key, &self.validation)
            .map(|_| ())
            .map_err(|e| format!("verification failed: {e}"))
    }
}

async fn fetch_jwks(client: &reqwest::Client, url: &str) -> Result<JwkSet, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("JWKS request to {url} failed: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("JWKS at {url} answered {status}"));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("JWKS body from {url}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("JWKS at {url} is not a JWK set: {e}"))
}

fn pem_key(alg: JwtAlgorithm, pem: &str) -> Result<DecodingKey, jsonwebtoken::errors::Error> {
    match alg {
        JwtAlgorithm::ES256 | JwtAlgorithm::ES384 => DecodingKey::from_ec_pem(pem.as_bytes()),
        _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
    }
}

/// The jsonwebtoken algorithm of a profile algorithm.
pub fn algorithm(alg: JwtAlgorithm) -> Algorithm {
    match alg {
        JwtAlgorithm::HS256 => Algorithm::HS256,
        JwtAlgorithm::HS384 => Algorithm::HS384,
        JwtAlgorithm::HS512 => Algorithm::HS512,
        JwtAlgorithm::RS256 => Algorithm::RS256,
        JwtAlgorithm::RS384 => Algorithm::RS384,
        JwtAlgorithm::RS512 => Algorithm::RS512,
        JwtAlgorithm::ES256 => Algorithm::ES256,
        JwtAlgorithm::ES384 => Algorithm::ES384,
    }
}
