//! Raw → validated: `${VAR}` expansion, duration parsing and every rule that spans keys.
//!
//! Each rule's error names the key path (`fixtures[3].refresh.count`), the fixture id where one
//! exists, and the fix, because the person reading it is usually editing the file right now.

use std::collections::HashSet;
use std::time::Duration;

use crate::env::expand;
use crate::error::{ProfileError, ProfileErrorKind};
use crate::model::*;
use crate::raw::{RawFixture, RawProfile, RawTarget};

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Ctx<'a> {
    origin: &'a str,
    lookup: Lookup<'a>,
}

impl Ctx<'_> {
    fn err(&self, kind: ProfileErrorKind) -> ProfileError {
        ProfileError::new(self.origin, kind)
    }

    fn invalid(
        &self,
        key: impl Into<String>,
        message: impl Into<String>,
        fix: &str,
    ) -> ProfileError {
        self.err(ProfileErrorKind::Invalid {
            key: key.into(),
            message: message.into(),
            fix: fix.to_owned(),
        })
    }

    fn expand(&self, value: &str, key: &str) -> Result<String, ProfileError> {
        expand(value, key, self.lookup).map_err(|k| self.err(k))
    }

    fn duration(&self, value: &str, key: &str) -> Result<Duration, ProfileError> {
        let d = humantime::parse_duration(value.trim()).map_err(|e| {
            self.invalid(
                key,
                format!("`{value}` is not a duration ({e})"),
                "write a duration such as \"1500ms\", \"60s\", \"5m\" or \"1h\"",
            )
        })?;
        if d.is_zero() {
            return Err(self.invalid(
                key,
                "a zero duration",
                "give a positive duration, or set token_never_expires = true for an immortal token",
            ));
        }
        Ok(d)
    }
}

pub(crate) fn validate(
    raw: RawProfile,
    origin: &str,
    lookup: Lookup<'_>,
) -> Result<Profile, ProfileError> {
    let cx = Ctx { origin, lookup };
    let target = target(&cx, raw.target)?;
    let mut ids = HashSet::new();
    let mut client_ids = HashSet::new();
    let mut fixtures = Vec::with_capacity(raw.fixtures.len());
    for (i, rf) in raw.fixtures.into_iter().enumerate() {
        let f = fixture(&cx, &target, i, rf)?;
        if !ids.insert(f.id.clone()) {
            return Err(cx.invalid(
                format!("fixtures[{i}].id"),
                format!("fixture id `{}` is used twice", f.id),
                "give every fixture its own id",
            ));
        }
        if !client_ids.insert(f.client_id.clone()) {
            return Err(cx.invalid(
                format!("fixtures[{i}].client_id"),
                format!(
                    "fixture `{}` reuses a client_id of an earlier fixture; the client id selects the fixture",
                    f.id
                ),
                "give every fixture (policy key or credential) its own client_id",
            ));
        }
        fixtures.push(f);
    }
    Ok(Profile {
        origin: origin.to_owned(),
        target,
        fixtures,
    })
}

fn target(cx: &Ctx<'_>, raw: RawTarget) -> Result<Target, ProfileError> {
    let base_url = match raw.base_url {
        Some(u) => {
            let u = cx.expand(&u, "target.base_url")?;
            let u = u.trim().trim_end_matches('/').to_owned();
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(cx.invalid(
                    "target.base_url",
                    format!("`{u}` is not an http(s) URL"),
                    "write it as http://host:port or https://host",
                ));
            }
            Some(u)
        }
        None => None,
    };
    let hs_secret = match raw.hs_secret {
        Some(s) => {
            let s = cx.expand(&s, "target.hs_secret")?;
            if s.is_empty() {
                return Err(cx.invalid(
                    "target.hs_secret",
                    "an empty HMAC key",
                    "set a non-empty secret, for example \"${GW_HS_SECRET}\"",
                ));
            }
            Some(Secret::new(s))
        }
        None => None,
    };
    let jwt_public_key_pem = match raw.jwt_public_key_pem {
        Some(p) => {
            let p = cx.expand(&p, "target.jwt_public_key_pem")?;
            let path = resolve_relative(cx.origin, &p);
            let pem = std::fs::read_to_string(&path).map_err(|e| {
                cx.invalid(
                    "target.jwt_public_key_pem",
                    format!("cannot read `{}`: {e}", path.display()),
                    "give the path of a PEM public key, relative to the profile",
                )
            })?;
            Some(pem)
        }
        None => None,
    };
    let request_timeout = match raw.request_timeout {
        Some(t) => cx.duration(&t, "target.request_timeout")?,
        None => Duration::from_secs(10),
    };
    let allowed_algorithms = match raw.allowed_algorithms {
        Some(a) if a.is_empty() => {
            return Err(cx.invalid(
                "target.allowed_algorithms",
                "an empty list accepts no token at all",
                "list at least one algorithm, or remove the key for the default",
            ));
        }
        Some(a) => a,
        None => vec![
            JwtAlgorithm::RS256,
            JwtAlgorithm::RS384,
            JwtAlgorithm::RS512,
            JwtAlgorithm::HS256,
            JwtAlgorithm::HS384,
            JwtAlgorithm::HS512,
        ],
    };
    Ok(Target {
        base_url,
        expires_in_unit: raw.expires_in_unit,
        scope_mismatch: raw.scope_mismatch,
        hs_secret,
        jwt_public_key_pem,
        x_fields: raw.x_fields,
        request_timeout,
        allowed_algorithms,
    })
}

