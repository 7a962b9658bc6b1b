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

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

const SHARDS: usize = 64;

/// A stored opaque access token.
#[derive(Debug, Clone)]
pub(crate) struct AccessRecord {
    /// Index of the fixture that issued it.
    pub fixture: usize,
    pub expires: Option<Instant>,
    /// `iat` / `exp` in epoch seconds, for introspection.
    pub iat: u64,
    pub exp: Option<u64>,
    pub username: Option<Box<str>>,
    pub scope: Option<Box<str>>,
}

/// A refresh token's state.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub fixture: usize,
    /// When the acquisition happened; the window is counted from here (digest 9, [FAQ]).
    pub acquired_at: SystemTime,
    pub window_end: Instant,
    /// Refreshes done so far.
    pub used: u32,
    pub username: Option<Box<str>>,
    pub scope: Option<Box<str>>,
    /// The opaque access token currently issued under this refresh token (OAuth2 only).
    pub access: Option<String>,
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
    hasher: RandomState,
    shards: Box<[Mutex<HashMap<String, V>>]>,
}

impl<V> Sharded<V> {
    fn new() -> Self {
        Sharded {
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, HashMap<String, V>> {
        let i = (self.hasher.hash_one(key) as usize) % SHARDS;
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

    fn retain(&self, mut keep: impl FnMut(&V) -> bool) {
        for shard in self.shards.iter() {
            shard
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|_, v| keep(v));
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

    pub fn insert_access(&self, token: String, record: AccessRecord) {
        self.access.shard(&token).insert(token, record);
    }

    pub fn insert_refresh(&self, token: String, record: RefreshRecord) {
        self.refresh.shard(&token).insert(token, record);
    }

    /// The live access token `token`, if it exists and has not expired.
    pub fn access(&self, token: &str, now: Instant) -> Option<AccessRecord> {
        let shard = self.access.shard(token);
        let record = shard.get(token)?;
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
        new_access: impl FnOnce(&RefreshRecord) -> Option<(String, AccessRecord)>,
    ) -> Result<RefreshRecord, RefreshRefusal> {
        let mut shard = self.refresh.shard(token);
        let Some(record) = shard.get_mut(token) else {
            return Err(RefreshRefusal::Unknown);
        };
        if record.fixture != fixture {
            return Err(RefreshRefusal::Unknown);
        }
        if limits.enforce_window && record.window_end <= now {
            shard.remove(token);
            return Err(RefreshRefusal::Expired);
        }
        if limits.enforce_count && record.used >= limits.count {
            // [FAQ]: the first over-limit request fails and clears the token; later ones find
            // nothing. Both are `invalid_grant`.
            shard.remove(token);
            return Err(RefreshRefusal::Exhausted);
        }
        record.used = record.used.saturating_add(1);
        if let Some((access_token, access_record)) = new_access(record) {
            let previous = record.access.replace(access_token.clone());
            self.insert_access(access_token, access_record);
            if limits.invalidate_previous
                && let Some(previous) = previous
            {
                self.access.shard(&previous).remove(&previous);
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
