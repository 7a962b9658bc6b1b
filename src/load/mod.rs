//! `tokenspec load`: drive one fixture of a target hard and check that every response still
//! conforms.
//!
//! A gateway that issues correct tokens one at a time can still break under concurrency: hand
//! out the same token twice, drop `Cache-Control`, answer 500 or sign with a stale key. The suite
//! cannot see that, so this mode sends requests from `--concurrency` keep-alive connections for
//! `--duration` (or `--requests`), judges every response ([`check`]), remembers every access
//! token's digest to find duplicates ([`stats`]), verifies every Nth JWT signature ([`verify`]),
//! and reports throughput and latency next to the conformance counts.
//!
//! It is not a benchmark tool: `scripts/bench.sh` uses `wrk` for that (see
//! `docs/benchmarks.md`), because a load generator that parses and checks every response spends
//! more CPU than the issuer it measures.
//!
//! Exit codes: 0 every response conformed; 1 at least one did not; 2 bad options or profile;
//! 3 the target was unreachable, requests failed without a response, or signature keys could
//! not be resolved. Secrets and token values are never printed.

mod check;
mod error;
mod plan;
mod stats;
mod verify;
mod worker;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokenspec_profile::{ManagedFrom, Profile, RequestedGrant, TokenKind};

pub use check::ViolationKind;
pub use error::{EXIT_NON_CONFORMANT, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, LoadError};
pub use plan::Selection;
pub use stats::{Latency, LoadReport, TransportError, ViolationSummary};

/// Options of `tokenspec load`.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Base URL of the target. Default: the profile's `base_url`, else the reference issuer
    /// started in-process with the profile.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Target profile (TOML). Default: the embedded reference profile.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The fixture to drive, by id. Without it the first fixture matching --token,
    /// --managed-from and --grant is used.
    #[arg(long, value_name = "ID", conflicts_with_all = ["token", "managed_from"])]
    pub fixture: Option<String>,
    /// Token kind of the fixture to pick: jwt or oauth2.
    #[arg(long, value_name = "KIND")]
    pub token: Option<TokenKind>,
    /// Mode of the fixture to pick: policy (/auth/...) or acl (/credential/...).
    #[arg(long, value_name = "MODE")]
    pub managed_from: Option<ManagedFrom>,
    /// Grant every counted request uses: client_credentials, password or refresh_token.
    /// Default: the fixture's own grant type (client_credentials without --fixture).
    #[arg(long, value_name = "GRANT")]
    pub grant: Option<RequestedGrant>,
    /// Concurrent keep-alive connections (one request in flight on each).
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,
    /// How long to send requests, e.g. 10s or 1m. Default 10s.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "requests")]
    pub duration: Option<Duration>,
    /// Send exactly this many counted requests instead of running for a duration.
    #[arg(long, value_name = "N")]
    pub requests: Option<u64>,
    /// Verify the JWT signature of every Nth token response (0 = never).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub validate_sample: u64,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl Default for LoadArgs {
    fn default() -> Self {
        LoadArgs {
            target: None,
            profile: None,
            fixture: None,
            token: None,
            managed_from: None,
            grant: None,
            concurrency: 32,
            duration: None,
            requests: None,
            validate_sample: 100,
            json: None,
            quiet: false,
        }
    }
}

/// Default length of a run.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);

/// `tokenspec load`: runs, prints the report, writes `--json`, and returns the exit code.
pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let json = args.json.clone();
    match execute(args).await {
        Ok(report) => {
            print!("{}", report.render());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&report)?;
                if let Err(source) = std::fs::write(&path, text + "\n") {
                    let e = LoadError::Write {
                        path: path.display().to_string(),
                        source,
                    };
                    eprintln!("tokenspec load: {e}");
                    return Ok(ExitCode::from(e.exit_code()));
                }
            }
            Ok(ExitCode::from(report.exit_code()))
        }
        Err(e) => {
            eprintln!("tokenspec load: {e}");
            Ok(ExitCode::from(e.exit_code()))
        }
    }
}