fn resolve_relative(origin: &str, path: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match std::path::Path::new(origin).parent() {
        Some(dir) if !origin.starts_with('<') => dir.join(p),
        _ => p.to_path_buf(),
    }
}

fn fixture(
    cx: &Ctx<'_>,
    target: &Target,
    i: usize,
    raw: RawFixture,
) -> Result<Fixture, ProfileError> {
    let key = |k: &str| format!("fixtures[{i}].{k}");
    let id = raw.id.trim().to_owned();
    if id.is_empty() {
        return Err(cx.invalid(
            key("id"),
            "an empty fixture id",
            "give the fixture a short name, e.g. \"jwt-policy-cc\"",
        ));
    }
    let named = |k: &str| format!("fixtures[{i}].{k} (fixture `{id}`)");

    let key_level = match (raw.managed_from, raw.key_level) {
        (ManagedFrom::Policy, Some(l)) => Some(l),
        (ManagedFrom::Policy, None) => {
            return Err(cx.invalid(
                named("key_level"),
                "a policy-mode fixture needs the level whose key it uses",
                "add key_level = \"api-proxy\", \"proxy-group\" or \"policy-group\"",
            ));
        }
        (ManagedFrom::Acl, Some(_)) => {
            return Err(cx.invalid(
                named("key_level"),
                "key_level applies only to managed_from = \"policy\"; an ACL fixture uses a credential",
                "remove key_level, or set managed_from = \"policy\"",
            ));
        }
        (ManagedFrom::Acl, None) => None,
    };

    let client_id = cx.expand(&raw.client_id, &key("client_id"))?;
    if client_id.trim().is_empty() {
        return Err(cx.invalid(
            named("client_id"),
            "an empty client_id",
            "copy the key's public key or the credential's client id",
        ));
    }
    let client_secret = cx.expand(&raw.client_secret, &key("client_secret"))?;
    if client_secret.is_empty() || client_secret == "-" {
        return Err(cx.invalid(
            named("client_secret"),
            "the real secret is needed (the dash is what the harness sends where the seed says so)",
            "write the secret key or the credential's client secret, e.g. \"${GW_SECRET}\"",
        ));
    }

    let jwt_algorithm = match (raw.token, raw.jwt_signature_algorithm) {
        (TokenKind::Jwt, a) => {
            let a = a.unwrap_or(JwtAlgorithm::RS256);
            if a.is_symmetric() && target.hs_secret.is_none() {
                return Err(cx.invalid(
                    named("jwt_signature_algorithm"),
                    format!("{a} needs the shared key, and [target] has no hs_secret"),
                    "add hs_secret = \"${GW_HS_SECRET}\" under [target]",
                ));
            }
            Some(a)
        }
        (TokenKind::Oauth2, Some(_)) => {
            return Err(cx.invalid(
                named("jwt_signature_algorithm"),
                "an OAuth2 (opaque) fixture has no signature algorithm",
                "remove jwt_signature_algorithm, or set token = \"jwt\"",
            ));
        }
        (TokenKind::Oauth2, None) => None,
    };

    let expiry = match (raw.token_never_expires, raw.token_expires_in) {
        (true, None) => Expiry::Never,
        (true, Some(_)) => {
            return Err(cx.invalid(
                named("token_expires_in"),
                "an immortal token (token_never_expires = true) has no validity",
                "remove token_expires_in, or set token_never_expires = false",
            ));
        }
        (false, Some(v)) => {
            let d = cx.duration(&v, &key("token_expires_in"))?;
            whole_unit(cx, target, d, &named("token_expires_in"))?;
            Expiry::After(d)
        }
        (false, None) => {
            return Err(cx.invalid(
                named("token_expires_in"),
                "the token expires but no validity is given",
                "add token_expires_in = \"60s\", or set token_never_expires = true",
            ));
        }
    };

    let refresh = match raw.refresh {
        None => None,
        Some(r) if !r.allowed => {
            if r.count.is_some() || r.expires_in.is_some() {
                return Err(cx.invalid(
                    named("refresh"),
                    "count/expires_in are set but allowed = false",
                    "set allowed = true, or remove count and expires_in",
                ));
            }
            None
        }
        Some(r) => {
            let count = match r.count {
                Some(0) | None => {
                    return Err(cx.invalid(
                        named("refresh.count"),
                        "refresh is allowed but the number of refreshes is missing or 0",
                        "add count = 3 (how many times one token may be refreshed)",
                    ));
                }
                Some(c) => c,
            };
            let Some(ex) = r.expires_in else {
                return Err(cx.invalid(
                    named("refresh.expires_in"),
                    "refresh is allowed but the Refreshed Token Validity Period is missing",
                    "add expires_in = \"120s\" to refresh",
                ));
            };
            let expires_in = cx.duration(&ex, &key("refresh.expires_in"))?;
            if expiry == Expiry::Never {
                return Err(cx.invalid(
                    named("refresh"),
                    "an immortal token cannot be refreshed (seed 1.1: refresh needs Token Should Be Immortal off)",
                    "set token_never_expires = false with a token_expires_in, or refresh = { allowed = false }",
                ));
            }
            Some(Refresh { count, expires_in })
        }
    };

    let roles = roles_of(cx, raw.roles, &named("roles"))?;
    let mut users = Vec::with_capacity(raw.users.len());
    let mut names = HashSet::new();
    for (u, ru) in raw.users.into_iter().enumerate() {
        let ukey = format!("fixtures[{i}].users[{u}]");
        let username = cx.expand(&ru.username, &format!("{ukey}.username"))?;
        if username.is_empty() {
            return Err(cx.invalid(
                format!("{ukey}.username"),
                "an empty username",
                "give the pool user's name",
            ));
        }
        if !names.insert(username.clone()) {
            return Err(cx.invalid(
                format!("{ukey}.username"),
                format!("user `{username}` appears twice in fixture `{id}`"),
                "list each user once",
            ));
        }
        let password = cx.expand(&ru.password, &format!("{ukey}.password"))?;
        if password.is_empty() {
            return Err(cx.invalid(
                format!("{ukey}.password"),
                "an empty password",
                "write the user's password, e.g. \"${ALICE_PW}\"",
            ));
        }
        users.push(User {
            username,
            password: Secret::new(password),
            roles: roles_of(cx, ru.roles, &format!("{ukey}.roles"))?,
        });
    }
    if raw.grant_type == GrantType::Password && users.is_empty() {
        return Err(cx.invalid(
            named("users"),
            "a password-grant fixture needs at least one user of its authentication pool",
            "add users = [{ username = \"alice\", password = \"${ALICE_PW}\", roles = [] }]",
        ));
    }

    Ok(Fixture {
        id,
        token: raw.token,
        managed_from: raw.managed_from,
        key_level,
        grant_type: raw.grant_type,
        client_id,
        client_secret: Secret::new(client_secret),
        allow_url_parameters: raw.allow_url_parameters,
        jwt_algorithm,
        expiry,
        refresh,
        roles,
        users,
    })
}

fn whole_unit(cx: &Ctx<'_>, target: &Target, d: Duration, key: &str) -> Result<(), ProfileError> {
    if target.expires_in_unit == ExpiresInUnit::Seconds && d.subsec_nanos() != 0 {
        return Err(cx.invalid(
            key,
            format!("{d:?} is not a whole number of seconds, and expires_in is emitted in seconds"),
            "use whole seconds, or expires_in_unit = \"milliseconds\"",
        ));
    }
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        return Err(cx.invalid(
            key,
            "sub-millisecond precision",
            "round the duration to milliseconds",
        ));
    }
    Ok(())
}

fn roles_of(cx: &Ctx<'_>, roles: Vec<String>, key: &str) -> Result<Vec<String>, ProfileError> {
    let mut out: Vec<String> = Vec::with_capacity(roles.len());
    for r in roles {
        if r.is_empty() || r.chars().any(char::is_whitespace) {
            return Err(cx.invalid(
                key,
                format!("role `{r}` is empty or contains whitespace; scope is a space-separated list of role names"),
                "use role names without spaces",
            ));
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}
