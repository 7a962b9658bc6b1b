//! The `tokenspec` binary end to end: exit codes and messages for good and bad input.
//!
//! Each test runs the built binary (`CARGO_BIN_EXE_tokenspec`) as a user would, from a scratch
//! directory so nothing depends on the source tree being the working directory. Targets are
//! real servers on `127.0.0.1:0`: the reference issuer started in this process, or wiremock
//! servers that answer HTML, garbage or too slowly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use tokenspec_profile::Profile;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_tokenspec");

/// The reference profile file of the source tree.
fn reference_profile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/reference.toml")
}

/// Runs `tokenspec` with `args` in a scratch directory, without a `TOKENSPEC_*` or `RUST_LOG`
/// environment leaking in.
fn tokenspec(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("TOKENSPEC_TARGET")
        .env_remove("TOKENSPEC_PROFILE")
        .env_remove("RUST_LOG")
        .output()
        .expect("the tokenspec binary runs")
}

/// Runs `tokenspec` off the async runtime, so in-process servers keep serving meanwhile.
async fn tokenspec_async(args: Vec<String>, dir: PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tokenspec(&args, &dir)
    })
    .await
    .expect("the blocking task finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit code and that stderr contains every `needles`, printing both streams on
/// failure.
fn assert_exit(out: &Output, code: i32, needles: &[&str]) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stderr\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "a panic\n{stderr}");
}

