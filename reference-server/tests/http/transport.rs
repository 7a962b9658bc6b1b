//! Item 2 (transport) and the request-syntax half of item 10.

use crate::support;

const CC: &str = "jwt-policy-proxy-cc";

#[tokio::test]
async fn form_with_charset_is_accepted() {
    let issuer = support::reference().await;
    let f = issuer.fixture(CC);
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        f.client_id,
        f.client_secret.expose()
    );
    let reply = issuer
        .post_raw(
            "/auth/jwt",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            body.into_bytes(),
        )
        .await;
    reply.assert_ok();
}

#[tokio::test]
async fn other_content_types_are_invalid_request() {
    let issuer = support::reference().await;
    let f = issuer.fixture(CC);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        f.client_id,
        f.client_secret.expose()
    );
    for ct in [
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let reply = issuer
            .post_raw("/auth/jwt", ct, form.clone().into_bytes())
            .await;
        reply.assert_error(400, "invalid_request");
    }
    let json = serde_json::json!({"grant_type":"client_credentials","client_id":f.client_id});
    let reply = issuer
        .post_raw(
            "/auth/jwt",
            Some("application/json"),
            json.to_string().into_bytes(),
        )
        .await;
    reply.assert_error(400, "invalid_request");
}

#[tokio::test]
async fn missing_repeated_and_undecodable_parameters_are_invalid_request() {
    let issuer = support::reference().await;
    let f = issuer.fixture(CC);
    let (id, secret) = (f.client_id.as_str(), f.client_secret.expose());
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("client_id", id), ("client_secret", secret)],
        vec![
            ("grant_type", "client_credentials"),
            ("client_secret", secret),
        ],
        vec![("grant_type", "client_credentials"), ("client_id", id)],
        vec![
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_id", id),
            ("client_secret", secret),
        ],
        vec![
            ("grant_type", ""),
            ("client_id", id),
            ("client_secret", secret),
        ],
    ];
    for form in cases {
        issuer
            .post("/auth/jwt", &form)
            .await
            .assert_error(400, "invalid_request");
    }
    let reply = issuer
        .post_raw(
            "/auth/jwt",
            Some("application/x-www-form-urlencoded"),
            b"grant_type=client_credentials&client_id=%ff%fe&client_secret=x".to_vec(),
        )
        .await;
    reply.assert_error(400, "invalid_request");
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let issuer = support::reference().await;
    issuer
        .acquire(CC, &[("state", "xyz"), ("foo", "1"), ("foo", "2")])
        .await
        .assert_ok();
}

#[tokio::test]
async fn get_with_url_parameters_where_allowed() {
    let issuer = support::reference().await;
    for id in [
        "jwt-policy-proxygroup-cc",
        "jwt-policy-proxygroup-password",
        "oauth2-policy-proxygroup-cc",
        "jwt-acl-get-cc",
        "jwt-acl-get-password",
        "oauth2-acl-get-password",
    ] {
        let f = issuer.fixture(id);
        assert!(f.allow_url_parameters);
        let form = issuer.acquire_form(id, &[]);
        let query: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = issuer.get(&f.endpoint_path(), &query).await;
        reply.assert_ok();
        // Refresh by GET too (seed-1.1-refresh-get, seed-2.x-refresh-get).
        let refresh = reply.refresh_token().to_owned();
        let secret = f
            .documented_client_secret(tokenspec_profile::RequestedGrant::RefreshToken)
            .to_owned();
        let again = issuer
            .get(
                &f.endpoint_path(),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &f.client_id),
                    ("client_secret", &secret),
                    ("refresh_token", &refresh),
                ],
            )
            .await;
        again.assert_ok();
    }
}

#[tokio::test]
async fn get_is_refused_where_url_parameters_are_not_allowed() {
    let issuer = support::reference().await;
    for id in [CC, "oauth2-acl-password", "jwt-policy-policygroup-password"] {
        let f = issuer.fixture(id);
        assert!(!f.allow_url_parameters);
        let form = issuer.acquire_form(id, &[]);
        let query: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = issuer.get(&f.endpoint_path(), &query).await;
        reply.assert_error(405, "invalid_request");
        assert_eq!(reply.headers["allow"], "POST");
        assert!(reply.body.get("access_token").is_none());
    }
    // Unknown client, no parameters, malformed query: 405 as well (nothing is revealed).
    for query in [
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ],
        vec![],
    ] {
        let reply = issuer.get("/auth/jwt", &query).await;
        reply.assert_error(405, "invalid_request");
    }
    // A GET-enabled client on the wrong endpoint is refused the same way.
    let f = issuer.fixture("jwt-acl-get-cc");
    let form = issuer.acquire_form("jwt-acl-get-cc", &[]);
    let query: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(f.endpoint_path(), "/credential/jwt");
    issuer
        .get("/auth/jwt", &query)
        .await
        .assert_error(405, "invalid_request");
}

#[tokio::test]
async fn other_methods_are_405() {
    let issuer = support::reference().await;
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let reply = support::read(
            issuer
                .http
                .request(method, format!("{}/credential/token", issuer.url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        reply.assert_error(405, "invalid_request");
        assert_eq!(reply.headers["allow"], "POST");
    }
    let reply = support::read(
        issuer
            .http
            .get(format!("{}/auth/introspect", issuer.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    reply.assert_error(405, "invalid_request");
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let issuer = support::reference().await;
    let big = format!("grant_type=client_credentials&pad={}", "a".repeat(9000));
    let reply = issuer
        .post_raw(
            "/auth/jwt",
            Some("application/x-www-form-urlencoded"),
            big.into_bytes(),
        )
        .await;
    reply.assert_error(413, "invalid_request");
    // Exactly at the limit is still read (and then judged on its content).
    let mut body = b"pad=".to_vec();
    body.resize(reference_server::BODY_LIMIT, b'a');
    let reply = issuer
        .post_raw("/auth/jwt", Some("application/x-www-form-urlencoded"), body)
        .await;
    reply.assert_error(400, "invalid_request");
}

/// A chunked body without Content-Length is cut off at the limit too.
#[tokio::test]
async fn chunked_oversized_body_is_413() {
    let issuer = support::reference().await;
    let mut request = b"POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..10 {
        request.extend_from_slice(b"3e8\r\n");
        request.extend_from_slice(&[b'a'; 1000]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = crate::robustness::raw_exchange(
        issuer.handle().addr(),
        &request,
        std::time::Duration::from_secs(2),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
}

#[tokio::test]
async fn unknown_paths_are_json_404() {
    let issuer = support::reference().await;
    for path in ["/auth/nope", "/credential/jwt/x", "/auth", "/", "/token"] {
        let reply = issuer
            .post(path, &[("grant_type", "client_credentials")])
            .await;
        reply.assert_error(404, "invalid_request");
    }
}

#[tokio::test]
async fn healthz() {
    let issuer = support::reference().await;
    let reply = issuer.get("/healthz", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
}
