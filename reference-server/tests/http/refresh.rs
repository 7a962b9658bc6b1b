//! Item 8: refresh count, window, token reuse, OAuth2 invalidation, atomicity.

use std::time::Duration;

use crate::support::{self, profile};

#[tokio::test]
async fn jwt_refresh_until_the_count_runs_out() {
    let issuer = support::reference().await;
    let id = "jwt-acl-password";
    let count = issuer.fixture(id).refresh.unwrap().count;
    let first = issuer.acquire(id, &[]).await;
    first.assert_ok();
    let refresh = first.refresh_token().to_owned();
    let mut seen = vec![first.access_token().to_owned()];
    for _ in 0..count {
        let reply = issuer.refresh(id, &refresh).await;
        reply.assert_ok();
        // The same refresh token comes back (Apinizer screenshots, digest 9) and stays usable.
        assert_eq!(reply.refresh_token(), refresh);
        assert!(!seen.contains(&reply.access_token().to_owned()));
        let (_, claims) = issuer.verify_jwt(reply.access_token(), "/credential").await;
        assert_eq!(claims["iss"], "alice", "the principal survives the refresh");
        seen.push(reply.access_token().to_owned());
    }
    issuer
        .refresh(id, &refresh)
        .await
        .assert_error(400, "invalid_grant");
    // Later attempts: the token has been cleared ([FAQ]); still invalid_grant.
    issuer
        .refresh(id, &refresh)
        .await
        .assert_error(400, "invalid_grant");
    // The old JWT access tokens stay valid (they cannot be changed).
    issuer.verify_jwt(&seen[0], "/credential").await;
}

#[tokio::test]
async fn oauth2_refresh_invalidates_the_previous_access_token() {
    let issuer = support::reference().await;
    let id = "oauth2-policy-proxy-password";
    let first = issuer.acquire(id, &[]).await;
    first.assert_ok();
    let old = first.access_token().to_owned();
    assert_eq!(issuer.introspect(id, &old).await.body["active"], true);
    let second = issuer.refresh(id, first.refresh_token()).await;
    second.assert_ok();
    let new = second.access_token().to_owned();
    assert_ne!(old, new);
    let dead = issuer.introspect(id, &old).await;
    assert_eq!(dead.text, r#"{"active":false}"#);
    let live = issuer.introspect(id, &new).await;
    assert_eq!(live.body["active"], true);
    assert_eq!(live.body["username"], "alice");
}

#[tokio::test]
async fn refresh_tokens_are_bound_to_their_fixture() {
    let issuer = support::reference().await;
    let a = issuer.acquire("oauth2-acl-cc", &[]).await;
    issuer
        .refresh("oauth2-acl-password", a.refresh_token())
        .await
        .assert_error(400, "invalid_grant");
    issuer
        .refresh("oauth2-acl-cc", "ffffffffffffffffffffffffffffffff")
        .await
        .assert_error(400, "invalid_grant");
    // The original still works afterwards.
    issuer
        .refresh("oauth2-acl-cc", a.refresh_token())
        .await
        .assert_ok();
}

#[tokio::test]
async fn missing_refresh_token_is_invalid_request() {
    let issuer = support::reference().await;
    let f = issuer.fixture("oauth2-acl-cc");
    issuer
        .post(
            "/credential/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &f.client_id),
                ("client_secret", f.client_secret.expose()),
            ],
        )
        .await
        .assert_error(400, "invalid_request");
}

const WINDOW: &str = r#"
[target]
[[fixtures]]
id = "jwt-window"
token = "jwt"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "jwt-window-key"
client_secret = "jwt-window-secret"
token_expires_in = "200ms"
refresh = { allowed = true, count = 5, expires_in = "400ms" }
[[fixtures]]
id = "opaque-window"
token = "oauth2"
managed_from = "policy"
key_level = "api-proxy"
grant_type = "client_credentials"
client_id = "opaque-window-key"
client_secret = "opaque-window-secret"
token_expires_in = "200ms"
refresh = { allowed = true, count = 5, expires_in = "400ms" }
"#;

/// The window is counted from acquisition; a refresh after it is `invalid_grant`, even though
/// refreshes before it (after the access token died) work.
#[tokio::test]
async fn refresh_window_is_enforced() {
    let issuer = support::start(profile(WINDOW)).await;
    for id in ["jwt-window", "opaque-window"] {
        let first = issuer.acquire(id, &[]).await;
        first.assert_ok();
        let refresh = first.refresh_token().to_owned();
        tokio::time::sleep(Duration::from_millis(250)).await;
        // The access token has expired; the window is still open.
        issuer.refresh(id, &refresh).await.assert_ok();
        tokio::time::sleep(Duration::from_millis(200)).await;
        issuer
            .refresh(id, &refresh)
            .await
            .assert_error(400, "invalid_grant");
    }
}

/// An opaque access token dies at its expiry.
#[tokio::test]
async fn opaque_tokens_expire() {
    let issuer = support::start(profile(WINDOW)).await;
    let first = issuer.acquire("opaque-window", &[]).await;
    let token = first.access_token().to_owned();
    assert_eq!(
        issuer.introspect("opaque-window", &token).await.body["active"],
        true
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        issuer.introspect("opaque-window", &token).await.text,
        r#"{"active":false}"#
    );
}

const CONCURRENT: &str = r#"
[target]
[[fixtures]]
id = "jwt-c"
token = "jwt"
managed_from = "policy"
key_level = "api-proxy"
grant_type = "password"
client_id = "jwt-c-key"
client_secret = "jwt-c-secret"
token_expires_in = "60s"
refresh = { allowed = true, count = 3, expires_in = "60s" }
users = [{ username = "alice", password = "pw" }]
[[fixtures]]
id = "opaque-c"
token = "oauth2"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "opaque-c-key"
client_secret = "opaque-c-secret"
token_expires_in = "60s"
refresh = { allowed = true, count = 3, expires_in = "60s" }
"#;

/// 50 concurrent refreshes of one token never exceed the count (issue 2 item 8).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_refreshes_never_exceed_the_count() {
    let issuer = std::sync::Arc::new(support::start(profile(CONCURRENT)).await);
    for id in ["jwt-c", "opaque-c"] {
        let first = issuer.acquire(id, &[]).await;
        first.assert_ok();
        let refresh = first.refresh_token().to_owned();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let issuer = issuer.clone();
                let refresh = refresh.clone();
                tokio::spawn(async move { issuer.refresh(id, &refresh).await })
            })
            .collect();
        let mut ok = Vec::new();
        for t in tasks {
            let reply = t.await.unwrap();
            match reply.status {
                200 => ok.push(reply.access_token().to_owned()),
                _ => reply.assert_error(400, "invalid_grant"),
            }
        }
        assert_eq!(ok.len(), 3, "{id}: exactly `count` refreshes succeed");
        if id == "opaque-c" {
            // Exactly one opaque access token of this acquisition is alive: the latest.
            let mut active = 0;
            for token in ok.iter().chain([&first.access_token().to_owned()]) {
                if issuer.introspect(id, token).await.body["active"] == true {
                    active += 1;
                }
            }
            assert_eq!(active, 1);
        }
    }
}