/// The summary line: the last line of stdout.
fn summary_line(out: &Output) -> String {
    text(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

/// `key -> verdict` from a Cucumber JSON report written by `--json`.
fn verdicts(path: &Path) -> Vec<(String, String)> {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("json report written"))
            .expect("json report parses");
    let mut out: Vec<(String, String)> = report
        .as_array()
        .expect("an array of features")
        .iter()
        .flat_map(|f| f["elements"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            (
                e["tokenspec"]["key"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["tokenspec"]["verdict"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A copy of the reference profile with a different request timeout.
/// A target that answers every request with an HTML page, so every scenario fails.
async fn html_target() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html></html>", "text/html"))
        .mount(&server)
        .await;
    server
}

fn reference_profile_with_timeout(dir: &Path, timeout: &str) -> PathBuf {
    let text = std::fs::read_to_string(reference_profile()).expect("reference profile");
    assert!(text.contains("request_timeout = \"5s\""));
    let changed = text.replace(
        "request_timeout = \"5s\"",
        &format!("request_timeout = \"{timeout}\""),
    );
    let path = dir.join("slow.toml");
    std::fs::write(&path, changed).expect("write profile");
    path
}

#[test]
fn embedded_run_passes_and_prints_the_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec(&["run", "--quiet"], dir.path());
    assert_exit(&out, 0, &["started the reference issuer in-process"]);
    let line = summary_line(&out);
    let (counts, time) = line
        .split_once(") in ")
        .expect("summary ends with the duration");
    assert!(time.ends_with('s'), "{line}");
    let (main, extra) = counts.split_once(" (").expect("counts in parentheses");
    let words: Vec<&str> = main.split(' ').collect();
    assert!(
        matches!(
            words.as_slice(),
            [p, "passed,", "0", "failed,", _, "skipped"] if p.parse::<u32>().unwrap_or(0) > 0
        ),
        "{line}"
    );
    assert!(
        extra.contains("warning") && extra.contains("not applicable"),
        "{line}"
    );
}

/// `tokenspec serve` as a separate process; killed when dropped.
struct ServeProcess {
    child: std::process::Child,
    url: String,
}

impl ServeProcess {
    /// Starts `tokenspec serve --bind 127.0.0.1:0 [args]` and reads the URL from its first line.
    async fn start(args: &[&str]) -> ServeProcess {
        use std::io::BufRead as _;
        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .env_remove("TOKENSPEC_PROFILE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("tokenspec serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let first = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            std::io::BufReader::new(stdout)
                .read_line(&mut line)
                .map(|_| line)
        })
        .await
        .expect("reader task")
        .expect("first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .to_owned();
        ServeProcess { child, url }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The issue's "done when": `tokenspec run --target URL --profile FILE` against a reference
/// issuer started separately gives the same verdicts as the embedded run, both for an issuer in
/// another process (`tokenspec serve`, the `reference-server` logic) and one started through the
/// library API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separately_started_reference_issuer_gives_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let profile_arg = reference_profile().display().to_string();
    let process = ServeProcess::start(&["--profile", &profile_arg]).await;
    let profile = Profile::load(reference_profile()).expect("reference profile loads");
    let library = reference_server::start(profile, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("reference issuer starts");

    let mut verdict_sets = Vec::new();
    for (name, target) in [
        ("process", Some(process.url.clone())),
        ("library", Some(library.base_url())),
        ("embedded", None),
    ] {
        let json = dir.path().join(format!("{name}.json"));
        let mut args: Vec<String> = vec!["run".into(), "--quiet".into()];
        if let Some(url) = target {
            args.extend([
                "--target".into(),
                url,
                "--profile".into(),
                profile_arg.clone(),
            ]);
        }
        args.extend(["--json".into(), json.display().to_string()]);
        let out = tokenspec_async(args, dir.path().to_owned()).await;
        assert_exit(&out, 0, &[]);
        verdict_sets.push(verdicts(&json));
    }
    library.shutdown().await;
    drop(process);

    assert!(verdict_sets[0].len() > 100, "{}", verdict_sets[0].len());
    assert_eq!(
        verdict_sets[0], verdict_sets[2],
        "separate process vs embedded"
    );
    assert_eq!(
        verdict_sets[1], verdict_sets[2],
        "library server vs embedded"
    );
}

#[test]
fn malformed_profile_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "[target\nbase_url = ").unwrap();
    let out = tokenspec(&["run", "--profile", "broken.toml"], dir.path());
    assert_exit(&out, 2, &["profile broken.toml", "not valid TOML"]);
}

#[test]
fn incomplete_profile_names_the_missing_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("incomplete.toml"),
        "[target]\nbase_url = \"http://127.0.0.1:9\"\n\n[[fixtures]]\nid = \"a\"\n",
    )
    .unwrap();
    let out = tokenspec(&["run", "--profile", "incomplete.toml"], dir.path());
    assert_exit(
        &out,
        2,
        &["profile incomplete.toml", "fixtures[0]", "token"],
    );
}

#[test]
fn undefined_variable_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(reference_profile())
        .unwrap()
        .replace(
            "client_secret = \"jwt-policy-proxy-cc-secret\"",
            "client_secret = \"${TOKENSPEC_TEST_UNSET_SECRET}\"",
        );
    assert!(text.contains("TOKENSPEC_TEST_UNSET_SECRET"));
    std::fs::write(dir.path().join("env.toml"), text).unwrap();
    let out = tokenspec(&["run", "--profile", "env.toml"], dir.path());
    assert_exit(
        &out,
        2,
        &[
            "TOKENSPEC_TEST_UNSET_SECRET",
            "is not set",
            "fixtures[0].client_secret",
        ],
    );
}

#[test]
fn missing_profile_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec(&["run", "--profile", "nope.toml"], dir.path());
    assert_exit(&out, 2, &["nope.toml", "cannot read the file"]);
}

#[test]
fn unreachable_target_is_exit_3_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = tokenspec(&["run", "--target", &url], dir.path());
    assert_exit(
        &out,
        3,
        &[&format!("target {url} is unreachable"), "--target"],
    );
    assert_eq!(text(&out.stderr).matches("error:").count(), 1);
    assert!(!text(&out.stdout).contains("FAIL"), "{}", text(&out.stdout));
}

