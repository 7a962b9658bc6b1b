//! Items 1, 3, 4, 10: client authentication, the mode prefix and token kind, the seed's dash,
//! grant types and user credentials.

use base64::Engine as _;

use crate::support;

#[tokio::test]
async fn unknown_client_and_wrong_secret_answer_identically() {
    let issuer = support::reference().await;
    let unknown = issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "no-such-client"),
                ("client_secret", "whatever"),
            ],
        )
        .await;
    let wrong = issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "jwt-policy-proxy-cc-key"),
                ("client_secret", "jwt-policy-proxy-cc-secreT"),
            ],
        )
        .await;
    unknown.assert_error(401, "invalid_client");
    wrong.assert_error(401, "invalid_client");
    assert_eq!(unknown.text, wrong.text);
    assert!(unknown.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn client_ids_work_only_on_their_own_prefix_and_token_kind() {
    let issuer = support::reference().await;
    let cases = [
        ("jwt-policy-proxy-cc", "/credential/jwt"),
        ("jwt-policy-proxy-cc", "/auth/token"),
        ("jwt-acl-cc", "/auth/jwt"),
        ("jwt-acl-cc", "/credential/token"),
        ("oauth2-policy-proxy-cc", "/auth/jwt"),
        ("oauth2-policy-proxy-cc", "/credential/token"),
        ("oauth2-acl-password", "/auth/token"),
        ("oauth2-acl-password", "/credential/jwt"),
    ];
    for (id, path) in cases {
        let form = issuer.acquire_form(id, &[]);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = issuer.post(path, &form).await;
        reply.assert_error(401, "invalid_client");
        assert!(reply.body.get("access_token").is_none());
    }
}

#[tokio::test]
async fn http_basic_client_authentication() {
    let issuer = support::reference().await;
    let basic = |id: &str, secret: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    };
    let ok = support::read(
        issuer
            .http
            .post(format!("{}/credential/token", issuer.url))
            .header(
                "authorization",
                basic("oauth2-acl-cc-key", "oauth2-acl-cc-secret"),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    ok.assert_ok();
    let both = support::read(
        issuer
            .http
            .post(format!("{}/credential/token", issuer.url))
            .header(
                "authorization",
                basic("oauth2-acl-cc-key", "oauth2-acl-cc-secret"),
            )
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "oauth2-acl-cc-key"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    both.assert_error(400, "invalid_request");
    for header in ["Basic %%%", "Basic bm9jb2xvbg=="] {
        let malformed = support::read(
            issuer
                .http
                .post(format!("{}/credential/token", issuer.url))
                .header("authorization", header)
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        malformed.assert_error(401, "invalid_client");
    }
    // A Bearer header is ignored; the form's credentials count.
    let bearer = support::read(
        issuer
            .http
            .post(format!("{}/credential/token", issuer.url))
            .header("authorization", "Bearer abc")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "oauth2-acl-cc-key"),
                ("client_secret", "oauth2-acl-cc-secret"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    bearer.assert_ok();
}

/// Seed 1.1 / 1.3: policy-mode JWT password and refresh grants take `-`; the real secret works
/// there too; any other value is refused.
#[tokio::test]
async fn dash_where_the_seed_documents_it() {
    let issuer = support::reference().await;
    let id = "jwt-policy-proxy-password";
    let f = issuer.fixture(id);
    for secret in ["-", f.client_secret.expose()] {
        let reply = issuer
            .post(
                "/auth/jwt",
                &[
                    ("grant_type", "password"),
                    ("client_id", &f.client_id),
                    ("client_secret", secret),
                    ("username", "alice"),
                    ("password", "alice-pw-1"),
                ],
            )
            .await;
        reply.assert_ok();
        let refresh = reply.refresh_token().to_owned();
        for refresh_secret in ["-", f.client_secret.expose()] {
            let again = issuer
                .post(
                    "/auth/jwt",
                    &[
                        ("grant_type", "refresh_token"),
                        ("client_id", &f.client_id),
                        ("client_secret", refresh_secret),
                        ("refresh_token", &refresh),
                    ],
                )
                .await;
            again.assert_ok();
        }
    }
    let wrong = issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "password"),
                ("client_id", &f.client_id),
                ("client_secret", "--"),
                ("username", "alice"),
                ("password", "alice-pw-1"),
            ],
        )
        .await;
    wrong.assert_error(401, "invalid_client");
    // Refresh on a policy-mode JWT client_credentials fixture also takes the dash (seed 1.1).
    let cc = issuer.acquire("jwt-policy-proxy-cc", &[]).await;
    let refreshed = issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "jwt-policy-proxy-cc-key"),
                ("client_secret", "-"),
                ("refresh_token", cc.refresh_token()),
            ],
        )
        .await;
    refreshed.assert_ok();
}

