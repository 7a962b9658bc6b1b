//! The token endpoint's rules: client authentication, the seed's dash, grants, scope, refresh.
//!
//! [`issue`] takes a request that has already been decoded (see [`crate::form`]) and returns the
//! JSON body of a token response or a [`TokenError`]. The order of checks is fixed and
//! documented in `features/DECISIONS.md` ("Reference issuer"): required parameters, then the
//! client (unknown client and wrong secret answer identically, after a constant-time compare),
//! then the endpoint (mode prefix, token kind), then the grant type, then the grant's own
//! parameters and credentials, then scope. Nothing here logs or returns a secret.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use tokenspec_profile::{
    Fixture, GrantType, ManagedFrom, RequestedGrant, ScopeMismatch, TokenKind,
};

use crate::config::{Issuer, secret_matches};
use crate::error::TokenError;
use crate::fault::Fault;
use crate::form::{ClientCredentials, Params};
use crate::store::{AccessRecord, RefreshLimits, RefreshRecord, RefreshRefusal, TokenKey};
use crate::token::random_uuid;

/// Which token endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub mode: ManagedFrom,
    pub kind: TokenKind,
}

/// The same answer for an unknown client and a wrong secret (issue 2 item 10).
const BAD_CLIENT: TokenError = TokenError::InvalidClient("client authentication failed");

/// A successful token response, serialised in this field order. Serialised by hand so the
/// optional X- fields can follow the standard ones without serde's `flatten` (which turns the
/// whole struct into a slower map).
struct TokenResponse<'a> {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: Option<&'a str>,
    scope: Option<&'a str>,
    x: Option<XFields<'a>>,
}

/// Apinizer's extra response fields (digest 11.1), behind `target.x_fields`.
struct XFields<'a> {
    issued_at: String,
    expires_at: Option<String>,
    refresh_issued_at: Option<String>,
    refresh_expires_at: Option<String>,
    refresh_count: Option<String>,
    application_name: Option<&'a str>,
    client_info: &'a str,
}

/// Writes `key` when `value` is present.
fn field_opt<S: SerializeStruct, T: Serialize>(
    st: &mut S,
    key: &'static str,
    value: Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(v) => st.serialize_field(key, &v),
        None => st.skip_field(key),
    }
}

impl Serialize for TokenResponse<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("TokenResponse", 12)?;
        st.serialize_field("access_token", &self.access_token)?;
        st.serialize_field("token_type", self.token_type)?;
        st.serialize_field("expires_in", &self.expires_in)?;
        field_opt(&mut st, "refresh_token", self.refresh_token)?;
        field_opt(&mut st, "scope", self.scope)?;
        if let Some(x) = &self.x {
            st.serialize_field("X-IssuedAt", &x.issued_at)?;
            field_opt(&mut st, "X-ExpiresAt", x.expires_at.as_deref())?;
            field_opt(
                &mut st,
                "X-RefreshTokenIssuedAt",
                x.refresh_issued_at.as_deref(),
            )?;
            field_opt(
                &mut st,
                "X-RefreshTokenExpiresAt",
                x.refresh_expires_at.as_deref(),
            )?;
            field_opt(&mut st, "X-RefreshCount", x.refresh_count.as_deref())?;
            field_opt(&mut st, "X-ApplicationName", x.application_name)?;
            st.serialize_field("X-ClientInfo", x.client_info)?;
        }
        st.end()
    }
}

/// JWT claims as Apinizer issues them (digest 11.4).
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
}

/// What a successful request produced: the body, and the fixture id for the log line.
pub(crate) struct Issued {
    pub body: Vec<u8>,
    pub grant: RequestedGrant,
}

/// The principal a token is issued to. Shared strings: the same name and scope go into the
/// access record, the refresh record and every refreshed token without copying.
struct Principal {
    username: Option<Arc<str>>,
    scope: Option<Arc<str>>,
}

