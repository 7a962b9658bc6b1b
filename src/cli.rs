//! The `tokenspec` command line: `run`, `list`, `steps`, `serve` and `load`.
//!
//! This is the edge of the program, so it is the one place (with `main.rs`) that turns errors
//! into messages and exit codes ([`crate::exit`]). Each subcommand is a small function that wires
//! library pieces together: profile → target → runner → grading → renderers. Nothing here
//! decides a verdict or formats a report; that keeps `cargo test` able to check those parts
//! without running a process.
//!
//! Where the suite runs when no target is given: `--target`, else the profile's `base_url`, else
//! the reference issuer started in-process on `127.0.0.1:0` with the profile (the embedded
//! `targets/reference.toml` by default). A remote target is probed once before anything runs, so
//! an unreachable gateway is one clear message and exit code 3, not a hundred failed scenarios.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use tokenspec_profile::Profile;

use crate::assets;
use crate::exit;
use crate::report::terminal::{self, Verbosity};
use crate::report::{json, junit};
use crate::runner::{self, Applicability, RunOptions};
use crate::verdict::{self, Baseline, GradeOptions};

/// Conformance suite for Apinizer-style gateway token services.
///
/// Runs the documented token-service scenarios (Gherkin, embedded in this binary) against a
/// target and grades each one: @must failures fail the run, @should failures warn (fail with
/// --strict), @info is reported only.
#[derive(Debug, Parser)]
#[command(name = "tokenspec", version, about, long_about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES_HELP: &str = "\
Exit codes: 0 pass, 1 conformance failures (incl. stale baseline), 2 bad usage/profile/feature/step,
3 target unreachable or harness error, 4 nothing ran.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a target (default: the reference issuer, in-process).
    Run(RunArgs),
    /// List the scenarios, their tags and whether the profile can run them.
    List(ListArgs),
    /// Print the step catalogue: every step a feature file may use.
    Steps,
    /// Serve the reference issuer (same as the `reference-server` binary).
    Serve(ServeArgs),
    /// Load-test a token endpoint and check every response.
    Load(crate::load::LoadArgs),
}

/// Options of `tokenspec run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Base URL of the target, e.g. https://gw.example. Overrides the profile's base_url.
    /// Without both, the reference issuer is started in-process.
    #[arg(long, value_name = "URL", env = "TOKENSPEC_TARGET")]
    pub target: Option<String>,
    /// Target profile (TOML): where the target is and which fixtures it has.
    /// Default: the embedded reference profile (targets/reference.toml).
    #[arg(long, value_name = "FILE", env = "TOKENSPEC_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Run only scenarios matching this tag expression, e.g. "@jwt and not @refresh".
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Run only scenarios whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// A failed @should scenario fails the run (default: a warning).
    #[arg(long)]
    pub strict: bool,
    /// A scenario that no fixture of the profile can run fails the run (default: skipped).
    #[arg(long)]
    pub require_all: bool,
    /// Known failures to accept (TOML list of scenario keys). A baselined scenario that passes
    /// is stale and fails the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every failure of this run to FILE as a baseline (then grade against it).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Cucumber JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// How many scenarios run at the same time.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Read feature files from DIR instead of the ones embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
    /// Do not redact secrets, passwords and tokens in the output: for debugging a test
    /// gateway only, never in CI logs.
    #[arg(long)]
    pub show_secrets: bool,
    /// Print only failures and the summary line.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print the steps of every scenario.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Options of `tokenspec list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Judge applicability against this profile. Default: the embedded reference profile.
    #[arg(long, value_name = "FILE", env = "TOKENSPEC_PROFILE")]
    pub profile: Option<PathBuf>,
    /// List only scenarios matching this tag expression.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Read feature files from DIR instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
}

/// Options of `tokenspec serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Target profile (TOML) to configure the issuer. Default: the embedded reference profile.
    #[arg(long, value_name = "FILE", env = "TOKENSPEC_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
}

/// A failure of a subcommand: the message to print and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: exit::USAGE,
            message: message.into(),
        }
    }

    fn harness(message: impl Into<String>) -> Failure {
        Failure {
            code: exit::HARNESS,
            message: message.into(),
        }
    }
}

/// Parses the command line, runs the subcommand and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.command);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::code(exit::HARNESS);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Run(args) => run(args).await,
            Command::List(args) => list(args).map(|()| exit::PASS),
            Command::Steps => {
                print_steps();
                Ok(exit::PASS)
            }
            Command::Serve(args) => serve(args).await.map(|()| exit::PASS),
            Command::Load(args) => {
                return crate::load::run(args).await.unwrap_or_else(|e| {
                    eprintln!("error: {e:#}");
                    exit::code(exit::HARNESS)
                });
            }
        }
        .map(exit::code)
        .unwrap_or_else(|f| {
            eprintln!("error: {}", f.message);
            exit::code(f.code)
        })
    });
    // Do not wait for stray blocking tasks (e.g. a stuck DNS lookup) when exiting.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

