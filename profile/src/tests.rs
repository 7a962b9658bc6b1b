//! Loader tests: the embedded profile is valid, and each broken rule names key and fix.

use super::*;

fn load(text: &str) -> Result<Profile, ProfileError> {
    Profile::from_toml_str_with_env(text, "test.toml", &|name| match name {
        "GW_SECRET" => Some("from-env".to_owned()),
        _ => None,
    })
}

const BASE: &str = r#"
[target]
base_url = "http://127.0.0.1:8080/"
[[fixtures]]
id = "f"
token = "jwt"
managed_from = "policy"
key_level = "api-proxy"
grant_type = "client_credentials"
client_id = "k"
client_secret = "${GW_SECRET}"
token_expires_in = "60s"
refresh = { allowed = true, count = 3, expires_in = "120s" }
roles = ["orders"]
"#;

fn message(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

#[test]
fn embedded_reference_profile_is_valid() {
    let p = Profile::reference();
    assert!(p.fixtures.len() > 20);
    assert!(p.target.base_url.is_none());
}

#[test]
fn loads_and_expands() {
    let p = load(BASE).unwrap();
    let f = &p.fixtures[0];
    assert_eq!(p.target.base_url.as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(f.client_secret.expose(), "from-env");
    assert_eq!(f.jwt_algorithm, Some(JwtAlgorithm::RS256));
    assert_eq!(f.expiry, Expiry::After(std::time::Duration::from_secs(60)));
    assert_eq!(f.refresh.unwrap().count, 3);
    assert_eq!(f.endpoint_path(), "/auth/jwt");
    assert!(f.can_refresh());
    assert_eq!(p.target.expires_in_unit, ExpiresInUnit::Milliseconds);
    assert_eq!(p.target.expires_in_unit.expires_in(f.expiry), 60_000);
    assert!(!format!("{f:?}").contains("from-env"));
    assert_eq!(p.secrets(), vec!["from-env"]);
}

#[test]
fn dash_applies_only_where_the_seed_puts_it() {
    let p = Profile::reference();
    let pick = |id: &str| p.fixture(id).unwrap();
    let jwt_policy = pick("jwt-policy-proxy-password");
    assert!(jwt_policy.dash_applies(RequestedGrant::Password));
    assert!(jwt_policy.dash_applies(RequestedGrant::RefreshToken));
    assert!(!jwt_policy.dash_applies(RequestedGrant::ClientCredentials));
    assert!(!pick("oauth2-policy-proxy-password").dash_applies(RequestedGrant::Password));
    assert!(!pick("jwt-acl-password").dash_applies(RequestedGrant::Password));
}

#[test]
fn undefined_variable_names_key_and_variable() {
    let msg = message(&BASE.replace("${GW_SECRET}", "${MISSING_SECRET}"));
    assert!(msg.contains("fixtures[0].client_secret"), "{msg}");
    assert!(msg.contains("MISSING_SECRET"), "{msg}");
    assert!(msg.contains("test.toml"), "{msg}");
}

#[test]
fn unknown_enum_value_names_the_key() {
    let msg = message(&BASE.replace("\"client_credentials\"", "\"implicit\""));
    assert!(msg.contains("fixtures[0].grant_type"), "{msg}");
    assert!(msg.contains("client_credentials"), "{msg}");
}

#[test]
fn unknown_key_is_rejected() {
    let msg = message(&BASE.replace("roles =", "rolez ="));
    assert!(msg.contains("rolez"), "{msg}");
}

#[test]
fn syntax_error_is_reported() {
    let msg = message("[target\n");
    assert!(msg.contains("not valid TOML"), "{msg}");
}

#[test]
fn missing_target_table() {
    let msg = message("# nothing\n");
    assert!(msg.contains("target"), "{msg}");
}

#[test]
fn policy_mode_needs_key_level() {
    let msg = message(&BASE.replace("key_level = \"api-proxy\"\n", ""));
    assert!(msg.contains("key_level") && msg.contains("fix:"), "{msg}");
}

#[test]
fn acl_mode_forbids_key_level() {
    let msg = message(&BASE.replace("\"policy\"", "\"acl\""));
    assert!(msg.contains("key_level"), "{msg}");
}

#[test]
fn password_grant_needs_users() {
    let msg = message(&BASE.replace("\"client_credentials\"", "\"password\""));
    assert!(msg.contains("users"), "{msg}");
}

#[test]
fn immortal_token_cannot_refresh() {
    let msg = message(&BASE.replace("token_expires_in = \"60s\"", "token_never_expires = true"));
    assert!(msg.contains("immortal"), "{msg}");
}

#[test]
fn bad_duration_is_explained() {
    let msg = message(&BASE.replace("\"60s\"", "\"sixty\""));
    assert!(
        msg.contains("token_expires_in") && msg.contains("duration"),
        "{msg}"
    );
}

#[test]
fn hs_algorithm_needs_shared_key() {
    let msg = message(&BASE.replace("roles =", "jwt_signature_algorithm = \"HS256\"\nroles ="));
    assert!(msg.contains("hs_secret"), "{msg}");
}

#[test]
fn none_algorithm_is_not_representable() {
    let msg = message(&BASE.replace("roles =", "jwt_signature_algorithm = \"none\"\nroles ="));
    assert!(msg.contains("jwt_signature_algorithm"), "{msg}");
}

#[test]
fn duplicate_client_id_is_rejected() {
    let second = BASE
        .split("[[fixtures]]")
        .nth(1)
        .unwrap()
        .replace("id = \"f\"", "id = \"g\"");
    let msg = message(&format!("{BASE}[[fixtures]]{second}"));
    assert!(msg.contains("client_id"), "{msg}");
}

#[test]
fn dash_is_not_a_real_secret() {
    let msg = message(&BASE.replace("\"${GW_SECRET}\"", "\"-\""));
    assert!(msg.contains("client_secret"), "{msg}");
}

#[test]
fn seconds_unit_needs_whole_seconds() {
    let text = BASE
        .replace("base_url", "expires_in_unit = \"seconds\"\nbase_url")
        .replace("\"60s\"", "\"1500ms\"");
    let msg = message(&text);
    assert!(msg.contains("whole number of seconds"), "{msg}");
}

#[test]
fn missing_file_names_path() {
    let err = Profile::load("/nonexistent/p.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/nonexistent/p.toml") && err.contains("--profile"),
        "{err}"
    );
}
