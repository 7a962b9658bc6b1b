//! Item 9: scope against the principal's roles, per `target.scope_mismatch`.

use crate::support::{self, profile};

#[tokio::test]
async fn strict_scope_on_the_reference_profile() {
    let issuer = support::reference().await;
    // client_credentials: the fixture's roles are orders and billing.
    let reply = issuer
        .acquire("jwt-policy-proxy-cc", &[("scope", "orders billing")])
        .await;
    reply.assert_ok();
    assert_eq!(reply.body["scope"], "orders billing");
    let (_, claims) = issuer.verify_jwt(reply.access_token(), "/auth").await;
    assert_eq!(claims["scope"], "orders billing");
    issuer
        .acquire("jwt-policy-proxy-cc", &[("scope", "orders admin")])
        .await
        .assert_error(400, "invalid_scope");
    // password: the user's roles count (alice: orders only), not the fixture's.
    let reply = issuer
        .acquire("jwt-policy-proxy-password", &[("scope", "orders")])
        .await;
    reply.assert_ok();
    assert_eq!(reply.body["scope"], "orders");
    issuer
        .acquire("jwt-policy-proxy-password", &[("scope", "billing")])
        .await
        .assert_error(400, "invalid_scope");
    // OAuth2: scope in the body and in introspection.
    let reply = issuer
        .acquire("oauth2-acl-cc", &[("scope", "billing")])
        .await;
    reply.assert_ok();
    assert_eq!(reply.body["scope"], "billing");
    let info = issuer
        .introspect("oauth2-acl-cc", reply.access_token())
        .await;
    assert_eq!(info.body["scope"], "billing");
    // The scope survives a refresh.
    let again = issuer.refresh("oauth2-acl-cc", reply.refresh_token()).await;
    assert_eq!(again.body["scope"], "billing");
}

#[tokio::test]
async fn strict_scope_for_a_user_without_roles() {
    let issuer = support::reference().await;
    let f = issuer.fixture("jwt-acl-password");
    let reply = issuer
        .post(
            "/credential/jwt",
            &[
                ("grant_type", "password"),
                ("client_id", &f.client_id),
                ("client_secret", f.client_secret.expose()),
                ("username", "carol"),
                ("password", "carol-pw-3"),
                ("scope", "orders"),
            ],
        )
        .await;
    reply.assert_error(400, "invalid_scope");
}

fn with_mode(mode: &str) -> String {
    format!(
        r#"
[target]
scope_mismatch = "{mode}"
[[fixtures]]
id = "s"
token = "jwt"
managed_from = "acl"
grant_type = "password"
client_id = "s-key"
client_secret = "s-secret"
token_expires_in = "60s"
roles = ["orders"]
users = [{{ username = "u", password = "p", roles = ["orders", "billing"] }}]
"#
    )
}

#[tokio::test]
async fn intersection_mode() {
    let issuer = support::start(profile(&with_mode("intersection"))).await;
    let reply = issuer.acquire("s", &[("scope", "admin billing")]).await;
    reply.assert_ok();
    assert_eq!(reply.body["scope"], "billing");
    let (_, claims) = issuer.verify_jwt(reply.access_token(), "/credential").await;
    assert_eq!(claims["scope"], "billing");
    // Nothing held: a token without scope.
    let reply = issuer.acquire("s", &[("scope", "admin")]).await;
    reply.assert_ok();
    assert!(reply.body.get("scope").is_none(), "{}", reply.text);
}

#[tokio::test]
async fn all_mode() {
    let issuer = support::start(profile(&with_mode("all"))).await;
    let reply = issuer.acquire("s", &[("scope", "admin")]).await;
    reply.assert_ok();
    assert_eq!(reply.body["scope"], "orders billing");
    // No scope requested: no scope, in every mode.
    let reply = issuer.acquire("s", &[]).await;
    assert!(reply.body.get("scope").is_none(), "{}", reply.text);
}