#[test]
fn bad_command_line_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--target", "not a url"], "is not a URL"),
        (
            &["run", "--target", "ftp://example.com"],
            "http:// or https://",
        ),
        (&["run", "--tags", "@must and"], "is not a tag expression"),
        (&["run", "--features", "no-such-dir"], "not a directory"),
        (&["run", "--baseline", "no-such-baseline.toml"], "baseline"),
        (&["run", "--concurrency", "0"], "--concurrency"),
        (&["run", "--quiet", "--verbose"], "cannot be used with"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let out = tokenspec(args, dir.path());
        assert_exit(&out, 2, &[needle]);
    }
}

#[test]
fn malformed_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baseline.toml"),
        "[[known_failure]]\nscenraio = \"x\"\n",
    )
    .unwrap();
    let out = tokenspec(&["run", "--baseline", "baseline.toml"], dir.path());
    assert_exit(&out, 2, &["baseline baseline.toml", "scenraio"]);
}

#[test]
fn empty_selection_is_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec(&["run", "--tags", "@no-such-tag-anywhere"], dir.path());
    assert_exit(&out, 4, &["nothing ran"]);
    assert!(summary_line(&out).starts_with("0 passed, 0 failed, 0 skipped"));
}

/// Runs the suite against a wiremock target answering every POST with `post` and every GET
/// with `get`; returns the output and the directory holding `junit.xml`.
async fn run_against(
    post: ResponseTemplate,
    get: ResponseTemplate,
    profile: Option<PathBuf>,
) -> (Output, tempfile::TempDir) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(post)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(get)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let profile = profile.unwrap_or_else(reference_profile);
    let out = tokenspec_async(
        vec![
            "run".into(),
            "--quiet".into(),
            "--target".into(),
            server.uri(),
            "--profile".into(),
            profile.display().to_string(),
            "--junit".into(),
            junit.display().to_string(),
        ],
        dir.path().to_owned(),
    )
    .await;
    drop(server);
    (out, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_target_fails_scenarios_with_reasons() {
    let html = ResponseTemplate::new(200).set_body_raw(
        "<html><body><h1>Welcome to nginx!</h1></body></html>",
        "text/html; charset=utf-8",
    );
    let (out, dir) = run_against(html.clone(), html, None).await;
    assert_exit(&out, 1, &[]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL "), "{stdout}");
    assert!(stdout.contains("rule:"), "{stdout}");
    assert!(stdout.contains("text/html"), "{stdout}");
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(xml.contains("<failure"), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_target_fails_scenarios_with_reasons() {
    let garbage = ResponseTemplate::new(200).set_body_raw(
        b"\x00\xff{\"access_token\": tru".to_vec(),
        "application/json",
    );
    let (out, _dir) = run_against(garbage.clone(), garbage, None).await;
    assert_exit(&out, 1, &[]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL "), "{stdout}");
    assert!(stdout.contains("rule:"), "{stdout}");
}

/// A target that accepts connections but answers slower than `request_timeout` cannot be judged:
/// the runner reports each scenario as a harness error naming the timeout (see
/// tests/conformance.rs), which is exit code 3, the code of a target that cannot be reached,
/// summed up in one message instead of a page of errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_target_is_exit_3_with_the_timeout_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let profile = reference_profile_with_timeout(dir.path(), "300ms");
    // Slow token endpoints; the base URL itself answers at once, so the probe passes.
    let slow = ResponseTemplate::new(200)
        .set_delay(Duration::from_secs(2))
        .set_body_json(serde_json::json!({"access_token": "x", "token_type": "Bearer"}));
    let (out, _dir) = run_against(slow, ResponseTemplate::new(404), Some(profile)).await;
    assert_exit(
        &out,
        3,
        &[
            "could not be judged",
            "most common reason: no response from",
            "within 300ms",
        ],
    );
    assert_eq!(text(&out.stderr).matches("error:").count(), 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ERROR "), "{stdout}");
    assert!(
        summary_line(&out).contains(" errors"),
        "{}",
        summary_line(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_baseline_accepts_failures_and_goes_stale_when_they_pass() {
    // Every scenario fails against an HTML target: record them all as known failures.
    let server = html_target().await;
    let dir = tempfile::tempdir().unwrap();
    let profile = reference_profile().display().to_string();
    let written = tokenspec_async(
        vec![
            "run".into(),
            "--quiet".into(),
            "--target".into(),
            server.uri(),
            "--profile".into(),
            profile.clone(),
            "--write-baseline".into(),
            "known.toml".into(),
        ],
        dir.path().to_owned(),
    )
    .await;
    assert_exit(&written, 0, &["known failure(s) to known.toml"]);
    let baseline = std::fs::read_to_string(dir.path().join("known.toml")).unwrap();
    assert!(baseline.contains("[[known_failure]]"), "{baseline}");
    assert!(
        summary_line(&written).contains("baselined"),
        "{}",
        summary_line(&written)
    );

    // The same baseline against the reference issuer: every entry now passes, so it is stale.
    let stale = tokenspec_async(
        vec![
            "run".into(),
            "--quiet".into(),
            "--baseline".into(),
            "known.toml".into(),
        ],
        dir.path().to_owned(),
    )
    .await;
    assert_exit(&stale, 1, &[]);
    let stdout = text(&stale.stdout);
    assert!(stdout.contains("STALE"), "{stdout}");
    assert!(
        stdout.contains("remove the entry from the baseline"),
        "{stdout}"
    );
    assert!(
        summary_line(&stale).contains("stale"),
        "{}",
        summary_line(&stale)
    );
}

#[test]
fn embedded_run_writes_agreeing_junit_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec(
        &["run", "--quiet", "--junit", "r.xml", "--json", "r.json"],
        dir.path(),
    );
    assert_exit(&out, 0, &[]);
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuites name=\"tokenspec\""), "{xml}");
    assert!(
        !xml.contains("<failure") && !xml.contains("<error"),
        "{xml}"
    );
    let verdicts = verdicts(&dir.path().join("r.json"));
    let testcases = xml.matches("<testcase ").count();
    assert_eq!(verdicts.len(), testcases);
    assert!(verdicts.iter().all(|(_, v)| v == "pass"), "{verdicts:?}");
    let passed: usize = summary_line(&out)
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(passed, testcases);
}

#[test]
fn list_shows_fixture_or_what_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("one.toml"),
        r#"
[target]
base_url = "http://127.0.0.1:9"

[[fixtures]]
id = "only-jwt-cc"
token = "jwt"
managed_from = "policy"
key_level = "api-proxy"
grant_type = "client_credentials"
client_id = "k"
client_secret = "s3cret-value"
token_expires_in = "60s"
"#,
    )
    .unwrap();
    let out = tokenspec(
        &[
            "list",
            "--profile",
            "one.toml",
            "--tags",
            "@jwt and @policy",
        ],
        dir.path(),
    );
    assert_exit(&out, 0, &[]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("fixture: only-jwt-cc"), "{stdout}");
    assert!(stdout.contains("not applicable: needs"), "{stdout}");
    assert!(
        !stdout.contains("@oauth2 "),
        "tag filter ignored:\n{stdout}"
    );
    assert!(!stdout.contains("s3cret-value"));
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.contains("applicable to profile one.toml"), "{last}");
}

#[test]
fn steps_prints_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec(&["steps"], dir.path());
    assert_exit(&out, 0, &[]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Given a JWT policy managed from"),
        "{stdout}"
    );
    assert!(stdout.contains("When "), "{stdout}");
    assert!(stdout.contains("Then "), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_issues_tokens_and_stops_on_sigterm() {
    let mut serve = ServeProcess::start(&[]).await;
    let profile = Profile::reference();
    let fixture = profile
        .fixture("jwt-policy-proxy-cc")
        .expect("reference fixture");
    let response = reqwest::Client::new()
        .post(format!("{}/auth/jwt", serve.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", fixture.client_id.as_str()),
            ("client_secret", fixture.client_secret.expose()),
        ])
        .send()
        .await
        .expect("serve answers");
    assert_eq!(response.status(), 200);

    let kill = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = tokio::task::spawn_blocking(move || serve.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0), "graceful exit on SIGTERM");
}

#[test]
fn unknown_step_is_a_usage_error_naming_the_closest_steps() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features");
    std::fs::create_dir_all(&features).unwrap();
    std::fs::write(
        features.join("typo.feature"),
        "Feature: a typo\n\n  @must\n  Scenario: misspelt\n    \
         Given a JWT policy managed from this policy with grant type client_credentials\n    \
         When the client requets a token as documented\n    Then a token is issued\n",
    )
    .unwrap();
    let out = tokenspec(&["run", "--features", "features"], dir.path());
    assert_exit(
        &out,
        2,
        &[
            "typo.feature:6",
            "the client requets a token as documented",
            "When the client requests a token as documented",
        ],
    );
    assert!(
        !text(&out.stdout).contains("PASS"),
        "ran despite the unknown step"
    );
}

/// Every failure against an HTML target prints the request it sent; no secret of the profile may
/// appear in the terminal, JUnit or JSON output, while the redaction marker does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_any_output() {
    let server = html_target().await;
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec_async(
        vec![
            "run".into(),
            "--verbose".into(),
            "--target".into(),
            server.uri(),
            "--profile".into(),
            reference_profile().display().to_string(),
            "--junit".into(),
            "r.xml".into(),
            "--json".into(),
            "r.json".into(),
        ],
        dir.path().to_owned(),
    )
    .await;
    assert_exit(&out, 1, &[]);
    let outputs = [
        text(&out.stdout),
        text(&out.stderr),
        std::fs::read_to_string(dir.path().join("r.xml")).unwrap(),
        std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
    ];
    let profile = Profile::reference();
    let secrets = profile.secrets();
    assert!(secrets.len() > 10, "the reference profile has many secrets");
    for output in &outputs {
        for secret in &secrets {
            assert!(!output.contains(secret), "a secret leaked into the output");
        }
    }
    assert!(
        outputs[0].contains("client_secret=[redacted]"),
        "{}",
        outputs[0]
    );
    assert!(outputs[0].contains("password=[redacted]"), "{}", outputs[0]);
}

