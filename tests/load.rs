//! `tokenspec load` end to end: real HTTP over loopback against the in-process reference issuer
//! (which must stay conformant under concurrency) and against wiremock targets that break one
//! rule each (which must be caught and turn into exit code 1), plus an unreachable target (3).

use std::time::Duration;

use serde_json::json;
use tokenspec::load::{self, LoadArgs, LoadReport, ViolationKind};
use tokenspec::profile::{ManagedFrom, RequestedGrant, TokenKind};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn args() -> LoadArgs {
    LoadArgs {
        quiet: true,
        concurrency: 8,
        requests: Some(200),
        validate_sample: 10,
        ..LoadArgs::default()
    }
}

fn count(report: &LoadReport, kind: ViolationKind) -> u64 {
    report
        .violations
        .iter()
        .find(|v| v.kind == kind)
        .map_or(0, |v| v.count)
}

fn assert_clean(report: &LoadReport) {
    assert_eq!(report.non_conformant, 0, "{}", report.render());
    assert_eq!(report.exit_code(), load::EXIT_OK, "{}", report.render());
    assert!(report.transport_errors.is_empty(), "{}", report.render());
}

fn assert_plausible_latency(report: &LoadReport) {
    let l = report.latency;
    assert!(l.p50_ms > 0.0, "{l:?}");
    assert!(
        l.p50_ms <= l.p90_ms && l.p90_ms <= l.p99_ms && l.p99_ms <= l.max_ms,
        "{l:?}"
    );
    assert!(l.max_ms < 5_000.0, "{l:?}");
    assert!(report.requests_per_second > 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_issuer_rs256_client_credentials_stays_conformant() {
    let report = load::execute(args()).await.unwrap();
    assert_clean(&report);
    assert_eq!(report.fixture, "jwt-policy-proxy-cc");
    assert!(report.target.contains("embedded reference issuer"));
    assert_eq!(report.requests, 200);
    assert_eq!(report.statuses.get(&200), Some(&200));
    assert_eq!(report.unique_tokens, 200);
    // Every 10th of 200 token responses went through RS256 verification against the JWKS.
    assert_eq!(report.signatures_checked, 20);
    assert_plausible_latency(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_issuer_hs256_and_opaque_stay_conformant() {
    let report = load::execute(LoadArgs {
        fixture: Some("jwt-policy-hs256-cc".into()),
        validate_sample: 1,
        ..args()
    })
    .await
    .unwrap();
    assert_clean(&report);
    assert_eq!(report.signatures_checked, 200);

    let report = load::execute(LoadArgs {
        token: Some(TokenKind::Oauth2),
        managed_from: Some(ManagedFrom::Acl),
        ..args()
    })
    .await
    .unwrap();
    assert_clean(&report);
    assert_eq!(report.fixture, "oauth2-acl-cc");
    assert_eq!(report.signatures_checked, 0);
    assert_eq!(report.unique_tokens, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_issuer_password_grant_with_the_dash_stays_conformant() {
    let report = load::execute(LoadArgs {
        token: Some(TokenKind::Jwt),
        managed_from: Some(ManagedFrom::Policy),
        grant: Some(RequestedGrant::Password),
        requests: Some(100),
        ..args()
    })
    .await
    .unwrap();
    assert_clean(&report);
    assert_eq!(report.fixture, "jwt-policy-proxy-password");
    assert_eq!(report.requests, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_respects_the_count_and_reacquires() {
    // oauth2-acl-cc allows 2 refreshes per acquisition: 4 workers × 30 refreshes each need
    // about 15 acquisitions per worker, one initial and the rest counted as re-acquisitions.
    let report = load::execute(LoadArgs {
        fixture: Some("oauth2-acl-cc".into()),
        grant: Some(RequestedGrant::RefreshToken),
        concurrency: 4,
        requests: Some(120),
        ..args()
    })
    .await
    .unwrap();
    assert_clean(&report);
    assert_eq!(report.requests, 120);
    assert_eq!(report.acquisitions, 4);
    assert!(
        (50..=60).contains(&report.reacquisitions),
        "{}",
        report.render()
    );
    // Refreshed and acquired access tokens are all distinct.
    assert_eq!(report.unique_tokens, 120 + 4 + report.reacquisitions);
}

async fn target_answering(body: serde_json::Value, cache_control: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/credential/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cache-control", cache_control)
                .set_body_json(body),
        )
        .mount(&server)
        .await;
    server
}

fn against(server: &MockServer) -> LoadArgs {
    LoadArgs {
        target: Some(server.uri()),
        fixture: Some("oauth2-acl-cc".into()),
        concurrency: 2,
        requests: Some(20),
        ..args()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_type_is_non_conformant_and_exits_one() {
    let server = target_answering(
        json!({"access_token": "abc", "token_type": "bearer", "expires_in": 60000,
               "refresh_token": "r"}),
        "no-store",
    )
    .await;
    let report = load::execute(against(&server)).await.unwrap();
    assert_eq!(report.exit_code(), load::EXIT_NON_CONFORMANT);
    assert_eq!(count(&report, ViolationKind::TokenType), 20);
    // The same token every time: 19 duplicates.
    assert_eq!(count(&report, ViolationKind::Duplicate), 19);
    assert_eq!(report.non_conformant, 20);
    let text = report.render();
    assert!(
        text.contains("token_type `bearer`, expected `Bearer`"),
        "{text}"
    );
    assert!(!text.contains("oauth2-acl-cc-secret"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_no_store_and_wrong_unit_are_caught() {
    let server = target_answering(
        json!({"access_token": "abc", "token_type": "Bearer", "expires_in": 60,
               "refresh_token": "r"}),
        "max-age=60",
    )
    .await;
    let report = load::execute(LoadArgs {
        requests: Some(1),
        ..against(&server)
    })
    .await
    .unwrap();
    assert_eq!(report.exit_code(), load::EXIT_NON_CONFORMANT);
    assert_eq!(count(&report, ViolationKind::CacheControl), 1);
    assert_eq!(count(&report, ViolationKind::ExpiresIn), 1);
    assert!(
        report
            .render()
            .contains("expires_in 60, expected 60000 (milliseconds)"),
        "{}",
        report.render()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_jwt_signature_is_caught() {
    // A JWT signed with another HS256 key than the profile's hs_secret.
    let forged = {
        let key = jsonwebtoken::EncodingKey::from_secret(b"not-the-profile-secret").unwrap();
        let claims = json!({"iss": "x", "exp": 4_000_000_000u64, "jti": "1"});
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/jwt"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cache-control", "no-store")
                .set_body_json(json!({"access_token": forged, "token_type": "Bearer",
                    "expires_in": 60000, "refresh_token": "r"})),
        )
        .mount(&server)
        .await;
    let report = load::execute(LoadArgs {
        target: Some(server.uri()),
        fixture: Some("jwt-policy-hs256-cc".into()),
        requests: Some(1),
        validate_sample: 1,
        ..args()
    })
    .await
    .unwrap();
    assert_eq!(
        count(&report, ViolationKind::Signature),
        1,
        "{}",
        report.render()
    );
    assert_eq!(report.exit_code(), load::EXIT_NON_CONFORMANT);
    assert!(!report.render().contains(&forged));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_exits_three() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = load::execute(LoadArgs {
        target: Some(format!("http://127.0.0.1:{port}")),
        duration: Some(Duration::from_secs(1)),
        requests: None,
        ..args()
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.exit_code(), load::EXIT_UNREACHABLE, "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
}

#[tokio::test]
async fn bad_selections_are_usage_errors() {
    let err = load::execute(LoadArgs {
        fixture: Some("no-such-fixture".into()),
        ..args()
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.exit_code(), load::EXIT_USAGE);
    let err = load::execute(LoadArgs {
        concurrency: 0,
        ..args()
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.exit_code(), load::EXIT_USAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_reacquires_before_a_short_window_closes() {
    // A refresh count that never runs out and a 1 s window: over 2.5 s each worker must
    // re-acquire because of the window (about twice) and never send a refresh the issuer refuses.
    let profile = r#"
        [target]
        expires_in_unit = "seconds"
        [[fixtures]]
        id = "window"
        token = "oauth2"
        managed_from = "acl"
        grant_type = "client_credentials"
        client_id = "window-key"
        client_secret = "window-secret"
        token_expires_in = "1s"
        refresh = { allowed = true, count = 1000000000, expires_in = "1s" }
    "#;
    let path =
        std::env::temp_dir().join(format!("tokenspec-load-window-{}.toml", std::process::id()));
    std::fs::write(&path, profile).unwrap();
    let report = load::execute(LoadArgs {
        profile: Some(path.clone()),
        grant: Some(RequestedGrant::RefreshToken),
        concurrency: 2,
        requests: None,
        duration: Some(Duration::from_millis(2500)),
        ..args()
    })
    .await;
    let _ = std::fs::remove_file(&path);
    let report = report.unwrap();
    assert_clean(&report);
    assert_eq!(report.fixture, "window");
    assert_eq!(report.acquisitions, 2, "{}", report.render());
    assert!(
        (2..=8).contains(&report.reacquisitions),
        "{}",
        report.render()
    );
    assert_eq!(
        report.statuses.keys().copied().collect::<Vec<_>>(),
        vec![200]
    );
}
