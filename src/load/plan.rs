//! Which fixture a load run drives, and what its requests and good responses look like.
//!
//! Selection works like a scenario's requirement, not like a lookup table: `--fixture ID` names
//! one fixture, otherwise `--token`, `--managed-from` and `--grant` filter the profile and the
//! first fixture that fits (in profile order) is used. Request bodies follow the seed's tables
//! (the dash `client_secret` included, through [`Fixture::documented_client_secret`]), so a load
//! run sends exactly what a conforming client would. The plan holds secrets, so it has no `Debug`.

use std::fmt;
use std::time::Duration;

use tokenspec_profile::{
    ExpiresInUnit, Fixture, GrantType, JwtAlgorithm, ManagedFrom, Profile, Refresh, RequestedGrant,
    TokenKind,
};

use super::error::LoadError;

/// What the user asked to drive.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub fixture: Option<String>,
    pub token: Option<TokenKind>,
    pub managed_from: Option<ManagedFrom>,
    /// `None`: the fixture's own grant type (`client_credentials` when nothing else is given).
    pub grant: Option<RequestedGrant>,
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(t) = self.token {
            parts.push(format!("token = {t}"));
        }
        if let Some(m) = self.managed_from {
            parts.push(format!("managed_from = {m}"));
        }
        parts.push(format!(
            "grant = {}",
            self.grant.unwrap_or(RequestedGrant::ClientCredentials)
        ));
        f.write_str(&parts.join(", "))
    }
}

