//! What a load run counted, per worker while it runs and merged into one report at the end.
//!
//! Each worker keeps its own histogram and counters, merged once at the end. Shared are only a
//! few atomics ([`Progress`], for the progress line) and the [`TokenSet`], sharded so that
//! workers rarely meet on a lock; a duplicate is found on the response that repeats a token, so
//! that response is counted once. A token is remembered by the first 128 bits of its SHA-256,
//! never by its value.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::check::{Violation, ViolationKind};
use super::error::{EXIT_NON_CONFORMANT, EXIT_OK, EXIT_UNREACHABLE};

/// Counters shared by all workers, read once a second for the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    pub requests: AtomicU64,
    pub non_conformant: AtomicU64,
    pub transport_errors: AtomicU64,
}

impl Progress {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.non_conformant.load(Ordering::Relaxed),
            self.transport_errors.load(Ordering::Relaxed),
        )
    }
}

/// The transport failure classes reported separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportError {
    Connect,
    Timeout,
    Other,
}

impl TransportError {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportError::Connect => "connect",
            TransportError::Timeout => "timeout",
            TransportError::Other => "other",
        }
    }

    pub fn classify(e: &reqwest::Error) -> Self {
        if e.is_connect() {
            TransportError::Connect
        } else if e.is_timeout() {
            TransportError::Timeout
        } else {
            TransportError::Other
        }
    }
}

/// One worker's tally.
pub struct WorkerStats {
    /// Latency of counted requests, in microseconds.
    pub latency: Histogram<u64>,
    /// Counted requests that got a response.
    pub requests: u64,
    /// Acquisitions that started a refresh session (one per worker, plus retries after errors).
    pub acquisitions: u64,
    /// Acquisitions because a session's count ran out or its window was closing.
    pub reacquisitions: u64,
    /// Status of every response, acquisitions included.
    pub statuses: BTreeMap<u16, u64>,
    pub transport: BTreeMap<TransportError, u64>,
    pub non_conformant: u64,
    pub violations: BTreeMap<ViolationKind, (u64, String)>,
    pub signatures_checked: u64,
}

impl WorkerStats {
    pub fn new() -> Self {
        WorkerStats {
            // 1 µs .. 60 s at 3 significant digits; larger values are clamped.
            latency: Histogram::new_with_bounds(1, 60_000_000, 3)
                .expect("static histogram bounds are valid"),
            requests: 0,
            acquisitions: 0,
            reacquisitions: 0,
            statuses: BTreeMap::new(),
            transport: BTreeMap::new(),
            non_conformant: 0,
            violations: BTreeMap::new(),
            signatures_checked: 0,
        }
    }

    pub fn record_latency(&mut self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(micros.max(1));
    }

    /// Remembers a response's violations; returns whether there were any.
    pub fn record_violations(&mut self, violations: Vec<Violation>) -> bool {
        if violations.is_empty() {
            return false;
        }
        self.non_conformant += 1;
        for v in violations {
            let entry = self.violations.entry(v.kind).or_insert((0, v.detail));
            entry.0 += 1;
        }
        true
    }
}

impl Default for WorkerStats {
    fn default() -> Self {
        Self::new()
    }
}

/// Digests of every access token of the run.
pub struct TokenSet {
    shards: Vec<Mutex<HashSet<u128>>>,
}

impl TokenSet {
    const SHARDS: usize = 64;

