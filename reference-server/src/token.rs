//! Token material: JWT signing keys, the JWS compact encoding, the JWKS, random ids.
//!
//! JWTs are built by hand (base64url header, claims and signature) with keys parsed once at start,
//! because `jsonwebtoken::encode` re-parses the key on every call and RSA key parsing costs more
//! than the signature. One RSA-2048 key (generated at start with aws-lc-rs) serves RS256/384/512,
//! each algorithm under its own `kid` so a JWKS entry's `alg` always matches the tokens that
//! name it; ES256/ES384 get their own keys. HS* tokens use the profile's `hs_secret`, which is
//! never published. Algorithm `none` cannot be produced: it has no [`JwtAlgorithm`] variant.

use std::collections::BTreeMap;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _, RsaEncoding, RsaKeyPair,
};
use aws_lc_rs::{hmac, rsa};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngExt as _;
use serde::Serialize;
use tokenspec_profile::{JwtAlgorithm, Profile};

use crate::error::StartError;

/// A random UUID (version 4), for `jti` and `kid`.
pub(crate) fn random_uuid() -> uuid::Uuid {
    let bytes: [u8; 16] = rand::rng().random();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// One algorithm's signing key, parsed once.
pub(crate) enum Signer {
    Rsa {
        key: std::sync::Arc<RsaKeyPair>,
        encoding: &'static dyn RsaEncoding,
    },
    Ecdsa(std::sync::Arc<EcdsaKeyPair>),
    Hmac(Box<hmac::Key>),
}

/// A signer plus its precomputed, base64url-encoded JWS header.
pub(crate) struct JwtSigner {
    signer: Signer,
    header_b64: String,
    /// The public key and its verification algorithm (asymmetric algorithms only).
    public: Option<(Vec<u8>, &'static dyn signature::VerificationAlgorithm)>,
}

impl JwtSigner {
    /// Encodes `claims` as a compact JWS.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, SignError> {
        let claims = serde_json::to_vec(claims).map_err(|_| SignError)?;
        let mut jwt = String::with_capacity(self.header_b64.len() + claims.len() * 4 / 3 + 360);
        jwt.push_str(&self.header_b64);
        jwt.push('.');
        B64.encode_string(&claims, &mut jwt);
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa { key, encoding } => {
                let mut sig = vec![0u8; key.public_modulus_len()];
                key.sign(*encoding, &rng, jwt.as_bytes(), &mut sig)
                    .map_err(|_| SignError)?;
                jwt.push('.');
                B64.encode_string(&sig, &mut jwt);
            }
            Signer::Ecdsa(key) => {
                let sig = key.sign(&rng, jwt.as_bytes()).map_err(|_| SignError)?;
                jwt.push('.');
                B64.encode_string(sig.as_ref(), &mut jwt);
            }
            Signer::Hmac(key) => {
                let tag = hmac::sign(key, jwt.as_bytes());
                jwt.push('.');
                B64.encode_string(tag.as_ref(), &mut jwt);
            }
        }
        Ok(jwt)
    }

    /// Whether `signature` is this key's signature over `message`.
    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match (&self.signer, &self.public) {
            (Signer::Hmac(key), _) => hmac::verify(key, message, sig).is_ok(),
            (_, Some((public, alg))) => signature::UnparsedPublicKey::new(*alg, public)
                .verify(message, sig)
                .is_ok(),
            _ => false,
        }
    }
}

/// Signing failed inside aws-lc (not caused by client input).
#[derive(Debug)]
pub(crate) struct SignError;

/// Every signing key the profile needs, and the JWKS that publishes the asymmetric ones.
pub(crate) struct Keys {
    signers: BTreeMap<JwtAlgorithm, JwtSigner>,
    /// The JWKS document, rendered once.
    pub jwks: Vec<u8>,
}

#[derive(Serialize)]
struct Jwk {
    kty: &'static str,
    kid: String,
    #[serde(rename = "use")]
    use_: &'static str,
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crv: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<String>,
}

#[derive(Serialize)]
struct JwsHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    typ: &'static str,
}