/// Logs go to stderr and stay quiet by default, so the report on stdout is readable;
/// `RUST_LOG` turns them on. `serve` logs at info like the `reference-server` binary.
fn init_tracing(command: &Command) {
    let default = match command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// `tokenspec run`.
pub async fn run(args: RunArgs) -> Result<u8, Failure> {
    let tags = parse_tags(args.tags.as_deref())?;
    let profile = load_profile(args.profile.as_deref())?;
    let baseline = match &args.baseline {
        Some(path) => Baseline::load(path).map_err(|e| Failure::usage(e.to_string()))?,
        None => Baseline::default(),
    };
    let assets = features(args.features.as_deref())?;
    // Unknown steps and broken feature files are usage errors: report them before a target is
    // probed or an issuer started (the runner checks again, cheaply, before it runs).
    crate::catalog::preflight(assets.features_dir()).map_err(|e| Failure::usage(e.to_string()))?;

    let explicit_target = match &args.target {
        Some(url) => Some(parse_target(url, "--target")?),
        None => match &profile.target.base_url {
            Some(url) => Some(parse_target(url, "base_url in the profile")?),
            None => None,
        },
    };
    let mut embedded = None;
    let base_url = match explicit_target {
        Some(url) => {
            probe(&url, profile.target.request_timeout).await?;
            url
        }
        None => {
            let server = start_embedded(&profile).await?;
            let url = server.base_url();
            eprintln!(
                "tokenspec: no --target and no base_url in the profile: started the reference \
                 issuer in-process at {url} with profile {}",
                profile.origin
            );
            embedded = Some(server);
            url
        }
    };

    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else if args.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    if verbosity != Verbosity::Quiet {
        print!("{}", terminal::header(&base_url, &profile.origin));
    }
    let options = RunOptions {
        features_dir: assets.features_dir().to_owned(),
        snapshots_dir: assets.snapshots_dir().to_owned(),
        profile,
        base_url,
        tags,
        concurrency: usize::from(args.concurrency),
        name_filter: args.name.clone(),
    };
    let outcome = if args.show_secrets {
        eprintln!("tokenspec: --show-secrets: secrets, passwords and tokens are NOT redacted");
        runner::run_revealing_secrets(options).await
    } else {
        runner::run(options).await
    };
    if let Some(server) = embedded {
        server.shutdown().await;
    }
    let report = outcome.map_err(|e| match e {
        // The HTTP client could not be built: the harness, not the user's input.
        runner::RunError::Client(_) => Failure::harness(e.to_string()),
        // Unreadable features, unknown or ambiguous steps, a bad tag expression.
        _ => Failure::usage(e.to_string()),
    })?;

    let grade_options = GradeOptions {
        strict: args.strict,
        require_all: args.require_all,
    };
    let mut graded = verdict::grade(&report, grade_options, &baseline);
    let written;
    if let Some(path) = &args.write_baseline {
        written = graded.failures_as_baseline(&baseline);
        written
            .write(path)
            .map_err(|e| Failure::usage(e.to_string()))?;
        eprintln!(
            "tokenspec: wrote {} known failure(s) to {}",
            written.entries.len(),
            path.display()
        );
        graded = verdict::grade(&report, grade_options, &written);
    }

    let text = terminal::render(&graded, verbosity);
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    if let Some(path) = &args.junit {
        write_report(path, &junit::render(&graded), "JUnit")?;
    }
    if let Some(path) = &args.json {
        write_report(path, &json::render(&graded), "Cucumber JSON")?;
    }
    if let Some(message) = harness_error_summary(&graded) {
        eprintln!("error: {message}");
    }
    if graded.summary.ran == 0 && graded.exit_code() == exit::NOTHING_RAN {
        eprintln!(
            "tokenspec: nothing ran: no scenario matched the filters, or none was applicable \
             to the profile (see `tokenspec list`)"
        );
    }
    Ok(graded.exit_code())
}

/// One line for all harness errors of a run: how many scenarios could not be judged and the
/// most frequent reason, so a broken target is one clear message and not a wall of errors.
fn harness_error_summary(graded: &verdict::Graded<'_>) -> Option<String> {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for g in &graded.scenarios {
        if let crate::report::model::Outcome::HarnessError { message } = &g.result.outcome {
            match reasons.iter_mut().find(|(m, _)| *m == message.as_str()) {
                Some((_, n)) => *n += 1,
                None => reasons.push((message.as_str(), 1)),
            }
        }
    }
    let total: usize = reasons.iter().map(|(_, n)| n).sum();
    let (reason, _) = reasons.iter().max_by_key(|(_, n)| *n)?;
    Some(format!(
        "{total} scenario{} could not be judged (harness errors, exit code 3); most common \
         reason: {reason}",
        if total == 1 { "" } else { "s" }
    ))
}

