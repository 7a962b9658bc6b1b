//! The step vocabulary: one reusable set of phrases that read like the docs.
//!
//! Steps are thin (style anchors, cucumber-rs habit 4): each parses its text and calls one verb
//! of [`crate::world::TokenWorld`]; the rules live in [`crate::checks`]. They are grouped by
//! concept, never by feature file: [`fixture`] (what a scenario needs), [`request`] (token
//! requests, right and wrong), [`refresh`], [`response`] (what must come back).
//!
//! [`CATALOG`] documents every step with an example; `tokenspec steps` prints it, and the
//! preflight ([`crate::catalog`]) suggests its examples when a feature uses an unknown step. A
//! unit test keeps the catalogue and the registered steps in one-to-one correspondence.

pub mod fixture;
pub mod introspection;
pub mod refresh;
pub mod request;
pub mod response;

/// One documented step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDoc {
    /// `Given`, `When` or `Then`.
    pub keyword: &'static str,
    /// A step text that matches this step (and only it).
    pub example: &'static str,
    /// What it does, in one or two sentences.
    pub doc: &'static str,
}

const fn doc(keyword: &'static str, example: &'static str, doc: &'static str) -> StepDoc {
    StepDoc {
        keyword,
        example,
        doc,
    }
}

/// Every step, in the order `tokenspec steps` prints them.
pub const CATALOG: &[StepDoc] = &[
    doc(
        "Given",
        "a JWT policy managed from this policy with grant type password and refresh allowed",
        "Picks a fixture of the profile that satisfies the requirement, or marks the scenario not applicable naming the fixture that would. Token: JWT | OAuth2; mode: this policy | ACL; clauses (joined by `and`): see the clause list.",
    ),
    doc(
        "Given",
        "the client holds a token issued as documented",
        "Requests a token as the seed documents it for the fixture's grant and checks it was issued.",
    ),
    doc(
        "When",
        "the client requests a token as documented",
        "POSTs the seed's form for the fixture's grant: client_secret is the dash where the seed puts it (policy-mode JWT password), username/password from the authentication pool.",
    ),
    doc(
        "When",
        "the client requests a token as documented by GET with URL parameters",
        "Sends the same parameters by GET in the query string (Allow URL Parameters).",
    ),
    doc(
        "When",
        "the client requests a token with a scope the principal holds",
        "Documented request plus `scope` = a role of the principal (the user for password, the key/credential for client_credentials).",
    ),
    doc(
        "When",
        "the client requests a token with a scope the principal holds and one it does not hold",
        "Documented request with `scope` = a held role and a role nobody holds.",
    ),
    doc(
        "When",
        "the client requests a token with a scope the principal does not hold",
        "Documented request with `scope` = a role nobody holds.",
    ),
    doc(
        "When",
        "the client requests a token with a wrong client secret",
        "Documented request with a made-up client_secret.",
    ),
    doc(
        "When",
        "the client requests a token with an unknown client id",
        "Documented request with a client_id the target does not know.",
    ),
    doc(
        "When",
        "the client requests a token with a wrong user password",
        "Password grant with a wrong user password.",
    ),
    doc(
        "When",
        "the client requests a token with grant type \"authorization_code\"",
        "Documented request with this grant_type value.",
    ),
    doc(
        "When",
        "the client requests a token with the grant type the policy was not defined with",
        "client_credentials to a password policy, or password to a client_credentials policy.",
    ),
    doc(
        "When",
        "the client requests a token without the \"client_id\" parameter",
        "Documented request minus one parameter.",
    ),
    doc(
        "When",
        "the client requests a token with content type \"text/plain\"",
        "Documented parameters, form-encoded, under this Content-Type (`application/json` sends a JSON object).",
    ),
    doc(
        "When",
        "the client requests a token on the other mode's prefix",
        "Documented request to /credential/... for a policy key, or /auth/... for a credential.",
    ),
    doc(
        "When",
        "the client requests a token on the other token kind's endpoint",
        "Documented request to .../token for a JWT policy, or .../jwt for an OAuth2 policy.",
    ),
    doc(
        "When",
        "the client requests a token with the dash as client secret",
        "Documented request with client_secret `-` where the seed requires the real secret.",
    ),
    doc(
        "When",
        "the client requests a token with the real client secret instead of the dash",
        "Documented request with the real secret where the seed documents the dash.",
    ),
    doc(
        "When",
        "the client refreshes the token as documented",
        "refresh_token grant with the last refresh token issued and the seed's client_secret (the dash in policy-mode JWT).",
    ),
    doc(
        "When",
        "the client refreshes the token as documented by GET with URL parameters",
        "The refresh, by GET with URL parameters.",
    ),
    doc(
        "When",
        "the client refreshes the token with the dash as client secret",
        "The documented refresh with client_secret `-` where the seed requires the real secret.",
    ),
    doc(
        "When",
        "the client uses every refresh the policy allows",
        "Refreshes Refresh Token Count times; each must issue a token.",
    ),
    doc(
        "When",
        "the refresh window passes",
        "Waits out the fixture's (short) Refreshed Token Validity Period.",
    ),
    doc(
        "When",
        "the client refreshes with a refresh token the target never issued",
        "refresh_token grant with a made-up refresh token.",
    ),
    doc(
        "When",
        "the client requests a token as documented with HTTP Basic client authentication",
        "The documented request with client_id/client_secret in an `Authorization: Basic` header instead of the body (digest 1.4).",
    ),
    doc(
        "When",
        "the client sends its credentials both in HTTP Basic and in the body",
        "The documented request with the client credentials in Basic and in the body.",
    ),
    doc(
        "When",
        "the client requests a token with a malformed HTTP Basic header",
        "The documented request with an `Authorization: Basic` value that does not decode.",
    ),
    doc(
        "When",
        "the client sends more refreshes at once than the policy allows",
        "Sends Refresh Token Count + 2 refreshes of the same token simultaneously.",
    ),
    doc(
        "Then",
        "no more refreshes succeed than the policy allows",
        "At most Refresh Token Count of the simultaneous refreshes issued a token.",
    ),
    doc(
        "When",
        "the access token's validity passes",
        "Waits out the fixture's (short) token validity.",
    ),
    doc(
        "When",
        "the client introspects the access token",
        "POST {prefix}/introspect with `token` (the access token, the previous access token, the refresh token, or a token the target never issued), client authenticated by HTTP Basic. Comes after the token steps: the introspection answer becomes the last response.",
    ),
    doc(
        "When",
        "another client introspects the access token",
        "Introspection by another client of the same mode.",
    ),
    doc(
        "Then",
        "the introspection says the token is active",
        "200; active true, client_id the caller's, token_type Bearer, exp in the future (when present).",
    ),
    doc(
        "Then",
        "the introspection says the token is inactive",
        "200 and exactly {\"active\": false}.",
    ),
    doc(
        "Then",
        "a token is issued",
        "Status 200; access_token a non-empty string, token_type Bearer (case-insensitive), expires_in an integer; refresh_token and scope strings when present.",
    ),
    doc(
        "Then",
        "the token type is exactly \"Bearer\"",
        "token_type spelled exactly `Bearer`, as the docs write it.",
    ),
    doc(
        "Then",
        "expires_in is the configured validity",
        "expires_in equals the fixture's validity in the profile's unit (0 when the token never expires).",
    ),
    doc(
        "Then",
        "the access token is a JWT signed with an allowed algorithm",
        "The JWT's alg is on the allow-list (never none) and its signature verifies (JWKS by kid, profile PEM key, or HS secret).",
    ),
    doc(
        "Then",
        "the JWT expires at iat plus the configured validity",
        "iat within 60 s of now; exp = iat + validity (±1 s), no exp when the token never expires.",
    ),
    doc(
        "Then",
        "the JWT's iss claim is the principal or the gateway address",
        "iss is the client id (client_credentials) or the username (password), as the screenshots show (digest 11.4), or an http(s) URL whose path is the mode prefix, as the API reference documents (11.3).",
    ),
    doc(
        "Then",
        "the JWT's aud claim names the client as the mode documents",
        "aud (a string or an array holding one) is `#GW#` + client id or the client id in policy mode, the client id in ACL mode (digest 11.3, 11.4).",
    ),
    doc(
        "Then",
        "the JWT carries a jti claim",
        "jti is a non-empty string; remembered for the uniqueness step.",
    ),
    doc(
        "Then",
        "the JWT's jti differs from the earlier token's",
        "The current JWT's jti differs from every jti judged earlier in the scenario.",
    ),
    doc(
        "Then",
        "the JWT header's kid names a key of the target's JWKS",
        "The header's kid is a kid of {prefix}/.well-known/jwks.json whose alg (when given) is the token's (digest 8).",
    ),
    doc(
        "Then",
        "the access token is opaque",
        "The OAuth2 access token is not a JWT.",
    ),
    doc(
        "Then",
        "the response carries a refresh token",
        "refresh_token present.",
    ),
    doc(
        "Then",
        "the response carries no refresh token",
        "refresh_token absent.",
    ),
    doc(
        "Then",
        "the refreshed access token is a new one",
        "The access token after a refresh differs from the one before.",
    ),
    doc(
        "Then",
        "the granted scope is the requested role",
        "The response's scope (and a JWT's scope claim) is exactly the requested held role.",
    ),
    doc(
        "Then",
        "the scope mismatch is handled as the target's scope setting says",
        "strict: refused with invalid_scope (400 or 401); intersection: scope is the held role; all: scope is every role held.",
    ),
    doc(
        "Then",
        "no token is issued",
        "A 4xx status and no access_token.",
    ),
    doc(
        "Then",
        "the request is refused with error \"invalid_grant\" or \"unsupported_grant_type\" and status 400 or 401",
        "No token; error code from the accepted set; status from the accepted set when given.",
    ),
    doc(
        "Then",
        "the request is refused with status 405 or 400",
        "No token; status from the accepted set.",
    ),
    doc(
        "Then",
        "the error response has the documented shape",
        "No token; JSON {error, error_description} with string values.",
    ),
    doc(
        "Then",
        "the response forbids caching",
        "Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1).",
    ),
    doc(
        "Then",
        "the response is JSON",
        "Content-Type application/json and a JSON body.",
    ),
    doc(
        "Then",
        "the response matches the snapshot \"jwt-refreshable\"",
        "The normalised response equals snapshots/<name>.snap; a mismatch shows a diff.",
    ),
];
