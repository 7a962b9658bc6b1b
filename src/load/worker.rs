//! One load worker: a loop of sequential requests over its own keep-alive connection.
//!
//! `--concurrency N` runs N of these. For `client_credentials` and `password` every request is an
//! acquisition. For `refresh_token` a worker acquires one token, refreshes it until the
//! fixture's count is used up or its refresh window is about to close, then acquires again; those
//! re-acquisitions are counted apart from the refreshes, which are what the rate measures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::check::{Expectation, Violation, ViolationKind, check};
use super::plan::{Form, Plan};
use super::stats::{Progress, TokenSet, TransportError, WorkerStats};
use super::verify::SignatureVerifier;

/// When a run stops.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// After this many counted requests (over all workers).
    Requests(u64),
    /// At this instant; requests in flight finish.
    Until(Instant),
}

/// What all workers share.
pub struct Shared {
    pub client: reqwest::Client,
    pub plan: Plan,
    pub verifier: Option<SignatureVerifier>,
    pub budget: Budget,
    /// Verify every Nth token response's signature; 0 = never.
    pub sample_every: u64,
    pub progress: Progress,
    pub tokens: TokenSet,
    claimed: AtomicU64,
    sampled: AtomicU64,
}

impl Shared {
    pub fn new(
        client: reqwest::Client,
        plan: Plan,
        verifier: Option<SignatureVerifier>,
        budget: Budget,
        sample_every: u64,
    ) -> Self {
        Shared {
            client,
            plan,
            verifier,
            budget,
            sample_every,
            progress: Progress::default(),
            tokens: TokenSet::new(),
            claimed: AtomicU64::new(0),
            sampled: AtomicU64::new(0),
        }
    }

    /// Takes the right to send one more counted request.
    fn claim(&self) -> bool {
        match self.budget {
            Budget::Requests(limit) => self.claimed.fetch_add(1, Ordering::Relaxed) < limit,
            Budget::Until(deadline) => Instant::now() < deadline,
        }
    }
}

/// A refresh session: the refresh token of one acquisition and how much of it is used.
struct Session {
    refresh_token: String,
    used: u32,
    acquired: Instant,
}

/// After this many transport failures in a row a worker gives up (the target is gone).
const MAX_CONSECUTIVE_FAILURES: u32 = 20;

/// Runs one worker to the end of the budget.
pub async fn run(shared: Arc<Shared>) -> WorkerStats {
    let mut stats = WorkerStats::new();
    let mut session: Option<Session> = None;
    let mut failures = 0u32;
    let plan = &shared.plan;
    while shared.claim() {
        let form = match plan.refresh {
            None => plan.acquire.clone(),
            Some(refresh) => {
                let stale = session.as_ref().is_some_and(|s| {
                    s.used >= refresh.count
                        || s.acquired.elapsed() + plan.refresh_margin() >= refresh.expires_in
                });
                if stale {
                    stats.reacquisitions += 1;
                    session = None;
                } else if session.is_none() {
                    stats.acquisitions += 1;
                }
                if session.is_none() {
                    match acquire(&shared, &mut stats).await {
                        Acquired::Session(s) => {
                            failures = 0;
                            session = Some(s);
                        }
                        Acquired::Failed => {
                            failures += 1;
                            if failures >= MAX_CONSECUTIVE_FAILURES {
                                break;
                            }
                            continue;
                        }
                        // Without a refresh token there is nothing to drive: stop this worker.
                        Acquired::Refused => break,
                    }
                }
                match &session {
                    Some(s) => plan.refresh_form(&s.refresh_token),
                    None => continue,
                }
            }
        };

        let started = Instant::now();
        let reply = send(&shared.client, &plan.url, &form).await;
        let elapsed = started.elapsed();
        match reply {
            Err(kind) => {
                record_transport(&shared, &mut stats, kind);
                failures += 1;
                if failures >= MAX_CONSECUTIVE_FAILURES {
                    break;
                }
            }
            Ok(reply) => {
                failures = 0;
                stats.requests += 1;
                stats.record_latency(elapsed);
                shared.progress.requests.fetch_add(1, Ordering::Relaxed);
                let expect = Expectation {
                    expires_in: &plan.expires_in,
                    unit: plan.unit.as_str(),
                    jwt: plan.jwt.is_some(),
                    refresh_token: plan.refresh_expected(),
                };
                let tokens = judge(&shared, &mut stats, &reply, &expect);
                if let Some(s) = session.as_mut() {
                    match tokens.refresh_token {
                        Some(rt) if reply.status == 200 => {
                            s.used += 1;
                            s.refresh_token = rt;
                        }
                        _ if reply.status == 200 => s.used += 1,
                        // A refused refresh ends the session; the next round acquires anew.
                        _ => session = None,
                    }
                }
            }
        }
    }
    stats
}

enum Acquired {
    Session(Session),
    /// No response (transport failure); worth retrying.
    Failed,
    /// A response without a usable refresh token.
    Refused,
}

async fn acquire(shared: &Shared, stats: &mut WorkerStats) -> Acquired {
    let plan = &shared.plan;
    let acquired = Instant::now();
    match send(&shared.client, &plan.url, &plan.acquire).await {
        Err(kind) => {
            record_transport(shared, stats, kind);
            Acquired::Failed
        }
        Ok(reply) => {
            let expect = Expectation {
                expires_in: &plan.expires_in[..1],
                unit: plan.unit.as_str(),
                jwt: plan.jwt.is_some(),
                refresh_token: true,
            };
            match judge(shared, stats, &reply, &expect).refresh_token {
                Some(refresh_token) if reply.status == 200 => Acquired::Session(Session {
                    refresh_token,
                    used: 0,
                    acquired,
                }),
                _ => Acquired::Refused,
            }
        }
    }
}

fn record_transport(shared: &Shared, stats: &mut WorkerStats, kind: TransportError) {
    *stats.transport.entry(kind).or_insert(0) += 1;
    shared
        .progress
        .transport_errors
        .fetch_add(1, Ordering::Relaxed);
}

/// Checks one response: shape, uniqueness, and the signature when sampled.
fn judge(
    shared: &Shared,
    stats: &mut WorkerStats,
    reply: &Reply,
    expect: &Expectation<'_>,
) -> super::check::Tokens {
    *stats.statuses.entry(reply.status).or_insert(0) += 1;
    let (tokens, mut violations) = check(reply.status, &reply.headers, &reply.body, expect);
    if let Some(token) = &tokens.access_token {
        if !shared.tokens.remember(token) {
            violations.push(Violation::new(
                ViolationKind::Duplicate,
                "an access token was issued twice",
            ));
        }
        if let Some(verifier) = &shared.verifier
            && shared.sample_every > 0
            && shared
                .sampled
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(shared.sample_every)
        {
            stats.signatures_checked += 1;
            if let Err(why) = verifier.verify(token) {
                violations.push(Violation::new(ViolationKind::Signature, why));
            }
        }
    }
    if stats.record_violations(violations) {
        shared
            .progress
            .non_conformant
            .fetch_add(1, Ordering::Relaxed);
    }
    tokens
}

/// POSTs a form and reads the whole response.
async fn send(client: &reqwest::Client, url: &str, form: &Form) -> Result<Reply, TransportError> {
    let response = client
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| TransportError::classify(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| TransportError::classify(&e))?;
    Ok(Reply {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// A response read to the end.
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}
