//! Items 1, 3, 5, 6, 7: every fixture of the reference profile issues the right token shape.

use tokenspec_profile::{ManagedFrom, Profile, TokenKind};

use crate::support::{self, profile};

/// Every fixture of the embedded profile, acquired the documented way, gets a 200 with the
/// documented shape; JWTs verify through the JWKS (or HS secret) and carry the right claims.
#[tokio::test]
async fn every_reference_fixture_issues_its_documented_token() {
    let issuer = support::reference().await;
    for f in &Profile::reference().fixtures {
        let reply = issuer.acquire(&f.id, &[]).await;
        reply.assert_ok();
        let body = &reply.body;
        let expected_expires_in = issuer.profile.target.expires_in_unit.expires_in(f.expiry);
        assert_eq!(body["expires_in"], expected_expires_in, "{}", f.id);
        assert_eq!(
            body.get("refresh_token").is_some(),
            f.can_refresh(),
            "{}: {}",
            f.id,
            reply.text
        );
        assert!(body.get("scope").is_none(), "{}: no scope requested", f.id);
        let mut expected = vec!["access_token", "token_type", "expires_in"];
        if f.can_refresh() {
            expected.push("refresh_token");
        }
        assert_eq!(
            support::key_order(&reply.text),
            expected,
            "{}: field order",
            f.id
        );
        let token = reply.access_token();
        match f.token {
            TokenKind::Oauth2 => {
                assert_eq!(token.len(), 32, "{}", f.id);
                assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{}", f.id);
            }
            TokenKind::Jwt => {
                let (header, claims) = issuer.verify_jwt(token, f.managed_from.prefix()).await;
                assert_eq!(header["typ"], "JWT");
                assert_eq!(header["alg"], f.jwt_algorithm.unwrap().as_str(), "{}", f.id);
                assert!(header["kid"].is_string());
                let iss = match f.grant_type {
                    tokenspec_profile::GrantType::Password => f.users[0].username.clone(),
                    tokenspec_profile::GrantType::ClientCredentials => f.client_id.clone(),
                };
                assert_eq!(claims["iss"], iss.as_str(), "{}", f.id);
                let aud = match f.managed_from {
                    ManagedFrom::Policy => format!("#GW#{}", f.client_id),
                    ManagedFrom::Acl => f.client_id.clone(),
                };
                assert_eq!(claims["aud"], aud.as_str(), "{}", f.id);
                let jti = claims["jti"].as_str().unwrap();
                assert!(uuid::Uuid::parse_str(jti).is_ok(), "jti {jti}");
                let iat = claims["iat"].as_u64().unwrap();
                match f.expiry.validity() {
                    None => assert!(claims.get("exp").is_none(), "{}: immortal", f.id),
                    Some(v) => assert_eq!(
                        claims["exp"].as_u64().unwrap(),
                        iat + v.as_secs().max(1),
                        "{}",
                        f.id
                    ),
                }
                assert!(claims.get("scope").is_none(), "{}", f.id);
            }
        }
    }
}

#[tokio::test]
async fn tokens_are_unique() {
    let issuer = support::reference().await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        for id in ["oauth2-policy-proxy-cc", "jwt-acl-cc"] {
            let reply = issuer.acquire(id, &[]).await;
            assert!(seen.insert(reply.access_token().to_owned()));
            assert!(seen.insert(reply.refresh_token().to_owned()));
        }
    }
}

#[tokio::test]
async fn jwks_publishes_rsa_keys_only_on_both_prefixes() {
    let issuer = support::reference().await;
    for prefix in ["/auth", "/credential"] {
        let jwks = issuer
            .get(&format!("{prefix}/.well-known/jwks.json"), &[])
            .await;
        assert_eq!(jwks.status, 200);
        let keys = jwks.body["keys"].as_array().unwrap();
        assert!(!keys.is_empty());
        for key in keys {
            assert_eq!(key["kty"], "RSA", "{}", jwks.text);
            assert_eq!(key["use"], "sig");
            assert!(key.get("k").is_none(), "no symmetric key material");
            assert!(key.get("d").is_none(), "no private key material");
        }
        // The HS secret never appears.
        let secret = issuer.profile.target.hs_secret.as_ref().unwrap().expose();
        assert!(!jwks.text.contains(secret));
    }
}

#[tokio::test]
async fn hs256_fixture_verifies_with_the_shared_secret() {
    let issuer = support::reference().await;
    let reply = issuer.acquire("jwt-policy-hs256-cc", &[]).await;
    reply.assert_ok();
    let (header, claims) = issuer.verify_jwt(reply.access_token(), "/auth").await;
    assert_eq!(header["alg"], "HS256");
    assert_eq!(claims["iss"], "jwt-policy-hs256-cc-key");
}

