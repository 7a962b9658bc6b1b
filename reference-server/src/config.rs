//! The issuer's state: the shared profile mapped onto what a request needs, computed once.
//!
//! The profile crate owns the meaning of every key; this module only precomputes: a client-id
//! index, SHA-256 digests of secrets and passwords (so comparisons are constant-time over a
//! fixed length, and an unknown client is compared against a dummy of the same shape), the `aud`
//! of each fixture, the signing keys and the JWKS. Nothing here is per request.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use subtle::ConstantTimeEq as _;
use tokenspec_profile::{Fixture, ManagedFrom, Profile};

use crate::error::StartError;
use crate::fault::Faults;
use crate::store::Store;
use crate::token::{JwtSigner, Keys};

/// A SHA-256 digest of a secret.
pub(crate) type SecretDigest = [u8; 32];

pub(crate) fn secret_digest(value: &str) -> SecretDigest {
    let d = digest::digest(&digest::SHA256, value.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Constant-time comparison of a presented value with a stored digest.
pub(crate) fn secret_matches(presented: &str, stored: &SecretDigest) -> bool {
    secret_digest(presented).ct_eq(stored).into()
}

/// A user of a fixture's authentication pool, with the password digested.
pub(crate) struct PoolUser {
    pub password: SecretDigest,
    /// The username, shared by every token issued to this user.
    pub name: Arc<str>,
}

/// Per-fixture values derived once.
pub(crate) struct FixtureState {
    pub secret: SecretDigest,
    pub users: HashMap<String, PoolUser>,
    /// `aud`: `#GW#` + client id in policy mode, the client id in ACL mode (digest 11.4).
    pub aud: String,
}

/// Everything a request handler reads.
pub(crate) struct Issuer {
    pub profile: Profile,
    pub clients: HashMap<String, usize>,
    pub fixtures: Vec<FixtureState>,
    pub keys: Keys,
    pub store: Store,
    pub faults: Faults,
    /// Compared against when the client or user is unknown, so the timing matches a known one.
    pub dummy: SecretDigest,
    /// How long a client may take to deliver its request body.
    pub request_timeout: Duration,
}

impl Issuer {
    pub fn new(
        profile: Profile,
        faults: Faults,
        request_timeout: Duration,
    ) -> Result<Issuer, StartError> {
        let keys = Keys::for_profile(&profile)?;
        let mut clients = HashMap::with_capacity(profile.fixtures.len());
        let mut fixtures = Vec::with_capacity(profile.fixtures.len());
        for (i, f) in profile.fixtures.iter().enumerate() {
            clients.insert(f.client_id.clone(), i);
            fixtures.push(FixtureState {
                secret: secret_digest(f.client_secret.expose()),
                users: f
                    .users
                    .iter()
                    .map(|u| {
                        (
                            u.username.clone(),
                            PoolUser {
                                password: secret_digest(u.password.expose()),
                                name: Arc::from(u.username.as_str()),
                            },
                        )
                    })
                    .collect(),
                aud: match f.managed_from {
                    ManagedFrom::Policy => format!("#GW#{}", f.client_id),
                    ManagedFrom::Acl => f.client_id.clone(),
                },
            });
        }
        let dummy = secret_digest(&crate::store::TokenKey::random().to_hex());
        Ok(Issuer {
            profile,
            clients,
            fixtures,
            keys,
            store: Store::new(),
            faults,
            dummy,
            request_timeout,
        })
    }

    /// The fixture with this client id, and its index.
    pub fn client(&self, client_id: &str) -> Option<(usize, &Fixture)> {
        let i = *self.clients.get(client_id)?;
        Some((i, &self.profile.fixtures[i]))
    }

    /// The signer for a JWT fixture.
    pub fn signer(&self, fixture: &Fixture) -> Option<&JwtSigner> {
        self.keys.signer(fixture.jwt_algorithm?)
    }
}