/// One form body: `(name, value)` pairs, values possibly secret.
pub type Form = Vec<(&'static str, String)>;

/// Everything a worker needs to send requests and judge responses.
pub struct Plan {
    pub fixture: Fixture,
    /// The grant every counted request uses.
    pub grant: RequestedGrant,
    /// Full URL of the token endpoint.
    pub url: String,
    /// Where the target publishes its JWKS (JWT fixtures).
    pub jwks_url: String,
    /// The form that acquires a token with the fixture's own grant type.
    pub acquire: Form,
    /// `client_id` and `client_secret` of refresh requests (the refresh token is added per call).
    pub refresh_client: Form,
    /// `expires_in` values accepted in a token response, in the profile's unit.
    pub expires_in: Vec<u64>,
    pub unit: ExpiresInUnit,
    /// The JWT algorithm, for JWT fixtures.
    pub jwt: Option<JwtAlgorithm>,
    /// Refresh settings when `grant` is `refresh_token`.
    pub refresh: Option<Refresh>,
}

impl Plan {
    /// Picks the fixture and builds the plan; [`Plan::at`] then points it at a target.
    pub fn new(profile: &Profile, selection: &Selection) -> Result<Plan, LoadError> {
        let (fixture, grant) = select(profile, selection)?;

        let own_grant = RequestedGrant::from(fixture.grant_type);
        let mut acquire: Form = vec![
            ("grant_type", own_grant.as_str().to_owned()),
            ("client_id", fixture.client_id.clone()),
            (
                "client_secret",
                fixture.documented_client_secret(own_grant).to_owned(),
            ),
        ];
        if fixture.grant_type == GrantType::Password {
            // The seed: "Username of one of the records in the authentication pool".
            let user = fixture.users.first().ok_or_else(|| LoadError::NoUser {
                fixture: fixture.id.clone(),
            })?;
            acquire.push(("username", user.username.clone()));
            acquire.push(("password", user.password.expose().to_owned()));
        }
        let refresh_client: Form = vec![
            ("client_id", fixture.client_id.clone()),
            (
                "client_secret",
                fixture
                    .documented_client_secret(RequestedGrant::RefreshToken)
                    .to_owned(),
            ),
        ];

        let unit = profile.target.expires_in_unit;
        let mut expires_in = vec![unit.expires_in(fixture.expiry)];
        let refresh = match grant {
            RequestedGrant::RefreshToken => fixture.refresh,
            _ => None,
        };
        if let Some(r) = refresh {
            // The docs leave open whether a refreshed token lives for the token validity or for
            // the "Refreshed Token Validity Period"; both readings are accepted here, and the
            // suite (not the load mode) decides which one a profile requires.
            let alt = unit.expires_in(tokenspec_profile::Expiry::After(r.expires_in));
            if !expires_in.contains(&alt) {
                expires_in.push(alt);
            }
        }

        Ok(Plan {
            jwt: fixture.jwt_algorithm,
            fixture,
            grant,
            url: String::new(),
            jwks_url: String::new(),
            acquire,
            refresh_client,
            expires_in,
            unit,
            refresh,
        })
    }

    /// Sets the endpoint and JWKS URLs for the target at `base_url`.
    pub fn at(mut self, base_url: &str) -> Plan {
        let base = base_url.trim_end_matches('/');
        self.url = format!("{base}{}", self.fixture.endpoint_path());
        self.jwks_url = format!(
            "{base}{}/.well-known/jwks.json",
            self.fixture.managed_from.prefix()
        );
        self
    }

    /// The form of one refresh request.
    pub fn refresh_form(&self, refresh_token: &str) -> Form {
        let mut form: Form = vec![(
            "grant_type",
            RequestedGrant::RefreshToken.as_str().to_owned(),
        )];
        form.extend(self.refresh_client.iter().cloned());
        form.push(("refresh_token", refresh_token.to_owned()));
        form
    }

    /// Whether a response must carry a refresh token (the refresh loop depends on it).
    pub fn refresh_expected(&self) -> bool {
        self.refresh.is_some()
    }

    /// How long before the refresh window closes a worker re-acquires instead of refreshing,
    /// so that a slow response does not turn into a spurious `invalid_grant`.
    pub fn refresh_margin(&self) -> Duration {
        self.refresh
            .map(|r| (r.expires_in / 5).min(Duration::from_secs(2)))
            .unwrap_or_default()
    }
}

/// The fixture and the grant a run uses.
fn select(
    profile: &Profile,
    selection: &Selection,
) -> Result<(Fixture, RequestedGrant), LoadError> {
    if let Some(id) = &selection.fixture {
        let fixture = profile
            .fixture(id)
            .ok_or_else(|| LoadError::UnknownFixture {
                id: id.clone(),
                origin: profile.origin.clone(),
                known: profile.fixtures.iter().map(|f| f.id.clone()).collect(),
            })?;
        let grant = selection
            .grant
            .unwrap_or_else(|| RequestedGrant::from(fixture.grant_type));
        if !fits(fixture, grant) {
            return Err(LoadError::GrantNotUsable {
                fixture: fixture.id.clone(),
                grant,
                defined: fixture.grant_type,
                can_refresh: fixture.can_refresh(),
            });
        }
        return Ok((fixture.clone(), grant));
    }
    let grant = selection.grant.unwrap_or(RequestedGrant::ClientCredentials);
    profile
        .fixtures
        .iter()
        .filter(|f| selection.token.is_none_or(|t| f.token == t))
        .filter(|f| selection.managed_from.is_none_or(|m| f.managed_from == m))
        .find(|f| fits(f, grant))
        .map(|f| (f.clone(), grant))
        .ok_or_else(|| LoadError::NoFixture {
            wanted: selection.to_string(),
            origin: profile.origin.clone(),
        })
}

/// Whether `grant` can be driven against `fixture`.
fn fits(fixture: &Fixture, grant: RequestedGrant) -> bool {
    match grant {
        RequestedGrant::ClientCredentials => fixture.grant_type == GrantType::ClientCredentials,
        RequestedGrant::Password => {
            fixture.grant_type == GrantType::Password && !fixture.users.is_empty()
        }
        RequestedGrant::RefreshToken => {
            fixture.can_refresh()
                && (fixture.grant_type == GrantType::ClientCredentials || !fixture.users.is_empty())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Profile {
        Profile::reference()
    }

    #[test]
    fn default_selection_is_the_first_client_credentials_fixture() {
        let plan = Plan::new(&reference(), &Selection::default())
            .unwrap()
            .at("http://h:1/");
        assert_eq!(plan.fixture.id, "jwt-policy-proxy-cc");
        assert_eq!(plan.url, "http://h:1/auth/jwt");
        assert_eq!(plan.jwks_url, "http://h:1/auth/.well-known/jwks.json");
        assert_eq!(plan.expires_in, vec![60_000]);
    }

    #[test]
    fn password_in_policy_mode_sends_the_dash_and_the_first_user() {
        let sel = Selection {
            token: Some(TokenKind::Jwt),
            managed_from: Some(ManagedFrom::Policy),
            grant: Some(RequestedGrant::Password),
            ..Selection::default()
        };
        let plan = Plan::new(&reference(), &sel).unwrap().at("http://h:1");
        let get = |k: &str| {
            plan.acquire
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("grant_type"), Some("password"));
        assert_eq!(get("client_secret"), Some("-"));
        assert_eq!(get("username"), Some("alice"));
    }

    #[test]
    fn refresh_selection_needs_a_refreshable_fixture() {
        let sel = Selection {
            token: Some(TokenKind::Oauth2),
            managed_from: Some(ManagedFrom::Acl),
            grant: Some(RequestedGrant::RefreshToken),
            ..Selection::default()
        };
        let plan = Plan::new(&reference(), &sel).unwrap().at("http://h:1");
        assert_eq!(plan.fixture.id, "oauth2-acl-cc");
        assert_eq!(plan.url, "http://h:1/credential/token");
        // ACL mode: the real secret on refresh; 60 s token, 30 s refresh validity.
        assert_eq!(plan.refresh_client[1].1, "oauth2-acl-cc-secret");
        assert_eq!(plan.expires_in, vec![60_000, 30_000]);
        let form = plan.refresh_form("rt");
        assert_eq!(form[0], ("grant_type", "refresh_token".to_owned()));
        assert_eq!(form[3], ("refresh_token", "rt".to_owned()));
    }

    #[test]
    fn a_fixture_cannot_be_driven_with_a_grant_it_was_not_defined_with() {
        let sel = Selection {
            fixture: Some("jwt-policy-immortal".into()),
            grant: Some(RequestedGrant::RefreshToken),
            ..Selection::default()
        };
        let err = Plan::new(&reference(), &sel).err().unwrap();
        assert!(err.to_string().contains("jwt-policy-immortal"), "{err}");
        let sel = Selection {
            fixture: Some("nope".into()),
            ..Selection::default()
        };
        let err = Plan::new(&reference(), &sel).err().unwrap();
        assert!(err.to_string().contains("jwt-policy-proxy-cc"), "{err}");
    }
}