const SMALL: &str = r#"
[target]
expires_in_unit = "seconds"
x_fields = true
[[fixtures]]
id = "rs384"
token = "jwt"
managed_from = "policy"
key_level = "api-proxy"
grant_type = "client_credentials"
client_id = "rs384-key"
client_secret = "rs384-secret"
jwt_signature_algorithm = "RS384"
token_expires_in = "60s"
refresh = { allowed = true, count = 2, expires_in = "30s" }
roles = ["orders"]
[[fixtures]]
id = "es256"
token = "jwt"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "es256-key"
client_secret = "es256-secret"
jwt_signature_algorithm = "ES256"
token_expires_in = "2s"
roles = ["orders"]
[[fixtures]]
id = "opaque"
token = "oauth2"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "opaque-key"
client_secret = "opaque-secret"
token_expires_in = "60s"
refresh = { allowed = true, count = 2, expires_in = "30s" }
"#;

#[tokio::test]
async fn other_algorithms_and_seconds_unit() {
    let issuer = support::start(profile(SMALL)).await;
    let reply = issuer.acquire("rs384", &[]).await;
    reply.assert_ok();
    assert_eq!(reply.body["expires_in"], 60, "seconds unit");
    let (header, _) = issuer.verify_jwt(reply.access_token(), "/auth").await;
    assert_eq!(header["alg"], "RS384");
    let reply = issuer.acquire("es256", &[]).await;
    reply.assert_ok();
    assert_eq!(reply.body["expires_in"], 2);
    let (header, _) = issuer.verify_jwt(reply.access_token(), "/credential").await;
    assert_eq!(header["alg"], "ES256");
}

/// `exp` is rounded up to whole seconds so a sub-second validity keeps `exp > iat`.
#[tokio::test]
async fn sub_second_validity_rounds_exp_up() {
    let toml = SMALL
        .replace("expires_in_unit = \"seconds\"", "")
        .replace("\"2s\"", "\"500ms\"");
    let issuer = support::start(profile(&toml)).await;
    let reply = issuer.acquire("es256", &[]).await;
    reply.assert_ok();
    assert_eq!(reply.body["expires_in"], 500);
    let claims: serde_json::Value = {
        use base64::Engine as _;
        let part = reply.access_token().split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        claims["exp"].as_u64().unwrap(),
        claims["iat"].as_u64().unwrap() + 1
    );
}

/// `target.x_fields`: Apinizer's X-... fields (digest 11.1) after the standard ones.
#[tokio::test]
async fn x_fields_when_switched_on() {
    let issuer = support::start(profile(SMALL)).await;
    let first = issuer.acquire("opaque", &[]).await;
    first.assert_ok();
    let b = &first.body;
    let iso = |v: &serde_json::Value| {
        let s = v.as_str().unwrap_or_else(|| panic!("string: {v}"));
        assert!(
            s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.',
            "ISO-8601 ms Z: {s}"
        );
    };
    iso(&b["X-IssuedAt"]);
    iso(&b["X-ExpiresAt"]);
    iso(&b["X-RefreshTokenIssuedAt"]);
    iso(&b["X-RefreshTokenExpiresAt"]);
    assert_eq!(b["X-RefreshCount"], "0");
    assert_eq!(b["X-ClientInfo"], "opaque-key");
    assert!(b.get("X-ApplicationName").is_none(), "ACL mode has none");
    let keys = support::key_order(&first.text);
    assert_eq!(
        keys[..4],
        ["access_token", "token_type", "expires_in", "refresh_token"]
    );
    let second = issuer.refresh("opaque", first.refresh_token()).await;
    second.assert_ok();
    assert_eq!(second.body["X-RefreshCount"], "1");
    assert_eq!(
        second.body["X-RefreshTokenIssuedAt"], b["X-RefreshTokenIssuedAt"],
        "window counted from acquisition"
    );
    let policy = issuer.acquire("rs384", &[]).await;
    assert_eq!(policy.body["X-ApplicationName"], "rs384");
}

/// Without x_fields (the reference profile) no X- field appears.
#[tokio::test]
async fn no_x_fields_by_default() {
    let issuer = support::reference().await;
    let reply = issuer.acquire("oauth2-acl-cc", &[]).await;
    assert!(!reply.text.contains("\"X-"), "{}", reply.text);
}
