//! Targets that are not token services at all: nothing listening, connections reset, silence,
//! bytes that are not HTTP. Each scenario must end with a reason a person can act on (never
//! "passed", never a harness bug or a panic), and the CLI must exit with its documented code.
//!
//! `tests/cli.rs` already covers, through the CLI, a closed port (exit 3) and HTTP targets that
//! answer HTML, garbage bodies or too slowly (exit 1); these tests go below HTTP (raw TCP
//! listeners) and look at every scenario's outcome through the runner.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use tokenspec::report::model::{Outcome, RunReport};
use tokenspec_profile::Profile;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::{root, run_suite};

/// `assert!` that also prints its message: while cucumber runs in another test of this binary,
/// the panic hook may not print it.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            let msg = format!($($msg)+);
            eprintln!("{msg}");
            panic!("{msg}");
        }
    };
}

/// How the raw target treats a connection.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// Accept, then close at once (the client sees a reset or an early EOF).
    Reset,
    /// Accept, read, never answer.
    Silent,
    /// Accept, read, answer bytes that are not HTTP, close.
    Garbage,
}

/// A raw TCP target on `127.0.0.1:0`; stops when the returned task is aborted.
async fn raw_target(behaviour: Behaviour) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut sock, _)) = listener.accept().await {
            match behaviour {
                Behaviour::Reset => drop(sock),
                Behaviour::Silent => {
                    let mut buf = [0u8; 1024];
                    let _ = sock.read(&mut buf).await;
                    held.push(sock);
                }
                Behaviour::Garbage => {
                    tokio::spawn(async move {
                        let mut buf = [0u8; 4096];
                        let _ = sock.read(&mut buf).await;
                        let _ = sock
                            .write_all(b"\x00\xff\x13 NOT HTTP AT ALL \xfe\r\n\r\n")
                            .await;
                        let _ = sock.shutdown().await;
                    });
                }
            }
        }
    });
    (url, task)
}

/// The reference profile with a short request timeout, in memory and as a file.
fn short_timeout_profile(dir: &Path) -> (Profile, PathBuf) {
    let text =
        std::fs::read_to_string(root().join("targets/reference.toml")).expect("reference profile");
    assert!(
        text.contains("request_timeout = \"5s\""),
        "the reference profile's timeout line changed"
    );
    let text = text.replace("request_timeout = \"5s\"", "request_timeout = \"300ms\"");
    let path = dir.join("short-timeout.toml");
    std::fs::write(&path, &text).expect("write profile");
    let profile = Profile::load(&path).expect("the edited profile loads");
    (profile, path)
}

/// Every scenario failed, with a reason that contains one of `needles` and no sign of a bug.
fn assert_all_failed(report: &RunReport, needles: &[&str]) {
    check!(!report.scenarios.is_empty(), "nothing ran");
    for s in &report.scenarios {
        let reason = match &s.outcome {
            Outcome::Violated(f) => {
                format!("{} / expected {} / got {}", f.rule, f.expected, f.actual)
            }
            Outcome::HarnessError { message } => message.clone(),
            other => {
                check!(
                    false,
                    "{} should fail against a broken target, got {other:?}",
                    s.key()
                );
                continue;
            }
        };
        let lower = reason.to_lowercase();
        check!(
            needles.iter().any(|n| lower.contains(n)),
            "{}: reason {reason:?} names none of {needles:?}",
            s.key()
        );
        check!(
            !lower.contains("harness bug") && !lower.contains("panicked"),
            "{}: {reason}",
            s.key()
        );
    }
}

async fn cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tokenspec"))
            .args(&args)
            .env_remove("TOKENSPEC_TARGET")
            .env_remove("TOKENSPEC_PROFILE")
            .env_remove("RUST_LOG")
            .output()
            .expect("the tokenspec binary runs")
    })
    .await
    .expect("the blocking task finishes")
}

/// Runs the CLI against `url` and checks its exit code and that nothing panicked.
async fn assert_cli_exit(url: &str, profile: &Path, code: i32, needles: &[&str]) {
    let out = cli(vec![
        "run".into(),
        "--quiet".into(),
        "--target".into(),
        url.into(),
        "--profile".into(),
        profile.display().to_string(),
        "--tags".into(),
        "@policy".into(),
    ])
    .await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    check!(
        out.status.code() == Some(code),
        "exit code {:?} (expected {code}) against {url}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status.code()
    );
    check!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "a panic\n{stderr}"
    );
    let all = format!("{stdout}{stderr}").to_lowercase();
    check!(
        needles.iter().any(|n| all.contains(n)),
        "output names none of {needles:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_fails_every_scenario_as_unreachable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, _) = short_timeout_profile(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let report = run_suite(profile, format!("http://127.0.0.1:{port}"), Some("@policy"))
        .await
        .expect("the run starts");
    assert_all_failed(&report, &["unreachable", "refused"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_connections_fail_every_scenario_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, file) = short_timeout_profile(dir.path());
    let (url, task) = raw_target(Behaviour::Reset).await;
    let report = run_suite(profile, url.clone(), Some("@policy"))
        .await
        .expect("the run starts");
    // Closed before or after the request arrived: an early EOF or a reset, both reported; when
    // the close wins the race with the handshake, hyper calls it "connection was not ready".
    assert_all_failed(
        &report,
        &[
            "connection closed",
            "connection reset",
            "connection was not ready",
        ],
    );
    assert_cli_exit(
        &url,
        &file,
        3,
        &[
            "is unreachable: connection closed",
            "is unreachable: connection reset",
            "is unreachable: connection was not ready",
        ],
    )
    .await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_target_fails_every_scenario_with_the_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, file) = short_timeout_profile(dir.path());
    let (url, task) = raw_target(Behaviour::Silent).await;
    let report = tokio::time::timeout(
        Duration::from_secs(30),
        run_suite(profile, url.clone(), Some("@policy")),
    )
    .await
    .expect("the run ends although the target never answers")
    .expect("the run starts");
    assert_all_failed(&report, &["within 300ms"]);
    assert_cli_exit(&url, &file, 3, &["did not answer within 300ms"]).await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_bytes_fail_every_scenario_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, file) = short_timeout_profile(dir.path());
    let (url, task) = raw_target(Behaviour::Garbage).await;
    let report = run_suite(profile, url.clone(), Some("@policy"))
        .await
        .expect("the run starts");
    assert_all_failed(&report, &["invalid http"]);
    assert_cli_exit(&url, &file, 3, &["invalid http version"]).await;
    task.abort();
}
