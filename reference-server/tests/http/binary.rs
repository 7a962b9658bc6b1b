//! Item 12: the `reference-server` binary: listening line, signals, bad profile, quiet logs.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_reference-server");

fn terminate(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Port 0, the listening line first on stdout, requests served, SIGTERM exits 0, and the debug
/// log names fixtures but never a secret, password or token.
#[tokio::test]
async fn binary_serves_and_shuts_down_on_sigterm_without_leaking_secrets() {
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));

    let profile = tokenspec_profile::Profile::reference();
    let issuer = crate::support::wrap_url(&url, profile.clone());
    let mut leaked: Vec<String> = profile.secrets().iter().map(|s| s.to_string()).collect();
    let ok = issuer.acquire("jwt-policy-proxy-password", &[]).await;
    ok.assert_ok();
    leaked.push(ok.access_token().to_owned());
    leaked.push(ok.refresh_token().to_owned());
    let opaque = issuer.acquire("oauth2-acl-cc", &[]).await;
    leaked.push(opaque.access_token().to_owned());
    leaked.push(opaque.refresh_token().to_owned());
    issuer
        .refresh("oauth2-acl-cc", opaque.refresh_token())
        .await
        .assert_ok();
    issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "password"),
                ("client_id", "jwt-policy-proxy-password-key"),
                ("client_secret", "jwt-policy-proxy-password-secret"),
                ("username", "alice"),
                ("password", "bob-pw-2"),
            ],
        )
        .await
        .assert_error(400, "invalid_grant");

    terminate(child.id());
    let status = wait_with_timeout(&mut child, Duration::from_secs(5));
    assert!(status.success(), "exit status {status:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(
        logs.contains("jwt-policy-proxy-password"),
        "logs name the fixture: {logs}"
    );
    assert!(logs.contains("invalid_grant"), "logs name the outcome");
    for secret in &leaked {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret or token leaked into the log"
        );
    }
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the binary did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_profile_exits_2_with_the_loader_message() {
    let dir = std::env::temp_dir().join(format!("refsrv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[target]\nscope_mismatch = \"sometimes\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["--profile", path.to_str().unwrap(), "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("scope_mismatch"), "{err}");
    let missing = Command::new(BIN)
        .args(["--profile", "/nonexistent/profile.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
