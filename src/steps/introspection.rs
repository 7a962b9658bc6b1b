//! `When`/`Then` steps of token introspection (RFC 7662, digest 5) and client authentication by
//! HTTP Basic (digest 1.4).

use cucumber::{then, when};

use crate::world::{TokenChoice, TokenWorld};

#[when(
    regex = r"^the client introspects (the access token|the previous access token|the refresh token|a token the target never issued)$"
)]
async fn when_introspect(world: &mut TokenWorld, which: String) {
    world.introspect(choice(&which), false).await;
}

#[when(regex = r"^another client introspects the access token$")]
async fn when_other_introspects(world: &mut TokenWorld) {
    world.introspect(TokenChoice::Access, true).await;
}

#[when(regex = r"^the access token's validity passes$")]
async fn when_validity_passes(world: &mut TokenWorld) {
    world.wait_out_validity().await;
}

#[then(regex = r"^the introspection says the token is active$")]
fn then_active(world: &mut TokenWorld) {
    world.assert_introspection_active();
}

#[then(regex = r"^the introspection says the token is inactive$")]
fn then_inactive(world: &mut TokenWorld) {
    world.assert_introspection_inactive();
}

#[when(
    regex = r"^the client requests a token as documented with HTTP Basic client authentication$"
)]
async fn when_request_basic(world: &mut TokenWorld) {
    world.request_with_basic(false).await;
}

#[when(regex = r"^the client sends its credentials both in HTTP Basic and in the body$")]
async fn when_request_basic_and_body(world: &mut TokenWorld) {
    world.request_with_basic(true).await;
}

#[when(regex = r"^the client requests a token with a malformed HTTP Basic header$")]
async fn when_request_malformed_basic(world: &mut TokenWorld) {
    world.request_with_malformed_basic().await;
}

fn choice(text: &str) -> TokenChoice {
    match text {
        "the access token" => TokenChoice::Access,
        "the previous access token" => TokenChoice::Previous,
        "the refresh token" => TokenChoice::Refresh,
        _ => TokenChoice::Unknown,
    }
}
