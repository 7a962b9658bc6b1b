//! Server-side token state: opaque access tokens and refresh records.
//!
//! JWT access tokens are not stored (they verify by signature, digest 1.1); opaque tokens are,
//! with their expiry, and so is every refresh token with its count and window. Both maps are
//! sharded `Mutex<HashMap>`s so concurrent requests rarely contend. A refresh runs entirely
//! under its record's shard lock (check window, check count, count it, swap the opaque access
//! token), which is what makes "N concurrent refreshes never exceed the count" hold. Lock order
//! is always refresh shard, then access shard; issuance never holds two locks.
//!
//! Expired entries are removed by [`Store::purge`], which the server runs on an interval.
//!
//! Keys are the 16 random bytes behind a token's 32 hex characters ([`TokenKey`]), not strings:
//! no allocation per entry, and the bytes are already a uniform hash, so shard choice and
//! hashing are a load of the first bytes. Clients can look keys up but never choose one that is
//! inserted, so a weak hash gives them no way to flood a bucket.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use rand::RngExt as _;

const SHARDS: usize = 64;

/// An opaque token or refresh token: 128 random bits, written as 32 lowercase hex characters
/// (the shape of Apinizer's opaque tokens, digest 11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenKey([u8; 16]);

impl TokenKey {
    /// A fresh random key.
    pub fn random() -> TokenKey {
        TokenKey(rand::rng().random())
    }

    /// The key a client presented, if it has the shape of one of ours.
    pub fn parse(token: &str) -> Option<TokenKey> {
        let bytes = token.as_bytes();
        if bytes.len() != 32 {
            return None;
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 16];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
        }
        Some(TokenKey(out))
    }

    /// The token as sent to clients.
    pub fn to_hex(self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(32);
        for b in self.0 {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        out
    }

    fn word(self, i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
        u64::from_le_bytes(w)
    }
}

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.word(0));
    }
}

/// Passes a [`TokenKey`]'s first word through: it is already uniformly random.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `TokenKey`; a plain FNV-style fold keeps it correct regardless.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<TokenKey, V, BuildHasherDefault<KeyHasher>>;

/// A stored opaque access token.
#[derive(Debug, Clone)]
pub(crate) struct AccessRecord {
    /// Index of the fixture that issued it.
    pub fixture: usize,
    pub expires: Option<Instant>,
    /// `iat` / `exp` in epoch seconds, for introspection.
    pub iat: u64,
    pub exp: Option<u64>,
    pub username: Option<Arc<str>>,
    pub scope: Option<Arc<str>>,
}

/// A refresh token's state.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub fixture: usize,
    /// When the acquisition happened; the window is counted from here (digest 9, the FAQ).
    pub acquired_at: SystemTime,
    pub window_end: Instant,
    /// Refreshes done so far.
    pub used: u32,
    pub username: Option<Arc<str>>,
    pub scope: Option<Arc<str>>,
    /// The opaque access token currently issued under this refresh token (OAuth2 only).
    pub access: Option<TokenKey>,
}

/// Why a refresh was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRefusal {
    Unknown,
    Expired,
    Exhausted,
}

/// The limits a refresh is checked against (from the fixture, possibly switched off by a fault).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefreshLimits {
    pub count: u32,
    pub enforce_count: bool,
    pub enforce_window: bool,
    /// Whether the previous opaque access token dies (OAuth2 refresh, digest 9).
    pub invalidate_previous: bool,
}

struct Sharded<V> {
    shards: Box<[Mutex<KeyMap<V>>]>,
}

impl<V> Sharded<V> {
    fn new() -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| Mutex::new(KeyMap::default())).collect(),
        }
    }

    fn shard(&self, key: TokenKey) -> MutexGuard<'_, KeyMap<V>> {
        // The second word picks the shard, the first hashes inside it.
        let i = (key.word(1) as usize) % SHARDS;
        // A poisoned shard only means another request panicked while holding it; the map
        // itself is still consistent (every mutation is a single insert/remove).
        self.shards[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    /// Keeps the entries `keep` accepts; a shard left mostly empty gives its memory back, so
    /// the process shrinks after a burst of short-lived tokens expires.
    fn retain(&self, mut keep: impl FnMut(&V) -> bool) {
        for shard in self.shards.iter() {
            let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
            map.retain(|_, v| keep(v));
            if map.capacity() > 1024 && map.len() * 4 < map.capacity() {
                map.shrink_to_fit();
            }
        }
    }
}

