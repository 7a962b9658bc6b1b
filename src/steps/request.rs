//! `When` steps that request a token: as documented, and every way a user would get it wrong.

use cucumber::when;

use crate::client::Carrier;
use crate::world::{TokenWorld, harness, set};

#[when(regex = r"^the client requests a token as documented$")]
async fn when_request_documented(world: &mut TokenWorld) {
    world.request_token(Carrier::Form).await;
}

#[when(regex = r"^the client requests a token as documented by GET with URL parameters$")]
async fn when_request_by_get(world: &mut TokenWorld) {
    world.request_token(Carrier::Query).await;
}

#[when(regex = r"^the client requests a token with a scope the principal holds$")]
async fn when_request_held_scope(world: &mut TokenWorld) {
    world.request_with_scope(true, false).await;
}

#[when(
    regex = r"^the client requests a token with a scope the principal holds and one it does not hold$"
)]
async fn when_request_mixed_scope(world: &mut TokenWorld) {
    world.request_with_scope(true, true).await;
}

#[when(regex = r"^the client requests a token with a scope the principal does not hold$")]
async fn when_request_unheld_scope(world: &mut TokenWorld) {
    world.request_with_scope(false, true).await;
}

#[when(regex = r"^the client requests a token with a wrong client secret$")]
async fn when_request_wrong_secret(world: &mut TokenWorld) {
    world
        .request_token_with(|p| set(p, "client_secret", "tokenspec-wrong-secret"))
        .await;
}

#[when(regex = r"^the client requests a token with an unknown client id$")]
async fn when_request_unknown_client(world: &mut TokenWorld) {
    world
        .request_token_with(|p| set(p, "client_id", "tokenspec-unknown-client"))
        .await;
}

#[when(regex = r"^the client requests a token with a wrong user password$")]
async fn when_request_wrong_password(world: &mut TokenWorld) {
    if world.own_grant() != tokenspec_profile::RequestedGrant::Password {
        harness("a wrong user password needs a fixture `with grant type password`");
    }
    world
        .request_token_with(|p| set(p, "password", "tokenspec-wrong-password"))
        .await;
}

#[when(regex = r#"^the client requests a token with grant type "([^"]*)"$"#)]
async fn when_request_grant_type(world: &mut TokenWorld, grant: String) {
    world
        .request_token_with(|p| set(p, "grant_type", &grant))
        .await;
}

#[when(
    regex = r"^the client requests a token with the grant type the policy was not defined with$"
)]
async fn when_request_other_grant(world: &mut TokenWorld) {
    world.request_other_grant().await;
}

#[when(regex = r#"^the client requests a token without the "([^"]+)" parameter$"#)]
async fn when_request_without(world: &mut TokenWorld, name: String) {
    let grant = world.own_grant();
    let mut params = world.documented_params(grant);
    let before = params.len();
    params.retain(|(k, _)| *k != name);
    if params.len() == before {
        harness(&format!("`{name}` is not a parameter of this request"));
    }
    let path = world.endpoint();
    world.send(&path, Carrier::Form, params).await;
}

#[when(regex = r#"^the client requests a token with content type "([^"]+)"$"#)]
async fn when_request_content_type(world: &mut TokenWorld, content_type: String) {
    let grant = world.own_grant();
    let params = world.documented_params(grant);
    let carrier = if content_type == "application/json" {
        Carrier::Json
    } else {
        Carrier::FormWithContentType(content_type)
    };
    let path = world.endpoint();
    world.send(&path, carrier, params).await;
}

#[when(regex = r"^the client requests a token on the other mode's prefix$")]
async fn when_request_other_mode(world: &mut TokenWorld) {
    let path = world.other_mode_path();
    world.request_token_at(path).await;
}

#[when(regex = r"^the client requests a token on the other token kind's endpoint$")]
async fn when_request_other_kind(world: &mut TokenWorld) {
    let path = world.other_kind_path();
    world.request_token_at(path).await;
}

#[when(regex = r"^the client requests a token with the dash as client secret$")]
async fn when_request_dash(world: &mut TokenWorld) {
    world.request_with_dash().await;
}

#[when(regex = r"^the client requests a token with the real client secret instead of the dash$")]
async fn when_request_real_secret(world: &mut TokenWorld) {
    world.request_with_real_secret_instead_of_dash().await;
}
