//! The whole suite against the embedded reference issuer, under `cargo test`.
//!
//! `harness = false`: this binary owns `main`. It strips the flags libtest would take (so
//! `cargo test -- --nocapture` works), answers nextest's `--list` with one test, starts the
//! reference issuer with the embedded default profile on a free port, runs every feature through
//! `tokenspec::runner`, and fails unless every `@must` and `@should` scenario passes and nothing
//! errors. `@info` scenarios are reported only. `TOKENSPEC_TAGS="@refresh and @jwt"` narrows the
//! run while working on a feature. A self-check then judges deliberately wrong setups (a profile
//! that disagrees with the issuer, unreachable, HTML and slow targets) to prove the suite fails
//! when it should.
//!
//! Snapshots: the runner judges response shapes against `snapshots/*.snap` without writing. This
//! binary also hands each observed shape to insta, so `cargo insta test --test conformance
//! --review` re-records them from the reference issuer (see `snapshots/README.md`). Under
//! `cargo insta` (which sets `INSTA_FORCE_PASS`) a shape mismatch is left to the review instead
//! of failing the run.

use std::path::PathBuf;
use std::process::ExitCode;

use tokenspec::report::model::{Level, Outcome};
use tokenspec::runner::{self, RunOptions};

/// Strips libtest flags; `None` when nextest only asks for the list of tests.
fn wants_run() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("conformance: test");
        }
        return false;
    }
    true
}