/// Handles one token request. `fixture_seen` receives the fixture index as soon as the client
/// is known, so the caller can log the outcome against it.
pub(crate) fn issue(
    issuer: &Issuer,
    endpoint: Endpoint,
    creds: ClientCredentials,
    mut params: Params,
    fixture_seen: &mut Option<usize>,
) -> Result<Issued, TokenError> {
    let Some(grant_text) = params.grant_type.take() else {
        return Err(TokenError::InvalidRequest("grant_type is missing"));
    };
    let Some(secret) = creds.client_secret.as_deref() else {
        return Err(TokenError::InvalidRequest("client_secret is missing"));
    };
    let requested: Option<RequestedGrant> = grant_text.parse().ok();

    let Some((index, fixture)) = issuer.client(&creds.client_id) else {
        // Same work as for a known client: one digest and one constant-time comparison.
        let _ = secret_matches(secret, &issuer.dummy);
        return Err(BAD_CLIENT);
    };
    *fixture_seen = Some(index);
    let state = &issuer.fixtures[index];
    let faults = &issuer.faults;

    // Always compare, so a dash costs the same as any other secret (the profile never allows
    // `-` as a real secret, so the comparison cannot succeed for it).
    let real_secret = secret_matches(secret, &state.secret);
    let secret_ok = real_secret
        || (secret == "-" && {
            let documented = requested.is_some_and(|g| dash_accepted(fixture, g));
            (documented && !faults.on(Fault::DashRefused))
                || faults.on(Fault::DashAcceptedEverywhere)
        });
    if !secret_ok {
        return Err(BAD_CLIENT);
    }
    check_endpoint(issuer, fixture, endpoint)?;

    let Some(grant) = requested else {
        return Err(TokenError::UnsupportedGrantType);
    };
    let now = Now::take();
    let body = match grant {
        RequestedGrant::ClientCredentials | RequestedGrant::Password => {
            let defined = RequestedGrant::from(fixture.grant_type);
            if defined != grant && !faults.on(Fault::GrantTypeUnchecked) {
                return Err(TokenError::InvalidGrant(
                    "the policy is not defined with this grant type",
                ));
            }
            let principal = if grant == RequestedGrant::Password {
                password_principal(issuer, index, fixture, &params)?
            } else {
                Principal {
                    username: None,
                    scope: resolve_scope(
                        params.scope.as_deref(),
                        &fixture.roles,
                        issuer.profile.target.scope_mismatch,
                        faults.on(Fault::ScopeUnchecked),
                    )?
                    .map(Arc::from),
                }
            };
            acquire(issuer, index, fixture, principal, &creds.client_id, now)?
        }
        RequestedGrant::RefreshToken => {
            refresh(issuer, index, fixture, &mut params, &creds.client_id, now)?
        }
    };
    Ok(Issued { body, grant })
}

/// Where the seed documents the dash (policy-mode JWT `password` and `refresh_token`), and only
/// for a grant this fixture can actually serve.
fn dash_accepted(fixture: &Fixture, grant: RequestedGrant) -> bool {
    fixture.dash_applies(grant)
        && match grant {
            RequestedGrant::Password => fixture.grant_type == GrantType::Password,
            RequestedGrant::RefreshToken => fixture.can_refresh(),
            RequestedGrant::ClientCredentials => false,
        }
}

/// A client id works only on its own mode's prefix and its own token kind (seed-x-mode-prefix,
/// seed-x-token-kind; Apinizer's ERR-140 is a 401).
fn check_endpoint(
    issuer: &Issuer,
    fixture: &Fixture,
    endpoint: Endpoint,
) -> Result<(), TokenError> {
    if fixture.managed_from != endpoint.mode && !issuer.faults.on(Fault::ModePrefixUnchecked) {
        return Err(TokenError::InvalidClient(
            "this client is not managed on this endpoint's prefix",
        ));
    }
    if fixture.token != endpoint.kind && !issuer.faults.on(Fault::TokenKindUnchecked) {
        return Err(TokenError::InvalidClient(
            "this client's policy issues another token kind",
        ));
    }
    Ok(())
}