/// How many entries the store holds (for tests and monitoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSizes {
    pub access_tokens: usize,
    pub refresh_tokens: usize,
}

/// Opaque access tokens and refresh records.
pub(crate) struct Store {
    access: Sharded<AccessRecord>,
    refresh: Sharded<RefreshRecord>,
}

impl Store {
    pub fn new() -> Self {
        Store {
            access: Sharded::new(),
            refresh: Sharded::new(),
        }
    }

    pub fn insert_access(&self, key: TokenKey, record: AccessRecord) {
        self.access.shard(key).insert(key, record);
    }

    pub fn insert_refresh(&self, key: TokenKey, record: RefreshRecord) {
        self.refresh.shard(key).insert(key, record);
    }

    /// The live access token `token`, if it exists and has not expired.
    pub fn access(&self, token: &str, now: Instant) -> Option<AccessRecord> {
        let key = TokenKey::parse(token)?;
        let shard = self.access.shard(key);
        let record = shard.get(&key)?;
        match record.expires {
            Some(e) if e <= now => None,
            _ => Some(record.clone()),
        }
    }

    /// Performs one refresh of `token` for `fixture`, atomically.
    ///
    /// `new_access` builds the opaque access token to install (OAuth2), or returns `None` (JWT).
    /// On success returns the record as it is after this refresh.
    pub fn refresh(
        &self,
        token: &str,
        fixture: usize,
        limits: RefreshLimits,
        now: Instant,
        new_access: impl FnOnce(&RefreshRecord) -> Option<(TokenKey, AccessRecord)>,
    ) -> Result<RefreshRecord, RefreshRefusal> {
        let Some(key) = TokenKey::parse(token) else {
            return Err(RefreshRefusal::Unknown);
        };
        let mut shard = self.refresh.shard(key);
        let Some(record) = shard.get_mut(&key) else {
            return Err(RefreshRefusal::Unknown);
        };
        if record.fixture != fixture {
            return Err(RefreshRefusal::Unknown);
        }
        if limits.enforce_window && record.window_end <= now {
            shard.remove(&key);
            return Err(RefreshRefusal::Expired);
        }
        if limits.enforce_count && record.used >= limits.count {
            // The FAQ (digest 9): the first over-limit request fails and clears the token; later ones find
            // nothing. Both are `invalid_grant`.
            shard.remove(&key);
            return Err(RefreshRefusal::Exhausted);
        }
        record.used = record.used.saturating_add(1);
        if let Some((access_key, access_record)) = new_access(record) {
            let previous = record.access.replace(access_key);
            self.insert_access(access_key, access_record);
            if limits.invalidate_previous
                && let Some(previous) = previous
            {
                self.access.shard(previous).remove(&previous);
            }
        }
        Ok(record.clone())
    }

    /// Removes expired access tokens and refresh records whose window has closed.
    pub fn purge(&self, now: Instant, keep_closed_windows: bool) {
        self.access
            .retain(|r| r.expires.is_none_or(|expires| expires > now));
        if !keep_closed_windows {
            self.refresh.retain(|r| r.window_end > now);
        }
    }

    pub fn sizes(&self) -> StoreSizes {
        StoreSizes {
            access_tokens: self.access.len(),
            refresh_tokens: self.refresh.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_key_round_trips_and_rejects_other_shapes() {
        let key = TokenKey::random();
        let hex = key.to_hex();
        assert_eq!(hex.len(), 32);
        assert_eq!(TokenKey::parse(&hex), Some(key));
        assert_eq!(TokenKey::parse(&hex.to_uppercase()), None);
        assert_eq!(TokenKey::parse(&hex[..31]), None);
        assert_eq!(TokenKey::parse("zz"), None);
        assert_eq!(TokenKey::parse(&format!("{}é", &hex[..30])), None);
        assert_ne!(TokenKey::random(), key);
    }
}
