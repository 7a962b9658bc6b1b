//! Item 11: no 5xx on any input, timeouts for slow clients, purge of expired state, shutdown.

use std::time::Duration;

use rand::RngExt as _;
use reference_server::Options;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{self, profile};

/// A loop of malformed and random inputs: every answer is JSON with the no-store headers,
/// never a 5xx (the one well-formed input gets its token).
#[tokio::test]
async fn garbage_never_causes_a_5xx() {
    let issuer = support::reference().await;
    let paths = [
        "/auth/jwt",
        "/auth/token",
        "/credential/jwt",
        "/credential/token",
        "/auth/introspect",
        "/credential/introspect",
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"&&&&===&=&".to_vec(),
        b"grant_type".to_vec(),
        b"%".to_vec(),
        b"%zz%%%2".to_vec(),
        b"grant_type=password&client_id=jwt-policy-proxy-password-key&client_secret=-".to_vec(),
        b"grant_type=refresh_token&client_id=jwt-policy-proxy-cc-key&client_secret=-&refresh_token=%00".to_vec(),
        b"grant_type=client_credentials&client_id=\xff\xfe&client_secret=x".to_vec(),
        b"grant_type=client_credentials&client_id=jwt-policy-proxy-cc-key&client_secret=jwt-policy-proxy-cc-secret&scope=%20%20%20".to_vec(),
        b"grant_type=password&client_id=jwt-acl-password-key&client_secret=jwt-acl-password-secret&username=%00&password=%00".to_vec(),
        "grant_type=client_credentials&client_id=日本&client_secret=秘密"
            .as_bytes()
            .to_vec(),
        b"token=&token=".to_vec(),
    ];
    let mut rng = rand::rng();
    let mut inputs = bodies;
    for _ in 0..40 {
        let len = rng.random_range(0..300);
        inputs.push((0..len).map(|_| rng.random::<u8>()).collect());
    }
    let content_types = [
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=latin1"),
        Some("application/json"),
        Some("application/x-www-form-urlencoded;;;=="),
        Some("*/*"),
        None,
    ];
    for path in paths {
        for body in &inputs {
            for ct in content_types {
                let mut req = issuer
                    .http
                    .post(format!("{}{path}", issuer.url))
                    .body(body.clone());
                if let Some(ct) = ct {
                    req = req.header("content-type", ct);
                }
                let reply = support::read(req.send().await.unwrap()).await;
                assert!(
                    reply.status < 500 && reply.body.is_object(),
                    "{path} {ct:?} {body:?}: {} {}",
                    reply.status,
                    reply.text
                );
                reply.assert_no_store();
            }
        }
    }
    // Garbage query strings on GET, and garbage Authorization headers.
    for query in [
        "%ff",
        "client_id=%ff",
        "a=1&a=1",
        "client_id=jwt-acl-get-cc-key&client_id=x",
    ] {
        let reply = support::read(
            issuer
                .http
                .get(format!("{}/credential/jwt?{query}", issuer.url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            (400..500).contains(&reply.status),
            "{query}: {}",
            reply.text
        );
    }
    for auth in [
        "Basic",
        "Basic ",
        "Basic Og==",
        "basic YTo=",
        "Basic //8=",
        "Digest x",
    ] {
        let reply = support::read(
            issuer
                .http
                .post(format!("{}/auth/token", issuer.url))
                .header("authorization", auth)
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!((400..500).contains(&reply.status), "{auth}: {}", reply.text);
    }
}

/// Raw request bytes over a fresh connection; returns everything the server sent back.
pub async fn raw_exchange(addr: std::net::SocketAddr, bytes: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// A client that never finishes its headers is disconnected.
#[tokio::test]
async fn slow_headers_are_cut_off() {
    let options = Options::default().header_read_timeout(Duration::from_millis(300));
    let issuer = support::start_with(tokenspec_profile::Profile::reference(), options).await;
    let mut stream = TcpStream::connect(issuer.handle().addr()).await.unwrap();
    stream
        .write_all(b"POST /auth/jwt HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let started = std::time::Instant::now();
    let read =
        tokio::time::timeout(Duration::from_millis(1500), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection");
    assert!(started.elapsed() < Duration::from_millis(1200));
}

/// A client that sends headers but dribbles its body gets a JSON 408 after the request timeout.
#[tokio::test]
async fn slow_bodies_time_out_with_json() {
    let options = Options::default().request_timeout(Duration::from_millis(300));
    let issuer = support::start_with(tokenspec_profile::Profile::reference(), options).await;
    let answer = raw_exchange(
        issuer.handle().addr(),
        b"POST /auth/jwt HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=",
        Duration::from_millis(1200),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"invalid_request\""), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("cache-control: no-store")
    );
}

const PURGE: &str = r#"
[target]
[[fixtures]]
id = "p"
token = "oauth2"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "p-key"
client_secret = "p-secret"
token_expires_in = "200ms"
refresh = { allowed = true, count = 1, expires_in = "300ms" }
[[fixtures]]
id = "forever"
token = "oauth2"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "forever-key"
client_secret = "forever-secret"
token_never_expires = true
"#;

/// Expired opaque tokens and closed refresh windows are purged: the store shrinks.
#[tokio::test]
async fn expired_state_is_purged() {
    let options = Options::default().purge_interval(Duration::from_millis(100));
    let issuer = support::start_with(profile(PURGE), options).await;
    for _ in 0..25 {
        issuer.acquire("p", &[]).await.assert_ok();
    }
    issuer.acquire("forever", &[]).await.assert_ok();
    let sizes = issuer.handle().store_sizes().unwrap();
    assert_eq!((sizes.access_tokens, sizes.refresh_tokens), (26, 25));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let sizes = issuer.handle().store_sizes().unwrap();
    assert_eq!(
        (sizes.access_tokens, sizes.refresh_tokens),
        (1, 0),
        "only the immortal token is left"
    );
}

/// `shutdown` stops the listener promptly; new connections are refused afterwards.
#[tokio::test]
async fn graceful_shutdown_stops_listening() {
    let mut issuer = support::reference().await;
    let addr = issuer.handle().addr();
    issuer.acquire("oauth2-acl-cc", &[]).await.assert_ok();
    // A connection that has not spoken yet does not hold the shutdown up.
    let _silent = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    issuer.handle.take().unwrap().shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).await.is_err());
}

/// The in-process router answers `oneshot` requests (for tests without a socket).
#[tokio::test]
async fn router_oneshot() {
    use tower::ServiceExt as _;
    let router = reference_server::router(tokenspec_profile::Profile::reference()).unwrap();
    let request = axum::http::Request::post("/credential/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(
            "grant_type=client_credentials&client_id=oauth2-acl-cc-key&client_secret=oauth2-acl-cc-secret",
        ))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
}

/// A connection that never sends a byte is closed too (no idle-connection hoarding).
#[tokio::test]
async fn silent_connections_are_closed() {
    let options = Options::default().header_read_timeout(Duration::from_millis(300));
    let issuer = support::start_with(tokenspec_profile::Profile::reference(), options).await;
    let mut stream = TcpStream::connect(issuer.handle().addr()).await.unwrap();
    let mut buf = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_millis(1500), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the silent connection");
}

/// An idle keep-alive connection is closed after the header-read timeout as well.
#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let options = Options::default().header_read_timeout(Duration::from_millis(300));
    let issuer = support::start_with(tokenspec_profile::Profile::reference(), options).await;
    let mut stream = TcpStream::connect(issuer.handle().addr()).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_millis(1500), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the idle connection");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
}

/// Validities too long for the clock do not panic (they become deadlines that never come).
#[tokio::test]
async fn absurd_validities_do_not_panic() {
    let toml = r#"
[target]
x_fields = true
[[fixtures]]
id = "long"
token = "oauth2"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "long-key"
client_secret = "long-secret"
token_expires_in = "500000000000y"
refresh = { allowed = true, count = 1, expires_in = "500000000000y" }
"#;
    let Ok(profile) = tokenspec_profile::Profile::from_toml_str(toml, "long.toml") else {
        panic!("the loader accepts long validities");
    };
    let issuer = support::start(profile).await;
    let reply = issuer.acquire("long", &[]).await;
    reply.assert_ok();
    issuer
        .refresh("long", reply.refresh_token())
        .await
        .assert_ok();
    assert_eq!(
        issuer.introspect("long", reply.access_token()).await.text,
        r#"{"active":false}"#,
        "the refreshed-away token is dead"
    );
}