/// Runs the load and returns the report, printing nothing but progress lines (unless `quiet`).
pub async fn execute(args: LoadArgs) -> Result<LoadReport, LoadError> {
    if args.concurrency == 0 {
        return Err(LoadError::Option("--concurrency must be at least 1"));
    }
    if args.requests == Some(0) {
        return Err(LoadError::Option("--requests must be at least 1"));
    }
    if args.duration.is_some_and(|d| d.is_zero()) {
        return Err(LoadError::Option("--duration must be positive"));
    }
    let profile = match &args.profile {
        Some(path) => Profile::load(path)?,
        None => Profile::reference(),
    };
    let selection = Selection {
        fixture: args.fixture.clone(),
        token: args.token,
        managed_from: args.managed_from,
        grant: args.grant,
    };
    // The selection is checked before anything starts.
    let plan = plan::Plan::new(&profile, &selection)?;

    let mut embedded = None;
    let (base_url, target_label) = match args
        .target
        .clone()
        .or_else(|| profile.target.base_url.clone())
    {
        Some(url) => (url.trim_end_matches('/').to_owned(), url),
        None => {
            let bind = SocketAddr::from(([127, 0, 0, 1], 0));
            let handle = reference_server::start(profile.clone(), bind)
                .await
                .map_err(|e| LoadError::Embedded(e.to_string()))?;
            let url = handle.base_url();
            embedded = Some(handle);
            (url.clone(), format!("{url} (embedded reference issuer)"))
        }
    };
    let plan = plan.at(&base_url);

    let client = reqwest::Client::builder()
        .timeout(profile.target.request_timeout)
        .pool_max_idle_per_host(args.concurrency)
        .tcp_nodelay(true)
        .http1_only()
        .build()
        .map_err(LoadError::Client)?;
    probe(&client, &base_url).await?;
    let verifier = if args.validate_sample > 0 {
        verify::SignatureVerifier::for_plan(&plan, &profile, &client).await?
    } else {
        None
    };
    let sample_every = if verifier.is_some() {
        args.validate_sample
    } else {
        0
    };

    let started = Instant::now();
    let budget = match args.requests {
        Some(n) => worker::Budget::Requests(n),
        None => worker::Budget::Until(started + args.duration.unwrap_or(DEFAULT_DURATION)),
    };
    let fixture = plan.fixture.id.clone();
    let grant = plan.grant.to_string();
    let endpoint = plan.fixture.endpoint_path();
    let shared = Arc::new(worker::Shared::new(
        client,
        plan,
        verifier,
        budget,
        sample_every,
    ));
    let progress = (!args.quiet).then(|| tokio::spawn(progress_lines(shared.clone(), started)));
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| tokio::spawn(worker::run(shared.clone())))
        .collect();
    let mut tallies = Vec::with_capacity(workers.len());
    for w in workers {
        // A worker that panicked is a harness bug; its tally is lost, the others still count.
        if let Ok(stats) = w.await {
            tallies.push(stats);
        }
    }
    let elapsed = started.elapsed();
    if let Some(p) = progress {
        p.abort();
    }
    if let Some(handle) = embedded {
        handle.shutdown().await;
    }
    Ok(LoadReport::merge(
        tallies,
        &shared.tokens,
        target_label,
        fixture,
        grant,
        endpoint,
        args.concurrency,
        elapsed,
        sample_every,
    ))
}

/// One request to the base URL: any HTTP answer means the target is there.
async fn probe(client: &reqwest::Client, base_url: &str) -> Result<(), LoadError> {
    match client.get(base_url).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(LoadError::Unreachable {
            url: base_url.to_owned(),
            reason: match TransportError::classify(&e) {
                TransportError::Connect => "connection failed".to_owned(),
                TransportError::Timeout => {
                    "no answer within the profile's request_timeout".to_owned()
                }
                TransportError::Other => e.to_string(),
            },
        }),
    }
}

/// A status line on stderr every second, so long runs show they are alive.
async fn progress_lines(shared: Arc<worker::Shared>, started: Instant) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut last = 0u64;
    loop {
        tick.tick().await;
        let (done, bad, errors) = shared.progress.snapshot();
        let line = format!(
            "load: {:>4.0}s {:>10} requests {:>8} req/s  {} non-conformant  {} transport errors",
            started.elapsed().as_secs_f64(),
            done,
            done - last,
            bad,
            errors
        );
        last = done;
        let mut out = std::io::stderr().lock();
        let _ = writeln!(out, "{line}");
    }
}