fn main() -> ExitCode {
    if !wants_run() {
        return ExitCode::SUCCESS;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("conformance: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<bool> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let profile = tokenspec_profile::Profile::reference();
    let server = reference_server::start(profile.clone(), "127.0.0.1:0".parse()?).await?;
    let opts = RunOptions {
        features_dir: root.join("features"),
        snapshots_dir: root.join("snapshots"),
        profile,
        base_url: server.base_url(),
        tags: std::env::var("TOKENSPEC_TAGS").ok(),
        concurrency: 64,
        name_filter: None,
    };
    let (report, observed) = runner::run_observed(opts.clone()).await?;
    let self_check = self_check(&opts).await;
    server.shutdown().await;

    // Every scenario states a fixture requirement; the report must name the fixture used.
    let unnamed: Vec<String> = report
        .scenarios
        .iter()
        .filter(|s| s.fixture.is_none())
        .map(|s| s.key())
        .collect();
    if !unnamed.is_empty() {
        println!(
            "conformance: scenarios without a fixture in the report:\n  {}",
            unnamed.join("\n  ")
        );
    }
    let reviewing = std::env::var_os("INSTA_FORCE_PASS").is_some();
    record_snapshots(&root, &observed);

    let mut failed = 0;
    let (mut passed, mut info_failed, mut na) = (0, 0, 0);
    for s in &report.scenarios {
        let snapshot_only = matches!(&s.outcome, Outcome::Violated(f) if f.rule.contains("matches snapshot"))
            || matches!(&s.outcome, Outcome::HarnessError { message } if message.starts_with("snapshot `"));
        match (&s.outcome, s.level) {
            (Outcome::Passed, _) => passed += 1,
            (Outcome::NotApplicable { needs }, _) => {
                na += 1;
                println!("NOT APPLICABLE {} ({needs})", s.key());
            }
            (_, _) if snapshot_only && reviewing => println!("SNAPSHOT PENDING {}", s.key()),
            (Outcome::HarnessError { message }, _) => {
                failed += 1;
                println!("ERROR {}\n  {message}", s.key());
            }
            (Outcome::Violated(f), Level::Info) => {
                info_failed += 1;
                println!(
                    "INFO {}: {} (expected {}, got {})",
                    s.key(),
                    f.rule,
                    f.expected,
                    f.actual
                );
            }
            (Outcome::Violated(f), _) => {
                failed += 1;
                println!(
                    "FAILED {} [{:?}]\n  step: {}\n  rule: {}\n  expected: {}\n  actual: {}\n  request:\n{}\n  response:\n{}",
                    s.key(),
                    s.level,
                    f.step,
                    f.rule,
                    f.expected,
                    f.actual,
                    indent(f.request.as_deref().unwrap_or("-")),
                    indent(f.response.as_deref().unwrap_or("-"))
                );
            }
        }
    }
    println!(
        "conformance: {} scenarios in {:.2?}: {passed} passed, {failed} failed or errored, {info_failed} info-level differences, {na} not applicable",
        report.scenarios.len(),
        report.duration
    );
    let self_check_ok = match self_check {
        Ok(()) => {
            println!(
                "conformance: self-check passed (wrong unit, wrong HS secret, unreachable, HTML and slow targets are caught; reports redact; X- fields do not break shapes)"
            );
            true
        }
        Err(e) => {
            println!("conformance: SELF-CHECK FAILED: {e:#}");
            false
        }
    };
    // Against the reference profile every scenario applies; a skip must not read as green.
    Ok(failed == 0
        && na == 0
        && unnamed.is_empty()
        && !report.scenarios.is_empty()
        && self_check_ok)
}

/// The suite must be able to fail: the same issuer judged with a profile that disagrees with
/// it, and an unreachable target, must produce violations and harness errors, not passes.
async fn self_check(base: &RunOptions) -> anyhow::Result<()> {
    use tokenspec_profile::{ExpiresInUnit, Secret};

    // The issuer emits milliseconds; a profile that says seconds must see expires_in violations.
    let mut opts = base.clone();
    opts.profile.target.expires_in_unit = ExpiresInUnit::Seconds;
    opts.tags = Some("@seed-1.1-cc and @must".into());
    let r = runner::run(opts).await?;
    let caught = r.scenarios.iter().any(|s| {
        matches!(&s.outcome, Outcome::Violated(f) if f.rule.starts_with("expires_in is the configured validity"))
    });
    anyhow::ensure!(caught, "a wrong expires_in unit was not caught");
    // Its failures show requests and responses: no secret and no token may appear in them.
    let text = serde_json::to_string(&r)?;
    for secret in base.profile.secrets() {
        anyhow::ensure!(
            !text.contains(secret),
            "a profile secret leaked into the report"
        );
    }
    anyhow::ensure!(!text.contains("eyJ"), "a JWT leaked into the report");
    anyhow::ensure!(
        text.contains("[redacted]"),
        "the report shows no redacted request"
    );

    // A target that emits Apinizer's X-... fields still matches every shape (they are noted).
    let mut x_profile = base.profile.clone();
    x_profile.target.x_fields = true;
    let x_server = reference_server::start(x_profile.clone(), "127.0.0.1:0".parse()?).await?;
    let mut opts = base.clone();
    opts.profile = x_profile;
    opts.base_url = x_server.base_url();
    opts.tags = Some("@shape".into());
    let r = runner::run(opts).await?;
    x_server.shutdown().await;
    anyhow::ensure!(!r.scenarios.is_empty(), "no shape scenario ran");
    let all_match = r
        .scenarios
        .iter()
        .all(|s| matches!(s.outcome, Outcome::Passed));
    anyhow::ensure!(
        all_match,
        "X- fields broke a shape: {:?}",
        r.scenarios
            .iter()
            .find(|s| !matches!(s.outcome, Outcome::Passed))
            .map(|s| &s.outcome)
    );

    // A wrong HS secret must fail signature verification.
    let mut opts = base.clone();
    opts.profile.target.hs_secret = Some(Secret::new("not-the-issuers-secret-0123456789abcdef"));
    opts.name_filter = Some("shared secret".into());
    let r = runner::run(opts).await?;
    anyhow::ensure!(!r.scenarios.is_empty(), "no HS scenario ran");
    let caught = r.scenarios.iter().all(
        |s| matches!(&s.outcome, Outcome::Violated(f) if f.rule == "the JWT signature verifies"),
    );
    anyhow::ensure!(caught, "a JWT signed with another secret was not caught");

    // Nothing listens on port 9 of loopback: every scenario is a harness error, none passes.
    let mut opts = base.clone();
    opts.base_url = "http://127.0.0.1:9".into();
    opts.tags = Some("@seed-2.1-cc".into());
    let r = runner::run(opts).await?;
    anyhow::ensure!(
        !r.scenarios.is_empty(),
        "no scenario ran against the unreachable target"
    );
    let unreachable = r.scenarios.iter().all(|s| {
        matches!(&s.outcome, Outcome::HarnessError { message } if message.contains("unreachable"))
    });
    anyhow::ensure!(
        unreachable,
        "an unreachable target was not reported as such: {:?}",
        r.scenarios.first().map(|s| &s.outcome)
    );

    // A target that answers HTML: violations that say the body is not JSON, never a panic.
    let html = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_raw("<html><body>Gateway</body></html>", "text/html"),
        )
        .mount(&html)
        .await;
    let mut opts = base.clone();
    opts.base_url = html.uri();
    opts.tags = Some("@seed-1.2-cc and @must".into());
    let r = runner::run(opts).await?;
    anyhow::ensure!(
        !r.scenarios.is_empty(),
        "no scenario ran against the HTML target"
    );
    let judged = r.scenarios.iter().all(|s| {
        matches!(&s.outcome, Outcome::Violated(f) if f.rule.contains("JSON object") && f.actual.contains("<html>"))
    });
    anyhow::ensure!(
        judged,
        "an HTML answer was not reported as a violation: {:?}",
        r.scenarios.first().map(|s| &s.outcome)
    );

    // A target slower than `request_timeout`: a harness error naming the timeout.
    let slow = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(2)),
        )
        .mount(&slow)
        .await;
    let mut opts = base.clone();
    opts.base_url = slow.uri();
    opts.profile.target.request_timeout = std::time::Duration::from_millis(200);
    opts.tags = Some("@seed-2.2-cc and @must".into());
    let r = runner::run(opts).await?;
    anyhow::ensure!(
        !r.scenarios.is_empty(),
        "no scenario ran against the slow target"
    );
    let timed_out = r.scenarios.iter().all(|s| {
        matches!(&s.outcome, Outcome::HarnessError { message } if message.contains("no response") && message.contains("200ms"))
    });
    anyhow::ensure!(
        timed_out,
        "a slow target was not reported as a timeout: {:?}",
        r.scenarios.first().map(|s| &s.outcome)
    );
    Ok(())
}

/// Hands every observed shape to insta (named snapshots in `snapshots/`), so the usual
/// `cargo insta` flow records and reviews them. Outside `cargo insta` a mismatch has already
/// been reported by the runner; insta's own panic is caught so all shapes are seen.
fn record_snapshots(root: &std::path::Path, observed: &[tokenspec::world::ObservedShape]) {
    let mut seen = std::collections::BTreeMap::new();
    for o in observed {
        seen.entry(o.name.clone())
            .or_insert_with(|| o.rendered.clone());
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    // insta reports a mismatch by panicking after printing its diff; the runner has already
    // reported it, so the panic itself is kept quiet.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    settings.bind(|| {
        for (name, rendered) in &seen {
            let r = std::panic::catch_unwind(|| insta::assert_snapshot!(name.as_str(), rendered));
            if r.is_err() {
                println!("insta: snapshot `{name}` differs (see the .snap.new file; `cargo insta review`)");
            }
        }
    });
    std::panic::set_hook(previous_hook);
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