/// Everywhere else the dash is a wrong secret.
#[tokio::test]
async fn dash_is_a_wrong_secret_elsewhere() {
    let issuer = support::reference().await;
    let cases: [(&str, &str); 6] = [
        ("jwt-policy-proxy-cc", "client_credentials"),
        ("oauth2-policy-proxy-password", "password"),
        ("oauth2-policy-proxy-cc", "client_credentials"),
        ("jwt-acl-password", "password"),
        ("jwt-acl-cc", "client_credentials"),
        ("oauth2-acl-password", "password"),
    ];
    for (id, grant) in cases {
        let f = issuer.fixture(id);
        let reply = issuer
            .post(
                &f.endpoint_path(),
                &[
                    ("grant_type", grant),
                    ("client_id", &f.client_id),
                    ("client_secret", "-"),
                    ("username", "alice"),
                    ("password", "alice-pw-1"),
                ],
            )
            .await;
        reply.assert_error(401, "invalid_client");
    }
    // Refresh outside policy-mode JWT: the dash is refused.
    for id in ["oauth2-policy-proxy-cc", "jwt-acl-cc", "oauth2-acl-cc"] {
        let f = issuer.fixture(id);
        let first = issuer.acquire(id, &[]).await;
        let reply = issuer
            .post(
                &f.endpoint_path(),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &f.client_id),
                    ("client_secret", "-"),
                    ("refresh_token", first.refresh_token()),
                ],
            )
            .await;
        reply.assert_error(401, "invalid_client");
    }
}

#[tokio::test]
async fn grant_types() {
    let issuer = support::reference().await;
    let f = issuer.fixture("oauth2-acl-cc");
    let with_grant = |grant: &'static str| {
        vec![
            ("grant_type", grant),
            ("client_id", "oauth2-acl-cc-key"),
            ("client_secret", "oauth2-acl-cc-secret"),
        ]
    };
    assert!(f.can_refresh());
    for grant in ["authorization_code", "implicit", "CLIENT_CREDENTIALS", "x"] {
        issuer
            .post("/credential/token", &with_grant(grant))
            .await
            .assert_error(400, "unsupported_grant_type");
    }
    // A grant the fixture was not defined with.
    let mut pw = with_grant("password");
    pw.extend([("username", "alice"), ("password", "alice-pw-1")]);
    issuer
        .post("/credential/token", &pw)
        .await
        .assert_error(400, "invalid_grant");
    let g = issuer.fixture("oauth2-acl-password");
    issuer
        .post(
            "/credential/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &g.client_id),
                ("client_secret", g.client_secret.expose()),
            ],
        )
        .await
        .assert_error(400, "invalid_grant");
    // Refresh on a fixture without refresh, and on an immortal one.
    for id in ["oauth2-policy-policygroup-cc", "oauth2-policy-immortal"] {
        let h = issuer.fixture(id);
        issuer
            .post(
                &h.endpoint_path(),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &h.client_id),
                    ("client_secret", h.client_secret.expose()),
                    ("refresh_token", "0123456789abcdef0123456789abcdef"),
                ],
            )
            .await
            .assert_error(400, "invalid_grant");
    }
}

#[tokio::test]
async fn bad_user_credentials_are_invalid_grant_and_identical() {
    let issuer = support::reference().await;
    let f = issuer.fixture("jwt-acl-password");
    let attempt = |username: &'static str, password: &'static str| {
        vec![
            ("grant_type", "password"),
            ("client_id", f.client_id.as_str()),
            ("client_secret", f.client_secret.expose()),
            ("username", username),
            ("password", password),
        ]
    };
    let unknown = issuer
        .post("/credential/jwt", &attempt("mallory", "alice-pw-1"))
        .await;
    let wrong = issuer
        .post("/credential/jwt", &attempt("alice", "bob-pw-2"))
        .await;
    unknown.assert_error(400, "invalid_grant");
    wrong.assert_error(400, "invalid_grant");
    assert_eq!(unknown.text, wrong.text);
    // Each user logs in with their own password only.
    issuer
        .post("/credential/jwt", &attempt("bob", "bob-pw-2"))
        .await
        .assert_ok();
    // Missing username or password is a malformed request.
    issuer
        .post(
            "/credential/jwt",
            &[
                ("grant_type", "password"),
                ("client_id", f.client_id.as_str()),
                ("client_secret", f.client_secret.expose()),
                ("username", "alice"),
            ],
        )
        .await
        .assert_error(400, "invalid_request");
}
