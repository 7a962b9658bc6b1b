//! Per-request CPU cost of the issuer's handlers, without sockets: each case is sent
//! through `reference_server::router(...).oneshot(...)` on one thread and timed. It isolates
//! what the issuer adds on top of hyper (parsing, client check, token minting, store, JSON),
//! which the socket benchmark (`scripts/bench.sh`) cannot separate from wrk's own CPU use.
//!
//! `cargo run --release -p reference-server --example hotpath [CASE]` (all cases without an argument)

use std::time::Instant;
use tower::ServiceExt as _;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let router = reference_server::router(tokenspec_profile::Profile::reference()).unwrap();
    for (name, path, body) in [
        ("healthz", "/healthz", None),
        (
            "opaque",
            "/credential/token",
            Some(
                "grant_type=client_credentials&client_id=oauth2-acl-cc-key&client_secret=oauth2-acl-cc-secret",
            ),
        ),
        (
            "opaque-norefresh",
            "/auth/token",
            Some(
                "grant_type=client_credentials&client_id=oauth2-policy-policygroup-cc-key&client_secret=oauth2-policy-policygroup-cc-secret",
            ),
        ),
        (
            "hs256",
            "/auth/jwt",
            Some(
                "grant_type=client_credentials&client_id=jwt-policy-hs256-cc-key&client_secret=jwt-policy-hs256-cc-secret",
            ),
        ),
        (
            "password-opaque",
            "/credential/token",
            Some(
                "grant_type=password&client_id=oauth2-acl-password-key&client_secret=oauth2-acl-password-secret&username=alice&password=alice-pw-1",
            ),
        ),
        (
            "bad-secret",
            "/credential/token",
            Some("grant_type=client_credentials&client_id=oauth2-acl-cc-key&client_secret=nope"),
        ),
        (
            "rs256",
            "/credential/jwt",
            Some(
                "grant_type=client_credentials&client_id=jwt-acl-cc-key&client_secret=jwt-acl-cc-secret",
            ),
        ),
    ] {
        if std::env::args().nth(1).is_some_and(|only| only != name) {
            continue;
        }
        let n = if name == "rs256" { 2000 } else { 200_000 };
        let start = Instant::now();
        for _ in 0..n {
            let req = match body {
                None => axum::http::Request::get(path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
                Some(b) => axum::http::Request::post(path)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(b))
                    .unwrap(),
            };
            let resp = router.clone().oneshot(req).await.unwrap();
            let _ = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
        }
        let per = start.elapsed().as_nanos() as f64 / n as f64;
        println!("{name:18} {per:8.0} ns/req  ({:.0} req/s/core)", 1e9 / per);
    }
}
