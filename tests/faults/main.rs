//! The fault matrix: proof that the suite's verdicts can fail (issue 4).
//!
//! A check that cannot fail gives a broken gateway a green badge. For every rule the features
//! encode, `cases::all()` builds a target that is correct except for that one rule, runs the
//! scenarios of the features concerned against it (all cases at once, each on its own issuer on
//! `127.0.0.1:0`), and asserts that the suite fails **the scenarios that encode the rule, by
//! name** and, for precise cases, nothing else. The same run writes `docs/kill-matrix.md`:
//! rule → fault → scenarios → caught, and every `@must` scenario with the faults that kill it;
//! a `@must` scenario no fault kills is a gap and fails the test.
//!
//! `bad_targets` covers the other direction of robustness: targets that are not token services
//! at all (closed port, reset connections, silence, garbage bytes).

mod bad_targets;
mod cases;
mod matrix;
mod proxy;

use std::net::SocketAddr;
use std::path::PathBuf;

use futures::StreamExt as _;
use tokenspec::report::model::{Outcome, RunReport};
use tokenspec::runner::{self, RunOptions};
use tokenspec_profile::Profile;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use cases::{Case, ProfileName, Target};

/// Cases running at the same time (2 cores; each case is mostly waiting on loopback I/O).
const PARALLEL_CASES: usize = 8;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn load_profile(name: ProfileName) -> anyhow::Result<Profile> {
    Ok(match name {
        ProfileName::Reference => Profile::reference(),
        ProfileName::Hs256 => Profile::load(root().join("targets/variants/hs256.toml"))?,
    })
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Runs the scenarios matching `tags` against `base_url`.
pub async fn run_suite(
    profile: Profile,
    base_url: String,
    tags: Option<&str>,
) -> anyhow::Result<RunReport> {
    Ok(runner::run(RunOptions {
        features_dir: root().join("features"),
        snapshots_dir: root().join("snapshots"),
        profile,
        base_url,
        tags: tags.map(str::to_owned),
        concurrency: 32,
        name_filter: None,
    })
    .await?)
}

/// Starts the case's faulty target, runs its scenarios, stops the target.
async fn run_case(case: &Case) -> anyhow::Result<RunReport> {
    let profile = load_profile(case.profile)?;
    let tags = Some(case.tags);
    match &case.target {
        Target::Issuer(faults) => {
            let server =
                reference_server::start_with_faults(profile.clone(), loopback(), *faults).await?;
            let report = run_suite(profile, server.base_url(), tags).await;
            server.shutdown().await;
            report
        }
        Target::Proxy { request, response } => {
            let server = reference_server::start(profile.clone(), loopback()).await?;
            let proxy =
                proxy::start(profile.clone(), server.base_url(), *request, *response).await?;
            let report = run_suite(profile, proxy.base_url(), tags).await;
            drop(proxy);
            server.shutdown().await;
            report
        }
        Target::Canned(template) => {
            let mock = MockServer::start().await;
            Mock::given(any())
                .respond_with(template())
                .mount(&mock)
                .await;
            run_suite(profile, mock.uri(), tags).await
        }
    }
}

/// What one case showed.
pub struct Verdict {
    /// `(feature path, line)` of every expected scenario the suite failed.
    pub caught: Vec<(String, usize)>,
    /// Everything wrong with the case, for the assertion message.
    pub problems: Vec<String>,
    /// Scenarios failed that the case did not name.
    pub collateral: usize,
    pub expected: usize,
    pub ran: usize,
}

fn judge(case: &Case, report: &RunReport) -> Verdict {
    let mut v = Verdict {
        caught: Vec::new(),
        problems: Vec::new(),
        collateral: 0,
        expected: 0,
        ran: report.scenarios.len(),
    };
    for sel in case.expect {
        if !report
            .scenarios
            .iter()
            .any(|s| cases::selected(&[*sel], &s.feature_path, &s.name))
        {
            v.problems.push(format!(
                "selector {sel:?} matches no scenario of the run (renamed? wrong tags `{}`?)",
                case.tags
            ));
        }
    }
    for s in &report.scenarios {
        let expected = cases::selected(case.expect, &s.feature_path, &s.name);
        v.expected += usize::from(expected);
        match (&s.outcome, expected) {
            (Outcome::Violated(_), true) => v.caught.push((s.feature_path.clone(), s.line)),
            (Outcome::Violated(f), false) => {
                v.collateral += 1;
                if case.precise {
                    v.problems.push(format!(
                        "also failed {} (rule: {}; expected {}, got {})",
                        s.key(),
                        f.rule,
                        f.expected,
                        f.actual
                    ));
                }
            }
            (Outcome::HarnessError { message }, false) => {
                v.collateral += 1;
                if case.precise {
                    v.problems
                        .push(format!("harness error in {}: {message}", s.key()));
                }
            }
            (other, true) => {
                v.problems
                    .push(format!("NOT CAUGHT {}: {}", s.key(), outcome_word(other)))
            }
            (_, false) => {}
        }
    }
    v
}

/// Prints the scenarios a case failed without naming them.
fn print_collateral(case: &Case, report: &RunReport) {
    for s in &report.scenarios {
        if !matches!(s.outcome, Outcome::Passed | Outcome::NotApplicable { .. })
            && !cases::selected(case.expect, &s.feature_path, &s.name)
        {
            println!(
                "[{}] other failure {}: {}",
                case.id,
                s.key(),
                outcome_word(&s.outcome)
            );
        }
    }
}

fn outcome_word(o: &Outcome) -> String {
    match o {
        Outcome::Passed => "passed".into(),
        Outcome::Violated(f) => format!("violated: {}", f.rule),
        Outcome::NotApplicable { needs } => format!("not applicable (needs {needs})"),
        Outcome::HarnessError { message } => format!("harness error: {message}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    // `TOKENSPEC_FAULTS=id,id` runs only those cases and prints every other failure of their
    // runs (for working on one fault); the kill matrix is then left alone.
    let only: Option<Vec<String>> = std::env::var("TOKENSPEC_FAULTS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let mut table = cases::all();
    if let Some(ids) = &only {
        table.retain(|c| ids.iter().any(|id| id == c.id));
        assert!(
            !table.is_empty(),
            "TOKENSPEC_FAULTS names no case of tests/faults/cases.rs"
        );
    }
    let results: Vec<(usize, anyhow::Result<RunReport>)> =
        futures::stream::iter(table.iter().enumerate())
            .map(|(i, case)| async move { (i, run_case(case).await) })
            .buffer_unordered(PARALLEL_CASES)
            .collect()
            .await;

    let mut verdicts: Vec<Option<Verdict>> = (0..table.len()).map(|_| None).collect();
    let mut failures = Vec::new();
    for (i, result) in results {
        let case = &table[i];
        match result {
            Ok(report) => {
                if only.is_some() {
                    print_collateral(case, &report);
                }
                let v = judge(case, &report);
                for p in &v.problems {
                    failures.push(format!("[{}] {p}", case.id));
                }
                verdicts[i] = Some(v);
            }
            Err(e) => failures.push(format!("[{}] the run did not start: {e:#}", case.id)),
        }
    }

    if only.is_some() {
        if !failures.is_empty() {
            eprintln!("fault matrix:\n{}", failures.join("\n"));
        }
        assert!(
            failures.is_empty(),
            "fault matrix:\n{}",
            failures.join("\n")
        );
        return;
    }
    let listed =
        runner::list(&root().join("features"), &Profile::reference()).expect("the features parse");
    let kill = matrix::build(&table, &verdicts, &listed);
    let path = root().join("docs/kill-matrix.md");
    if std::env::var_os("TOKENSPEC_KILL_MATRIX_CHECK").is_some() {
        // CI mode: the committed file must already say what this run showed.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(kill.markdown.as_str()) {
            failures.push(format!(
                "{} is out of date: run `cargo test --test faults` and commit it",
                path.display()
            ));
        }
    } else if let Err(e) = matrix::write(&path, &kill.markdown) {
        eprintln!("warning: cannot write {}: {e}", path.display());
    }
    for gap in &kill.must_gaps {
        failures.push(format!("GAP: no fault kills the @must scenario {gap}"));
    }
    // cucumber replaces the panic hook while it runs, so the message is printed here as well.
    if !failures.is_empty() {
        eprintln!("fault matrix:\n{}", failures.join("\n"));
    }
    assert!(
        failures.is_empty(),
        "fault matrix:\n{}",
        failures.join("\n")
    );
}

/// The CLI gives the same verdict as the runner: against a faulty target it exits 1 and names
/// the scenario that caught the fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_exits_1_naming_the_scenario_against_a_faulty_target() {
    let faults = reference_server::Faults {
        refresh_count_unenforced: true,
        ..Default::default()
    };
    let server = reference_server::start_with_faults(Profile::reference(), loopback(), faults)
        .await
        .expect("the faulty issuer starts");
    let url = server.base_url();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tokenspec"))
            .args(["run", "--quiet", "--target", &url, "--tags", "@refresh"])
            .env_remove("TOKENSPEC_PROFILE")
            .env_remove("RUST_LOG")
            .output()
            .expect("the tokenspec binary runs")
    })
    .await
    .expect("the blocking task finishes");
    server.shutdown().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Only the four @must refresh-count scenarios fail; the @should one is a warning.
    let failed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    let ok = out.status.code() == Some(1)
        && failed.len() == 4
        && failed.iter().all(|l| l.contains("refresh count is spent"))
        && stdout
            .lines()
            .last()
            .is_some_and(|l| l.contains(" 4 failed"));
    if !ok {
        eprintln!("exit {:?}\n{stdout}", out.status.code());
    }
    assert!(ok, "exit {:?}\n{stdout}", out.status.code());
}