impl Keys {
    /// Generates (or derives) a key for every algorithm a fixture of `profile` names.
    pub fn for_profile(profile: &Profile) -> Result<Keys, StartError> {
        let mut algorithms: Vec<(JwtAlgorithm, &str)> = Vec::new();
        for f in &profile.fixtures {
            if let Some(alg) = f.jwt_algorithm
                && !algorithms.iter().any(|(a, _)| *a == alg)
            {
                algorithms.push((alg, &f.id));
            }
        }
        let mut rsa_key: Option<std::sync::Arc<RsaKeyPair>> = None;
        let mut signers = BTreeMap::new();
        let mut jwks = Vec::new();
        for (alg, fixture) in algorithms {
            let kid = random_uuid().to_string();
            let mut verifier = None;
            let signer = match alg {
                JwtAlgorithm::RS256 | JwtAlgorithm::RS384 | JwtAlgorithm::RS512 => {
                    let key = match &rsa_key {
                        Some(k) => k.clone(),
                        None => {
                            let k = std::sync::Arc::new(
                                RsaKeyPair::generate(rsa::KeySize::Rsa2048).map_err(|_| {
                                    StartError::Key {
                                        algorithm: "RSA-2048",
                                    }
                                })?,
                            );
                            rsa_key = Some(k.clone());
                            k
                        }
                    };
                    let public = key.public_key();
                    let verify: &'static dyn signature::VerificationAlgorithm = match alg {
                        JwtAlgorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                        JwtAlgorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                        _ => &signature::RSA_PKCS1_2048_8192_SHA512,
                    };
                    verifier = Some((public.as_ref().to_vec(), verify));
                    jwks.push(Jwk {
                        kty: "RSA",
                        kid: kid.clone(),
                        use_: "sig",
                        alg: alg.as_str(),
                        n: Some(B64.encode(public.modulus().big_endian_without_leading_zero())),
                        e: Some(B64.encode(public.exponent().big_endian_without_leading_zero())),
                        crv: None,
                        x: None,
                        y: None,
                    });
                    let encoding: &'static dyn RsaEncoding = match alg {
                        JwtAlgorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                        JwtAlgorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                        _ => &signature::RSA_PKCS1_SHA512,
                    };
                    Signer::Rsa { key, encoding }
                }
                JwtAlgorithm::ES256 | JwtAlgorithm::ES384 => {
                    let (sig_alg, verify, crv, coord): (
                        &'static EcdsaSigningAlgorithm,
                        &'static dyn signature::VerificationAlgorithm,
                        _,
                        usize,
                    ) = if alg == JwtAlgorithm::ES256 {
                        (
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                            &signature::ECDSA_P256_SHA256_FIXED,
                            "P-256",
                            32,
                        )
                    } else {
                        (
                            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                            &signature::ECDSA_P384_SHA384_FIXED,
                            "P-384",
                            48,
                        )
                    };
                    let key = EcdsaKeyPair::generate(sig_alg).map_err(|_| StartError::Key {
                        algorithm: alg.as_str(),
                    })?;
                    // Uncompressed point: 0x04 || x || y.
                    let point = key.public_key().as_ref();
                    verifier = Some((point.to_vec(), verify));
                    if point.len() != 1 + 2 * coord {
                        return Err(StartError::Key {
                            algorithm: alg.as_str(),
                        });
                    }
                    jwks.push(Jwk {
                        kty: "EC",
                        kid: kid.clone(),
                        use_: "sig",
                        alg: alg.as_str(),
                        n: None,
                        e: None,
                        crv: Some(crv),
                        x: Some(B64.encode(&point[1..1 + coord])),
                        y: Some(B64.encode(&point[1 + coord..])),
                    });
                    Signer::Ecdsa(std::sync::Arc::new(key))
                }
                JwtAlgorithm::HS256 | JwtAlgorithm::HS384 | JwtAlgorithm::HS512 => {
                    let Some(secret) = &profile.target.hs_secret else {
                        return Err(StartError::Fixture {
                            fixture: fixture.to_owned(),
                            message: "an HS* algorithm needs target.hs_secret",
                        });
                    };
                    let hmac_alg = match alg {
                        JwtAlgorithm::HS256 => hmac::HMAC_SHA256,
                        JwtAlgorithm::HS384 => hmac::HMAC_SHA384,
                        _ => hmac::HMAC_SHA512,
                    };
                    Signer::Hmac(Box::new(hmac::Key::new(
                        hmac_alg,
                        secret.expose().as_bytes(),
                    )))
                }
            };
            let header = serde_json::to_vec(&JwsHeader {
                alg: alg.as_str(),
                kid: &kid,
                typ: "JWT",
            })
            .map_err(|_| StartError::Key {
                algorithm: alg.as_str(),
            })?;
            signers.insert(
                alg,
                JwtSigner {
                    signer,
                    header_b64: B64.encode(header),
                    public: verifier,
                },
            );
        }
        let jwks = serde_json::to_vec(&serde_json::json!({ "keys": jwks }))
            .map_err(|_| StartError::Key { algorithm: "JWKS" })?;
        Ok(Keys { signers, jwks })
    }

    /// The signer of `alg` (present for every algorithm a fixture names).
    pub fn signer(&self, alg: JwtAlgorithm) -> Option<&JwtSigner> {
        self.signers.get(&alg)
    }

    /// The decoded claims of a JWT this issuer signed, if its signature verifies. A token of
    /// ours carries exactly one of our precomputed headers, so the header selects the key and
    /// no algorithm named by the token is ever trusted.
    pub fn verified_claims(&self, jwt: &str) -> Option<Vec<u8>> {
        let mut parts = jwt.split('.');
        let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signer = self.signers.values().find(|s| s.header_b64 == header)?;
        let sig = B64.decode(sig).ok()?;
        let signing_input = &jwt[..header.len() + 1 + payload.len()];
        if !signer.verify(signing_input.as_bytes(), &sig) {
            return None;
        }
        B64.decode(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_v4() {
        assert_eq!(random_uuid().get_version_num(), 4);
    }
}