    pub fn new() -> Self {
        TokenSet {
            shards: (0..Self::SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// Remembers a token; `false` when it was issued before in this run.
    pub fn remember(&self, token: &str) -> bool {
        let d = digest(token);
        let shard = &self.shards[(d as usize) % Self::SHARDS];
        // A poisoned shard only means another worker panicked mid-insert; the set is intact.
        let mut set = shard.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(d)
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for TokenSet {
    fn default() -> Self {
        Self::new()
    }
}

/// 128 bits of SHA-256: collisions among 10^9 tokens stay below 10^-20.
fn digest(token: &str) -> u128 {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&d.as_ref()[..16]);
    u128::from_le_bytes(first)
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// One kind of violation in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationSummary {
    pub kind: ViolationKind,
    pub count: u64,
    /// The first occurrence's detail (never a token or secret).
    pub example: String,
}

/// The result of a load run, printed and optionally written as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub target: String,
    pub fixture: String,
    pub grant: String,
    pub endpoint: String,
    pub concurrency: usize,
    pub elapsed_s: f64,
    /// Counted requests that got a response (refreshes for `refresh_token`).
    pub requests: u64,
    pub requests_per_second: f64,
    pub latency: Latency,
    /// Status → count over every response, acquisitions included.
    pub statuses: BTreeMap<u16, u64>,
    pub acquisitions: u64,
    pub reacquisitions: u64,
    pub transport_errors: BTreeMap<TransportError, u64>,
    /// Responses that broke at least one rule (a duplicate token counts its response once).
    pub non_conformant: u64,
    pub violations: Vec<ViolationSummary>,
    pub unique_tokens: u64,
    pub duplicate_tokens: u64,
    pub signatures_checked: u64,
    /// 0 when signatures were not sampled.
    pub signature_sample_every: u64,
}

impl LoadReport {
    /// Merges the workers' tallies.
    #[allow(clippy::too_many_arguments)]
    pub fn merge(
        workers: Vec<WorkerStats>,
        tokens: &TokenSet,
        target: String,
        fixture: String,
        grant: String,
        endpoint: String,
        concurrency: usize,
        elapsed: Duration,
        sample_every: u64,
    ) -> LoadReport {
        let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
            .expect("static histogram bounds are valid");
        let mut statuses = BTreeMap::new();
        let mut transport = BTreeMap::new();
        let mut violations: BTreeMap<ViolationKind, (u64, String)> = BTreeMap::new();
        let (mut requests, mut acquisitions, mut reacquisitions) = (0, 0, 0);
        let (mut non_conformant, mut signatures) = (0, 0);
        for w in workers {
            // Same bounds on both sides: adding cannot fail.
            let _ = latency.add(&w.latency);
            requests += w.requests;
            acquisitions += w.acquisitions;
            reacquisitions += w.reacquisitions;
            non_conformant += w.non_conformant;
            signatures += w.signatures_checked;
            for (k, v) in w.statuses {
                *statuses.entry(k).or_insert(0) += v;
            }
            for (k, v) in w.transport {
                *transport.entry(k).or_insert(0) += v;
            }
            for (k, (n, example)) in w.violations {
                violations.entry(k).or_insert((0, example)).0 += n;
            }
        }
        let duplicate_tokens = violations
            .get(&ViolationKind::Duplicate)
            .map_or(0, |(n, _)| *n);
        let ms = |micros: u64| micros as f64 / 1000.0;
        let latency = if latency.is_empty() {
            Latency::default()
        } else {
            Latency {
                p50_ms: ms(latency.value_at_quantile(0.50)),
                p90_ms: ms(latency.value_at_quantile(0.90)),
                p99_ms: ms(latency.value_at_quantile(0.99)),
                max_ms: ms(latency.max()),
                mean_ms: latency.mean() / 1000.0,
            }
        };
        let secs = elapsed.as_secs_f64();
        LoadReport {
            target,
            fixture,
            grant,
            endpoint,
            concurrency,
            elapsed_s: secs,
            requests,
            requests_per_second: if secs > 0.0 {
                requests as f64 / secs
            } else {
                0.0
            },
            latency,
            statuses,
            acquisitions,
            reacquisitions,
            transport_errors: transport,
            non_conformant,
            violations: violations
                .into_iter()
                .map(|(kind, (count, example))| ViolationSummary {
                    kind,
                    count,
                    example,
                })
                .collect(),
            unique_tokens: tokens.len() as u64,
            duplicate_tokens,
            signatures_checked: signatures,
            signature_sample_every: sample_every,
        }
    }

    /// Total transport failures.
    pub fn transport_total(&self) -> u64 {
        self.transport_errors.values().sum()
    }

    /// 1 when any response broke a rule, 3 when requests failed without a response (or none got
    /// one), 0 otherwise. A rule broken by the target outranks a transport failure.
    pub fn exit_code(&self) -> u8 {
        if self.non_conformant > 0 {
            EXIT_NON_CONFORMANT
        } else if self.transport_total() > 0 || self.statuses.is_empty() {
            EXIT_UNREACHABLE
        } else {
            EXIT_OK
        }
    }

    /// The human-readable report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let l = &self.latency;
        let _ = writeln!(
            out,
            "tokenspec load: fixture {} ({}, POST {}) against {}",
            self.fixture, self.grant, self.endpoint, self.target
        );
        let _ = writeln!(
            out,
            "  {} requests in {:.2} s with {} connections: {:.0} req/s",
            self.requests, self.elapsed_s, self.concurrency, self.requests_per_second
        );
        let _ = writeln!(
            out,
            "  latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  (mean {:.3})",
            l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.mean_ms
        );
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  statuses: {}",
            if statuses.is_empty() {
                "none".to_owned()
            } else {
                statuses.join(", ")
            }
        );
        if self.acquisitions + self.reacquisitions > 0 {
            let _ = writeln!(
                out,
                "  refresh sessions: {} acquisitions, {} re-acquisitions (count used up or window closing)",
                self.acquisitions, self.reacquisitions
            );
        }
        let _ = writeln!(
            out,
            "  tokens: {} unique, {} duplicate",
            self.unique_tokens, self.duplicate_tokens
        );
        if self.signature_sample_every > 0 {
            let _ = writeln!(
                out,
                "  signatures verified: {} (1 in {} token responses)",
                self.signatures_checked, self.signature_sample_every
            );
        }
        if self.transport_total() > 0 {
            let parts: Vec<String> = self
                .transport_errors
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect();
            let _ = writeln!(out, "  transport errors: {}", parts.join(", "));
        }
        let _ = writeln!(out, "  non-conformant responses: {}", self.non_conformant);
        for v in &self.violations {
            let _ = writeln!(out, "    {:<14} {:>9}  e.g. {}", v.kind, v.count, v.example);
        }
        let verdict = match self.exit_code() {
            EXIT_OK => "conformant under load",
            EXIT_NON_CONFORMANT => "NON-CONFORMANT responses under load",
            _ => "requests failed without a response",
        };
        let _ = writeln!(out, "  result: {verdict}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::check::Violation;

    /// A worker that saw `tokens` (recorded in `set`), each answered 200 after 2 ms.
    fn worker(set: &TokenSet, tokens: &[&str]) -> WorkerStats {
        let mut w = WorkerStats::new();
        for t in tokens {
            w.requests += 1;
            w.record_latency(Duration::from_millis(2));
            *w.statuses.entry(200).or_insert(0) += 1;
            if !set.remember(t) {
                w.record_violations(vec![Violation::new(
                    ViolationKind::Duplicate,
                    "an access token was issued twice",
                )]);
            }
        }
        w
    }

    fn merge(workers: Vec<WorkerStats>, set: &TokenSet) -> LoadReport {
        LoadReport::merge(
            workers,
            set,
            "http://t".into(),
            "f".into(),
            "client_credentials".into(),
            "/auth/jwt".into(),
            2,
            Duration::from_secs(2),
            10,
        )
    }

    #[test]
    fn a_token_seen_by_two_workers_is_one_duplicate() {
        let set = TokenSet::new();
        let a = worker(&set, &["t1", "t2"]);
        let b = worker(&set, &["t3", "t1"]);
        let r = merge(vec![a, b], &set);
        assert_eq!(r.requests, 4);
        assert_eq!(r.requests_per_second, 2.0);
        assert_eq!(r.unique_tokens, 3);
        assert_eq!(r.duplicate_tokens, 1);
        assert_eq!(r.non_conformant, 1);
        assert_eq!(r.exit_code(), EXIT_NON_CONFORMANT);
        assert!(
            r.render()
                .contains("    duplicate              1  e.g. an access token was issued twice"),
            "{}",
            r.render()
        );
    }

    #[test]
    fn clean_runs_exit_zero_and_runs_without_responses_exit_three() {
        let set = TokenSet::new();
        let r = merge(vec![worker(&set, &["a", "b"])], &set);
        assert_eq!(r.exit_code(), EXIT_OK);
        assert!((r.latency.p50_ms - 2.0).abs() < 0.01, "{:?}", r.latency);
        let mut w = WorkerStats::new();
        w.transport.insert(TransportError::Connect, 3);
        let r = merge(vec![w], &TokenSet::new());
        assert_eq!(r.exit_code(), EXIT_UNREACHABLE);
    }
}
