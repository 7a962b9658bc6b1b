//! `Given` steps: what the scenario needs from a fixture, in the docs' words.

use cucumber::given;

use crate::fixture::Requirement;
use crate::world::{TokenWorld, harness};

/// `Given a JWT policy managed from this policy with grant type password and refresh allowed`.
/// The clause grammar is [`crate::fixture::CLAUSES`].
#[given(regex = r"^an? (JWT|OAuth2) policy managed from (this policy|ACL)(.*)$")]
fn given_a_policy(world: &mut TokenWorld, token: String, mode: String, clauses: String) {
    match Requirement::parse(&token, &mode, &clauses) {
        Ok(req) => world.require(&req),
        // The preflight rejects unknown clauses before a run; this is the backstop.
        Err(e) => harness(&e.to_string()),
    }
}