fn password_principal(
    issuer: &Issuer,
    index: usize,
    fixture: &Fixture,
    params: &Params,
) -> Result<Principal, TokenError> {
    let (Some(username), Some(password)) = (params.username.as_deref(), params.password.as_deref())
    else {
        return Err(TokenError::InvalidRequest(
            "username and password are required for the password grant",
        ));
    };
    let bad_user = TokenError::InvalidGrant("invalid username or password");
    let Some(user) = issuer.fixtures[index].users.get(username) else {
        let _ = secret_matches(password, &issuer.dummy);
        return Err(bad_user);
    };
    if !secret_matches(password, &user.password) {
        return Err(bad_user);
    }
    let roles = fixture
        .user(username)
        .map(|u| u.roles.as_slice())
        .unwrap_or(&[]);
    let scope = resolve_scope(
        params.scope.as_deref(),
        roles,
        issuer.profile.target.scope_mismatch,
        issuer.faults.on(Fault::ScopeUnchecked),
    )?;
    Ok(Principal {
        username: Some(user.name.clone()),
        scope: scope.map(Arc::from),
    })
}

/// Resolves a requested scope against the principal's roles (issue 2 item 9, digest 10.2).
///
/// No scope requested (absent or only spaces): no scope. Strict: every requested role must be
/// held, else `invalid_scope`. Intersection: the held ones, no scope when none is held. All: all
/// of the principal's roles.
pub(crate) fn resolve_scope(
    requested: Option<&str>,
    roles: &[String],
    mode: ScopeMismatch,
    unchecked: bool,
) -> Result<Option<String>, TokenError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    let mut wanted: Vec<&str> = Vec::new();
    for role in requested.split(' ').filter(|r| !r.is_empty()) {
        if !wanted.contains(&role) {
            wanted.push(role);
        }
    }
    if wanted.is_empty() {
        return Ok(None);
    }
    let held = |r: &&str| roles.iter().any(|role| role == r);
    let granted: Vec<&str> = match mode {
        ScopeMismatch::Strict => {
            if !unchecked && !wanted.iter().all(held) {
                return Err(TokenError::InvalidScope);
            }
            wanted
        }
        ScopeMismatch::Intersection => wanted.into_iter().filter(held).collect(),
        ScopeMismatch::All => roles.iter().map(String::as_str).collect(),
    };
    Ok((!granted.is_empty()).then(|| granted.join(" ")))
}

/// The clock, read once per request.
#[derive(Clone, Copy)]
struct Now {
    instant: Instant,
    system: SystemTime,
    epoch: u64,
}

impl Now {
    fn take() -> Now {
        let system = SystemTime::now();
        Now {
            instant: Instant::now(),
            system,
            epoch: system
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }
}

/// `exp` for a validity: whole seconds rounded up, so a sub-second validity still has
/// `exp > iat`.
fn exp_claim(iat: u64, validity: Duration) -> u64 {
    let secs = validity.as_secs() + u64::from(validity.subsec_nanos() > 0);
    iat.saturating_add(secs.max(1))
}

/// `now + d`, saturating: a validity too long for the clock (a profile may say "500000y") is
/// a deadline that never comes, not a panic.
fn deadline(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(1 << 40)))
        .unwrap_or(now)
}

