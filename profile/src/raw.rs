//! The profile as written: a serde mirror of the TOML, checked only for key names and types.
//!
//! Unknown keys are rejected (`deny_unknown_fields`) so that a typo such as `grant-type` is an
//! error naming the key instead of a silently ignored setting. Closed sets are already enums
//! here; cross-key rules and `${VAR}` expansion happen in `validate`.

use serde::Deserialize;

use crate::model::{
    ExpiresInUnit, GrantType, JwtAlgorithm, KeyLevel, ManagedFrom, ScopeMismatch, TokenKind,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub target: RawTarget,
    #[serde(default)]
    pub fixtures: Vec<RawFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub base_url: Option<String>,
    #[serde(default)]
    pub expires_in_unit: ExpiresInUnit,
    #[serde(default)]
    pub scope_mismatch: ScopeMismatch,
    pub hs_secret: Option<String>,
    /// PEM file (path relative to the profile) with the public key to verify RS* tokens with,
    /// for targets that publish no JWKS.
    pub jwt_public_key_pem: Option<String>,
    #[serde(default)]
    pub x_fields: bool,
    pub request_timeout: Option<String>,
    /// Algorithms the harness accepts in a JWT header; defaults to RS256/384/512 and HS256/384/512.
    pub allowed_algorithms: Option<Vec<JwtAlgorithm>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFixture {
    pub id: String,
    pub token: TokenKind,
    pub managed_from: ManagedFrom,
    pub key_level: Option<KeyLevel>,
    pub grant_type: GrantType,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub allow_url_parameters: bool,
    pub jwt_signature_algorithm: Option<JwtAlgorithm>,
    #[serde(default)]
    pub token_never_expires: bool,
    pub token_expires_in: Option<String>,
    pub refresh: Option<RawRefresh>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub users: Vec<RawUser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRefresh {
    #[serde(default)]
    pub allowed: bool,
    pub count: Option<u32>,
    pub expires_in: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUser {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub roles: Vec<String>,
}