/// `--show-secrets` is the one explicit way to see what was exchanged with a test gateway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_secrets_reveals_what_was_sent() {
    let server = html_target().await;
    let dir = tempfile::tempdir().unwrap();
    let out = tokenspec_async(
        vec![
            "run".into(),
            "--quiet".into(),
            "--show-secrets".into(),
            "--target".into(),
            server.uri(),
            "--profile".into(),
            reference_profile().display().to_string(),
        ],
        dir.path().to_owned(),
    )
    .await;
    assert_exit(&out, 1, &["NOT redacted"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("client_secret=jwt-acl-cc-secret"),
        "{stdout}"
    );
    assert!(!stdout.contains("[redacted]"), "{stdout}");
}

/// The README's "adding a scenario" path: a new feature file in a features directory of one's
/// own, run against the embedded reference issuer.
#[test]
fn a_new_scenario_runs_from_a_features_directory() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features/policy");
    std::fs::create_dir_all(&features).unwrap();
    std::fs::write(
        features.join("mine.feature"),
        "@policy @jwt\nFeature: my check\n\n  @must @seed-1.1-cc @client_credentials\n  \
         Scenario: my new scenario\n    \
         Given a JWT policy managed from this policy with grant type client_credentials\n    \
         When the client requests a token as documented\n    Then a token is issued\n    \
         And expires_in is the configured validity\n",
    )
    .unwrap();
    let out = tokenspec(&["run", "--features", "features"], dir.path());
    assert_exit(&out, 0, &[]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("PASS   policy/mine.feature:5  my new scenario"),
        "{stdout}"
    );
    assert!(summary_line(&out).starts_with("1 passed, 0 failed, 0 skipped"));
}
