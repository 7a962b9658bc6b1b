//! `Then` steps: what the response must be. Each calls one World assertion.

use cucumber::then;

use crate::world::{TokenWorld, harness};

#[then(regex = r"^a token is issued$")]
fn then_token_issued(world: &mut TokenWorld) {
    world.assert_issued();
}

#[then(regex = r#"^the token type is exactly "Bearer"$"#)]
fn then_token_type_exact(world: &mut TokenWorld) {
    world.assert_token_type_exact();
}

#[then(regex = r"^expires_in is the configured validity$")]
fn then_expires_in(world: &mut TokenWorld) {
    world.assert_expires_in();
}

#[then(regex = r"^the access token is a JWT signed with an allowed algorithm$")]
async fn then_jwt_verified(world: &mut TokenWorld) {
    world.assert_jwt_verified().await;
}

#[then(regex = r"^the JWT expires at iat plus the configured validity$")]
async fn then_jwt_times(world: &mut TokenWorld) {
    world.assert_jwt_times().await;
}

#[then(regex = r"^the JWT's iss claim is the principal or the gateway address$")]
async fn then_jwt_iss(world: &mut TokenWorld) {
    world.assert_jwt_iss().await;
}

#[then(regex = r"^the JWT's aud claim names the client as the mode documents$")]
async fn then_jwt_aud(world: &mut TokenWorld) {
    world.assert_jwt_aud().await;
}

#[then(regex = r"^the JWT carries a jti claim$")]
async fn then_jwt_jti(world: &mut TokenWorld) {
    world.assert_jwt_jti().await;
}

#[then(regex = r"^the JWT's jti differs from the earlier token's$")]
async fn then_jti_unique(world: &mut TokenWorld) {
    world.assert_jti_unique().await;
}

#[then(regex = r"^the JWT header's kid names a key of the target's JWKS$")]
async fn then_kid_in_jwks(world: &mut TokenWorld) {
    world.assert_kid_in_jwks().await;
}

#[then(regex = r"^the access token is opaque$")]
fn then_opaque(world: &mut TokenWorld) {
    world.assert_opaque();
}

#[then(regex = r"^the response carries a refresh token$")]
fn then_refresh_token(world: &mut TokenWorld) {
    world.assert_refresh_token(true);
}

#[then(regex = r"^the response carries no refresh token$")]
fn then_no_refresh_token(world: &mut TokenWorld) {
    world.assert_refresh_token(false);
}

#[then(regex = r"^the refreshed access token is a new one$")]
fn then_new_access_token(world: &mut TokenWorld) {
    world.assert_new_access_token();
}

#[then(regex = r"^the granted scope is the requested role$")]
async fn then_scope_granted(world: &mut TokenWorld) {
    world.assert_scope_granted().await;
}

#[then(regex = r"^the scope mismatch is handled as the target's scope setting says$")]
async fn then_scope_mismatch(world: &mut TokenWorld) {
    world.assert_scope_mismatch_handled().await;
}

#[then(regex = r"^no token is issued$")]
fn then_refused(world: &mut TokenWorld) {
    world.assert_refused();
}

/// `Then the request is refused with error "invalid_grant" or "unsupported_grant_type" and
/// status 400`; the status part is optional and may list alternatives (`400 or 401`).
#[then(
    regex = r#"^the request is refused with error ("[a-z_]+"(?: or "[a-z_]+")*)(?: and status (\d{3}(?: or \d{3})*))?$"#
)]
fn then_refused_with(world: &mut TokenWorld, codes: String, statuses: String) {
    let codes: Vec<&str> = codes.split(" or ").map(|c| c.trim_matches('"')).collect();
    let statuses = parse_statuses(&statuses);
    world.assert_refused_with(&codes, &statuses);
}

#[then(regex = r"^the request is refused with status (\d{3}(?: or \d{3})*)$")]
fn then_refused_with_status(world: &mut TokenWorld, statuses: String) {
    world.assert_refused();
    let statuses = parse_statuses(&statuses);
    world.assert_refused_with(&[], &statuses);
}

#[then(regex = r"^the error response has the documented shape$")]
fn then_error_shape(world: &mut TokenWorld) {
    world.assert_refused_with(&[], &[]);
}

#[then(regex = r"^the response forbids caching$")]
fn then_no_store(world: &mut TokenWorld) {
    world.assert_no_store();
}

#[then(regex = r"^the response is JSON$")]
fn then_json(world: &mut TokenWorld) {
    world.assert_json();
}

#[then(regex = r#"^the response matches the snapshot "([a-z0-9_-]+)"$"#)]
fn then_shape(world: &mut TokenWorld, name: String) {
    world.assert_shape(&name);
}

fn parse_statuses(text: &str) -> Vec<u16> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(" or ")
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| harness(&format!("`{s}` is not a status code")))
        })
        .collect()
}