fn iso(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// A fresh acquisition (client_credentials or password).
fn acquire(
    issuer: &Issuer,
    index: usize,
    fixture: &Fixture,
    principal: Principal,
    client_id: &str,
    now: Now,
) -> Result<Vec<u8>, TokenError> {
    let validity = fixture.expiry.validity();
    let refresh_key = fixture.can_refresh().then(TokenKey::random);
    let refresh_token = refresh_key.map(TokenKey::to_hex);
    let (access_token, access_key) = new_access_token(
        issuer,
        index,
        fixture,
        principal.username.as_ref(),
        principal.scope.as_ref(),
        client_id,
        now,
    )?;
    let mut refresh_record = None;
    if let (Some(key), Some(refresh)) = (refresh_key, fixture.refresh) {
        let record = RefreshRecord {
            fixture: index,
            acquired_at: now.system,
            window_end: deadline(now.instant, refresh.expires_in),
            used: 0,
            username: principal.username.clone(),
            scope: principal.scope.clone(),
            access: access_key,
        };
        issuer.store.insert_refresh(key, record.clone());
        refresh_record = Some(record);
    }
    render(
        issuer,
        fixture,
        access_token,
        validity,
        refresh_token.as_deref(),
        refresh_record.as_ref(),
        principal.scope.as_deref(),
        client_id,
        now,
    )
}

/// Signs a JWT or stores a new opaque token for this principal; returns the token and, for an
/// opaque one, its store key.
fn new_access_token(
    issuer: &Issuer,
    index: usize,
    fixture: &Fixture,
    username: Option<&Arc<str>>,
    scope: Option<&Arc<str>>,
    client_id: &str,
    now: Now,
) -> Result<(String, Option<TokenKey>), TokenError> {
    let validity = fixture.expiry.validity();
    match fixture.token {
        TokenKind::Jwt => {
            let signer = issuer.signer(fixture).ok_or(TokenError::ServerError)?;
            let jti = random_uuid().hyphenated().to_string();
            let claims = Claims {
                iss: username.map_or(client_id, |u| &**u),
                aud: &issuer.fixtures[index].aud,
                jti: &jti,
                iat: now.epoch,
                exp: validity.map(|v| exp_claim(now.epoch, v)),
                scope: scope.map(|s| &**s),
            };
            let jwt = signer.sign(&claims).map_err(|_| TokenError::ServerError)?;
            Ok((jwt, None))
        }
        TokenKind::Oauth2 => {
            let key = TokenKey::random();
            issuer
                .store
                .insert_access(key, opaque_record(index, validity, username, scope, now));
            Ok((key.to_hex(), Some(key)))
        }
    }
}

fn opaque_record(
    index: usize,
    validity: Option<Duration>,
    username: Option<&Arc<str>>,
    scope: Option<&Arc<str>>,
    now: Now,
) -> AccessRecord {
    AccessRecord {
        fixture: index,
        expires: validity.map(|v| deadline(now.instant, v)),
        iat: now.epoch,
        exp: validity.map(|v| exp_claim(now.epoch, v)),
        username: username.cloned(),
        scope: scope.cloned(),
    }
}

/// A `refresh_token` grant.
fn refresh(
    issuer: &Issuer,
    index: usize,
    fixture: &Fixture,
    params: &mut Params,
    client_id: &str,
    now: Now,
) -> Result<Vec<u8>, TokenError> {
    let (Some(refresh), true) = (fixture.refresh, fixture.can_refresh()) else {
        return Err(TokenError::InvalidGrant(
            "refresh is not enabled for this policy, or its tokens never expire",
        ));
    };
    let Some(token) = params.refresh_token.take() else {
        return Err(TokenError::InvalidRequest(
            "refresh_token is required for the refresh_token grant",
        ));
    };
    let faults = &issuer.faults;
    let limits = RefreshLimits {
        count: refresh.count,
        enforce_count: !faults.on(Fault::RefreshCountUnenforced),
        enforce_window: !faults.on(Fault::RefreshWindowIgnored),
        invalidate_previous: !faults.on(Fault::Oauth2OldTokenSurvivesRefresh),
    };
    let validity = fixture.expiry.validity();
    let opaque = fixture.token == TokenKind::Oauth2;
    let record = issuer
        .store
        .refresh(&token, index, limits, now.instant, |record| {
            opaque.then(|| {
                (
                    TokenKey::random(),
                    opaque_record(
                        index,
                        validity,
                        record.username.as_ref(),
                        record.scope.as_ref(),
                        now,
                    ),
                )
            })
        })
        .map_err(|refusal| {
            TokenError::InvalidGrant(match refusal {
                RefreshRefusal::Unknown => "unknown refresh token",
                RefreshRefusal::Expired => "the refresh window has closed",
                RefreshRefusal::Exhausted => "the refresh count is used up",
            })
        })?;
    let access_token = match (record.access, fixture.token) {
        (Some(access), TokenKind::Oauth2) => access.to_hex(),
        _ => {
            new_access_token(
                issuer,
                index,
                fixture,
                record.username.as_ref(),
                record.scope.as_ref(),
                client_id,
                now,
            )?
            .0
        }
    };
    render(
        issuer,
        fixture,
        access_token,
        validity,
        Some(&token),
        Some(&record),
        record.scope.as_deref(),
        client_id,
        now,
    )
}

#[allow(clippy::too_many_arguments)]
fn render(
    issuer: &Issuer,
    fixture: &Fixture,
    access_token: String,
    validity: Option<Duration>,
    refresh_token: Option<&str>,
    refresh_record: Option<&RefreshRecord>,
    scope: Option<&str>,
    client_id: &str,
    now: Now,
) -> Result<Vec<u8>, TokenError> {
    let target = &issuer.profile.target;
    let x = target.x_fields.then(|| XFields {
        issued_at: iso(now.system),
        expires_at: validity.and_then(|v| now.system.checked_add(v)).map(iso),
        refresh_issued_at: refresh_record.map(|r| iso(r.acquired_at)),
        refresh_expires_at: refresh_record.and_then(|r| {
            fixture
                .refresh
                .and_then(|refresh| r.acquired_at.checked_add(refresh.expires_in))
                .map(iso)
        }),
        refresh_count: refresh_record.map(|r| r.used.to_string()),
        application_name: (fixture.managed_from == ManagedFrom::Policy).then_some(&*fixture.id),
        client_info: client_id,
    });
    let response = TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: target.expires_in_unit.expires_in(fixture.expiry),
        refresh_token,
        scope,
        x,
    };
    serde_json::to_vec(&response).map_err(|_| TokenError::ServerError)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn strict_scope() {
        let held = roles(&["orders", "billing"]);
        let s = ScopeMismatch::Strict;
        assert_eq!(resolve_scope(None, &held, s, false), Ok(None));
        assert_eq!(resolve_scope(Some("  "), &held, s, false), Ok(None));
        assert_eq!(
            resolve_scope(Some("orders  orders billing"), &held, s, false),
            Ok(Some("orders billing".into()))
        );
        assert_eq!(
            resolve_scope(Some("orders admin"), &held, s, false),
            Err(TokenError::InvalidScope)
        );
        assert_eq!(
            resolve_scope(Some("orders admin"), &held, s, true),
            Ok(Some("orders admin".into()))
        );
    }

    #[test]
    fn intersection_and_all() {
        let held = roles(&["orders", "billing"]);
        let i = ScopeMismatch::Intersection;
        assert_eq!(
            resolve_scope(Some("admin orders"), &held, i, false),
            Ok(Some("orders".into()))
        );
        assert_eq!(resolve_scope(Some("admin"), &held, i, false), Ok(None));
        let a = ScopeMismatch::All;
        assert_eq!(
            resolve_scope(Some("admin"), &held, a, false),
            Ok(Some("orders billing".into()))
        );
        assert_eq!(resolve_scope(None, &held, a, false), Ok(None));
        assert_eq!(resolve_scope(Some("x"), &[], a, false), Ok(None));
    }

    #[test]
    fn exp_rounds_up() {
        assert_eq!(exp_claim(100, Duration::from_millis(1)), 101);
        assert_eq!(exp_claim(100, Duration::from_millis(1500)), 102);
        assert_eq!(exp_claim(100, Duration::from_secs(60)), 160);
    }
}
