//! `When` steps of the refresh_token grant: within the window, after it, past the count.

use cucumber::{given, then, when};

use crate::client::Carrier;
use crate::world::TokenWorld;

/// Background-style precondition: a token was issued as documented (and is checked).
#[given(regex = r"^the client holds a token issued as documented$")]
async fn given_token_issued(world: &mut TokenWorld) {
    world.request_token(Carrier::Form).await;
    world.assert_issued();
}

#[when(regex = r"^the client refreshes the token as documented$")]
async fn when_refresh(world: &mut TokenWorld) {
    world.refresh(Carrier::Form).await;
}

#[when(regex = r"^the client refreshes the token as documented by GET with URL parameters$")]
async fn when_refresh_by_get(world: &mut TokenWorld) {
    world.refresh(Carrier::Query).await;
}

#[when(regex = r"^the client refreshes the token with the dash as client secret$")]
async fn when_refresh_with_dash(world: &mut TokenWorld) {
    world.refresh_with_dash().await;
}

#[when(regex = r"^the client uses every refresh the policy allows$")]
async fn when_use_every_refresh(world: &mut TokenWorld) {
    world.use_every_refresh().await;
}

#[when(regex = r"^the refresh window passes$")]
async fn when_window_passes(world: &mut TokenWorld) {
    world.wait_out_refresh_window().await;
}

#[when(regex = r"^the client refreshes with a refresh token the target never issued$")]
async fn when_refresh_unknown(world: &mut TokenWorld) {
    world.refresh_with_unknown_token().await;
}

#[when(regex = r"^the client sends more refreshes at once than the policy allows$")]
async fn when_refresh_concurrently(world: &mut TokenWorld) {
    world.refresh_concurrently().await;
}

#[then(regex = r"^no more refreshes succeed than the policy allows$")]
fn then_refresh_count_held(world: &mut TokenWorld) {
    world.assert_refresh_count_held();
}
