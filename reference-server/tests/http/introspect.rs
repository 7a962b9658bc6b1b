//! `POST {prefix}/introspect` (digest 5): the harness's window on opaque-token state.

use base64::Engine as _;

use crate::support;

#[tokio::test]
async fn active_token_fields() {
    let issuer = support::reference().await;
    let reply = issuer.acquire("oauth2-policy-proxy-cc", &[]).await;
    let info = issuer
        .introspect("oauth2-policy-proxy-cc", reply.access_token())
        .await;
    assert_eq!(info.status, 200);
    info.assert_no_store();
    let b = &info.body;
    assert_eq!(b["active"], true);
    assert_eq!(b["client_id"], "oauth2-policy-proxy-cc-key");
    assert_eq!(b["aud"], "#GW#oauth2-policy-proxy-cc-key");
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["exp"].as_u64().unwrap(), b["iat"].as_u64().unwrap() + 60);
    assert!(b.get("username").is_none());
    assert!(b.get("scope").is_none());
}

#[tokio::test]
async fn inactive_is_exactly_active_false() {
    let issuer = support::reference().await;
    let reply = issuer.acquire("oauth2-policy-proxy-cc", &[]).await;
    // Unknown token, a refresh token, and another client's token.
    for (id, token) in [
        ("oauth2-policy-proxy-cc", "00000000000000000000000000000000"),
        ("oauth2-policy-proxy-cc", reply.refresh_token()),
        ("oauth2-policy-proxy-password", reply.access_token()),
    ] {
        let info = issuer.introspect(id, token).await;
        assert_eq!(info.status, 200);
        assert_eq!(info.text, r#"{"active":false}"#);
    }
}

#[tokio::test]
async fn introspection_errors() {
    let issuer = support::reference().await;
    let wrong = issuer
        .post(
            "/auth/introspect",
            &[
                ("token", "x"),
                ("client_id", "oauth2-policy-proxy-cc-key"),
                ("client_secret", "nope"),
            ],
        )
        .await;
    wrong.assert_error(401, "invalid_client");
    let missing = issuer
        .post(
            "/auth/introspect",
            &[
                ("client_id", "oauth2-policy-proxy-cc-key"),
                ("client_secret", "oauth2-policy-proxy-cc-secret"),
            ],
        )
        .await;
    missing.assert_error(400, "invalid_request");
    // Wrong prefix for the client.
    let prefix = issuer
        .post(
            "/credential/introspect",
            &[
                ("token", "x"),
                ("client_id", "oauth2-policy-proxy-cc-key"),
                ("client_secret", "oauth2-policy-proxy-cc-secret"),
            ],
        )
        .await;
    prefix.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn introspection_with_basic_auth() {
    let issuer = support::reference().await;
    let reply = issuer.acquire("oauth2-acl-cc", &[]).await;
    let auth =
        base64::engine::general_purpose::STANDARD.encode("oauth2-acl-cc-key:oauth2-acl-cc-secret");
    let info = support::read(
        issuer
            .http
            .post(format!("{}/credential/introspect", issuer.url))
            .header("authorization", format!("Basic {auth}"))
            .form(&[("token", reply.access_token())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(info.body["active"], true, "{}", info.text);
}

#[tokio::test]
async fn jwt_introspection() {
    let issuer = support::reference().await;
    let id = "jwt-policy-proxy-password";
    let reply = issuer.acquire(id, &[("scope", "orders")]).await;
    let jwt = reply.access_token().to_owned();
    let info = issuer.introspect(id, &jwt).await;
    assert_eq!(info.body["active"], true, "{}", info.text);
    assert_eq!(info.body["username"], "alice");
    assert_eq!(info.body["scope"], "orders");
    assert_eq!(info.body["aud"], "#GW#jwt-policy-proxy-password-key");
    // Another client's JWT, a tampered JWT, and a JWT refresh token are inactive.
    let other = issuer.introspect("jwt-policy-proxy-cc", &jwt).await;
    assert_eq!(other.text, r#"{"active":false}"#);
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        br##"{"iss":"alice","aud":"#GW#jwt-policy-proxy-password-key","iat":1,"jti":"x"}"##,
    );
    let tampered = issuer.introspect(id, &parts.join(".")).await;
    assert_eq!(tampered.text, r#"{"active":false}"#);
    let refresh = issuer.introspect(id, reply.refresh_token()).await;
    assert_eq!(refresh.text, r#"{"active":false}"#);
}

#[tokio::test]
async fn get_only_routes_answer_other_methods_with_json_405() {
    let issuer = support::reference().await;
    for path in [
        "/auth/.well-known/jwks.json",
        "/credential/.well-known/jwks.json",
        "/healthz",
    ] {
        let reply = issuer.post(path, &[("a", "b")]).await;
        reply.assert_error(405, "invalid_request");
    }
}