/// `tokenspec list`.
pub fn list(args: ListArgs) -> Result<(), Failure> {
    let tags = parse_tags(args.tags.as_deref())?;
    let filter: Option<TagOperation> = tags.as_deref().map(str::parse).transpose().ok().flatten();
    let profile = load_profile(args.profile.as_deref())?;
    let assets = features(args.features.as_deref())?;
    let scenarios =
        runner::list(assets.features_dir(), &profile).map_err(|e| Failure::usage(e.to_string()))?;
    let mut out = String::new();
    let (mut shown, mut applicable) = (0usize, 0usize);
    for s in &scenarios {
        if let Some(op) = &filter
            && !op.eval(s.tags.iter())
        {
            continue;
        }
        shown += 1;
        let _ = writeln!(out, "{}:{}  {}", s.feature_path, s.line, s.name);
        let tags: Vec<String> = s.tags.iter().map(|t| format!("@{t}")).collect();
        let _ = writeln!(out, "    tags:    {}", tags.join(" "));
        match &s.applicability {
            Applicability::Applicable { fixture } => {
                applicable += 1;
                let _ = writeln!(out, "    fixture: {fixture}");
            }
            Applicability::NoFixture => {
                applicable += 1;
                let _ = writeln!(out, "    fixture: (none needed)");
            }
            Applicability::NotApplicable { needs } => {
                let _ = writeln!(out, "    not applicable: needs {needs}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{shown} scenarios, {applicable} applicable to profile {}",
        profile.origin
    );
    print!("{out}");
    Ok(())
}

/// `tokenspec steps`.
fn print_steps() {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Step catalogue: every step a feature file may use. Patterns are regular expressions;\n\
         `And`/`But` continue the previous keyword.\n"
    );
    for step in crate::catalog::steps() {
        let _ = writeln!(out, "{} {}", step.keyword, step.example);
        if !step.pattern.is_empty() {
            let _ = writeln!(out, "    pattern: {}", step.pattern);
        }
        for line in step.doc.lines() {
            let _ = writeln!(out, "    {line}");
        }
        out.push('\n');
    }
    let clauses = crate::catalog::requirement_clauses();
    if !clauses.is_empty() {
        let _ = writeln!(
            out,
            "Clauses a fixture requirement (\"Given a JWT policy ... with/whose/that ...\") may carry:"
        );
        for clause in clauses {
            let _ = writeln!(out, "    {clause}");
        }
    }
    print!("{out}");
}

/// `tokenspec serve`: the reference issuer, as the `reference-server` binary runs it.
pub async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let profile = load_profile(args.profile.as_deref())?;
    let origin = profile.origin.clone();
    let server = reference_server::start(profile, args.bind)
        .await
        .map_err(|e| Failure::harness(format!("cannot start the reference issuer: {e}")))?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", server.base_url());
        let _ = out.flush();
    }
    tracing::info!(addr = %server.addr(), profile = %origin, "reference issuer started");
    reference_server::shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

fn load_profile(path: Option<&Path>) -> Result<Profile, Failure> {
    match path {
        Some(path) => Profile::load(path).map_err(|e| Failure::usage(e.to_string())),
        None => Ok(Profile::reference()),
    }
}

/// Checks a tag expression early, so a typo is a usage error and not an empty run.
fn parse_tags(tags: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(expr) = tags else { return Ok(None) };
    let trimmed = expr.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    trimmed.parse::<TagOperation>().map_err(|e| {
        Failure::usage(format!(
            "--tags `{expr}` is not a tag expression: {e} \
             (example: \"@jwt and not @refresh\", \"@must or @should\")"
        ))
    })?;
    Ok(Some(trimmed.to_owned()))
}

/// The feature files: `--features DIR`, or the embedded copy written to a cache directory.
fn features(dir: Option<&Path>) -> Result<assets::Assets, Failure> {
    match dir {
        Some(dir) if dir.is_dir() => Ok(assets::Assets::with_features(dir)),
        Some(dir) => Err(Failure::usage(format!(
            "--features {}: not a directory (give the folder that holds the .feature files, \
             or leave --features out to use the embedded suite)",
            dir.display()
        ))),
        None => assets::materialise().map_err(|e| Failure::harness(e.to_string())),
    }
}

/// A base URL the harness can use: http(s), no query or fragment, no trailing slash.
fn parse_target(url: &str, origin: &str) -> Result<String, Failure> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Failure::usage(format!(
            "{origin} `{url}` is not a URL: {e} (expected e.g. https://gw.example or \
             http://127.0.0.1:8080)"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Failure::usage(format!(
            "{origin} `{url}` must be an http:// or https:// URL with a host"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Failure::usage(format!(
            "{origin} `{url}` must not carry a query or fragment: give the base URL the \
             token paths (/auth/..., /credential/...) are appended to"
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// One request to the base URL. Any HTTP answer (even 404) means reachable; a refused
/// connection, a DNS failure or no answer within the profile's timeout is exit code 3.
async fn probe(base_url: &str, timeout: Duration) -> Result<(), Failure> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| Failure::harness(format!("cannot build the HTTP client: {e}")))?;
    match client.get(base_url).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.is_timeout() => Err(Failure::harness(format!(
            "target {base_url} did not answer within {} (the profile's request_timeout). \
             Check that the gateway is up and reachable from here, or raise request_timeout \
             in [target].",
            humantime::format_duration(timeout)
        ))),
        Err(e) if e.is_connect() || e.is_request() => Err(Failure::harness(format!(
            "target {base_url} is unreachable: {}. Check that the gateway is running and that \
             --target (or base_url in the profile) names the right host and port; leave both \
             out to run against the built-in reference issuer.",
            root_cause(&e)
        ))),
        // It answered, just not with well-formed HTTP: let the scenarios say what is wrong.
        Err(_) => Ok(()),
    }
}

/// The innermost cause of an error: reqwest's outer messages ("error sending request for
/// url ...") repeat what the caller already says; the OS error is what a person acts on.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

async fn start_embedded(profile: &Profile) -> Result<reference_server::ServerHandle, Failure> {
    let bind: SocketAddr = ([127, 0, 0, 1], 0).into();
    reference_server::start(profile.clone(), bind)
        .await
        .map_err(|e| Failure::harness(format!("cannot start the reference issuer: {e}")))
}

fn write_report(path: &Path, text: &str, kind: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| {
        Failure::usage(format!(
            "cannot write the {kind} report to {}: {e}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_http_base_urls() {
        assert_eq!(
            parse_target("https://gw.example/", "--target").unwrap(),
            "https://gw.example"
        );
        assert_eq!(
            parse_target("http://127.0.0.1:8080/prefix", "--target").unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for bad in [
            "gw.example",
            "ftp://gw.example",
            "http://gw.example/?a=b",
            "http://gw.example/#x",
            "",
        ] {
            let f = parse_target(bad, "--target").unwrap_err();
            assert_eq!(f.code, exit::USAGE, "{bad}");
            assert!(f.message.contains("--target"), "{}", f.message);
        }
    }

    #[test]
    fn tag_expressions_are_checked_before_running() {
        assert_eq!(parse_tags(None).unwrap(), None);
        assert_eq!(parse_tags(Some("  ")).unwrap(), None);
        assert_eq!(
            parse_tags(Some(" @jwt and not @slow ")).unwrap().as_deref(),
            Some("@jwt and not @slow")
        );
        let f = parse_tags(Some("@jwt and")).unwrap_err();
        assert_eq!(f.code, exit::USAGE);
        assert!(f.message.contains("not a tag expression"), "{}", f.message);
    }

    #[test]
    fn harness_errors_are_summed_up_in_one_line() {
        use crate::report::model::{Level, Outcome, RunReport, ScenarioResult};
        let scenario = |line: usize, message: &str| ScenarioResult {
            feature: "F".into(),
            feature_path: "f.feature".into(),
            name: format!("s{line}"),
            line,
            tags: vec!["must".into()],
            level: Level::Must,
            fixture: None,
            outcome: Outcome::HarnessError {
                message: message.into(),
            },
            duration: Duration::ZERO,
            steps: Vec::new(),
            notes: Vec::new(),
        };
        let report = RunReport {
            target: "t".into(),
            profile: "p".into(),
            duration: Duration::ZERO,
            scenarios: vec![
                scenario(1, "no response within 1s"),
                scenario(2, "connection reset"),
                scenario(3, "no response within 1s"),
            ],
        };
        let graded = verdict::grade(&report, GradeOptions::default(), &Baseline::default());
        assert_eq!(
            harness_error_summary(&graded).unwrap(),
            "3 scenarios could not be judged (harness errors, exit code 3); most common reason: \
             no response within 1s"
        );
        let empty = RunReport {
            scenarios: Vec::new(),
            ..report
        };
        let graded = verdict::grade(&empty, GradeOptions::default(), &Baseline::default());
        assert!(harness_error_summary(&graded).is_none());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
