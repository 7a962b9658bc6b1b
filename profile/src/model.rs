//! The validated profile: typed, expanded, and consistent across keys.
//!
//! Every closed set is an enum, durations are [`Duration`]s, secrets are [`Secret`]s whose
//! `Debug` and `Display` never show the value. Helpers here answer the questions both sides ask
//! of a fixture (its URL path, whether the seed's dash applies, whether it can refresh), so the
//! answer is written once.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A loaded profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Where the profile came from (file path or the embedded default's name).
    pub origin: String,
    pub target: Target,
    pub fixtures: Vec<Fixture>,
}

impl Profile {
    /// The fixture whose `client_id` is `client_id` (client ids are unique in a valid profile).
    pub fn fixture_by_client_id(&self, client_id: &str) -> Option<&Fixture> {
        self.fixtures.iter().find(|f| f.client_id == client_id)
    }

    /// The fixture with this `id`.
    pub fn fixture(&self, id: &str) -> Option<&Fixture> {
        self.fixtures.iter().find(|f| f.id == id)
    }

    /// Every secret value in the profile (client secrets, user passwords, the HS secret), for
    /// redaction in logs and reports.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(s) = &self.target.hs_secret {
            out.push(s.expose());
        }
        for f in &self.fixtures {
            out.push(f.client_secret.expose());
            out.extend(f.users.iter().map(|u| u.password.expose()));
        }
        out.retain(|s| !s.is_empty() && *s != "-");
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// `[target]`: where the target is and the settings that change what it emits.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL without a trailing slash; `--target` overrides it. `None` means "start the
    /// embedded reference issuer".
    pub base_url: Option<String>,
    pub expires_in_unit: ExpiresInUnit,
    pub scope_mismatch: ScopeMismatch,
    /// The shared key of HS* fixtures: the reference issuer signs with it, the harness verifies.
    pub hs_secret: Option<Secret>,
    /// Contents of a PEM public key to verify RS*/ES* tokens with when the target has no JWKS.
    pub jwt_public_key_pem: Option<String>,
    /// Apinizer's extra `X-...` response fields (digest section 11) are emitted / expected.
    pub x_fields: bool,
    /// How long the harness waits for one response.
    pub request_timeout: Duration,
    /// Algorithms accepted in a JWT header. Never contains `none` (it is not representable).
    pub allowed_algorithms: Vec<JwtAlgorithm>,
}

/// One configured policy (Manage From This Policy) or credential (Manage From ACL).
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Shown in reports; scenarios never name it.
    pub id: String,
    pub token: TokenKind,
    pub managed_from: ManagedFrom,
    /// Whose key this is in policy mode; `None` in ACL mode.
    pub key_level: Option<KeyLevel>,
    pub grant_type: GrantType,
    pub client_id: String,
    pub client_secret: Secret,
    pub allow_url_parameters: bool,
    /// `Some` exactly for JWT fixtures (RS256 when the profile does not say).
    pub jwt_algorithm: Option<JwtAlgorithm>,
    pub expiry: Expiry,
    /// `Some` when Token Refresh is on.
    pub refresh: Option<Refresh>,
    /// Roles of the key or credential: the principal's roles for `client_credentials`.
    pub roles: Vec<String>,
    /// The authentication pool for `password`.
    pub users: Vec<User>,
}

impl Fixture {
    /// The token endpoint path, e.g. `/auth/jwt` or `/credential/token`.
    pub fn endpoint_path(&self) -> String {
        endpoint_path(self.managed_from, self.token)
    }

    /// Refresh works only when Token Refresh is on and the token is not immortal (seed 1.1).
    pub fn can_refresh(&self) -> bool {
        self.refresh.is_some() && self.expiry != Expiry::Never
    }

    /// Whether the seed documents the literal `-` as `client_secret` for this grant: policy
    /// mode, JWT, `password` and `refresh_token` grants (seed tables 1.1 and 1.3).
    pub fn dash_applies(&self, grant: RequestedGrant) -> bool {
        self.managed_from == ManagedFrom::Policy
            && self.token == TokenKind::Jwt
            && matches!(
                grant,
                RequestedGrant::Password | RequestedGrant::RefreshToken
            )
    }

    /// The `client_secret` value the seed tells a client to send for `grant`.
    pub fn documented_client_secret(&self, grant: RequestedGrant) -> &str {
        if self.dash_applies(grant) {
            "-"
        } else {
            self.client_secret.expose()
        }
    }

    /// The roles of the principal this grant authenticates.
    pub fn principal_roles<'a>(&'a self, user: Option<&'a User>) -> &'a [String] {
        match (self.grant_type, user) {
            (GrantType::Password, Some(u)) => &u.roles,
            _ => &self.roles,
        }
    }

    /// The user with this name in the fixture's authentication pool.
    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }
}

/// The token endpoint path for a mode and token kind.
pub fn endpoint_path(managed_from: ManagedFrom, token: TokenKind) -> String {
    format!("{}/{}", managed_from.prefix(), token.path_segment())
}

/// A user of the authentication pool.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub password: Secret,
    pub roles: Vec<String>,
}

/// Token Refresh settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refresh {
    /// How many refreshes one acquisition allows.
    pub count: u32,
    /// The Refreshed Token Validity Period, counted from acquisition.
    pub expires_in: Duration,
}

/// Token Should Be Immortal, or a validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    After(Duration),
}

impl Expiry {
    /// The validity, or `None` for an immortal token.
    pub fn validity(self) -> Option<Duration> {
        match self {
            Expiry::Never => None,
            Expiry::After(d) => Some(d),
        }
    }
}

/// A string that is never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value itself; call only where it is sent or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in profiles, tags and on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{}` (expected one of: {})",
                        stringify!($name), other, [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

closed_set!(
    /// JWT or opaque OAuth2 token.
    TokenKind { Jwt => "jwt", Oauth2 => "oauth2" }
);

impl TokenKind {
    /// The last path segment of the endpoint: `jwt` or `token`.
    pub fn path_segment(self) -> &'static str {
        match self {
            TokenKind::Jwt => "jwt",
            TokenKind::Oauth2 => "token",
        }
    }
}

closed_set!(
    /// "Manage From This Policy" (`/auth`) or "Manage From ACL" (`/credential`).
    ManagedFrom { Policy => "policy", Acl => "acl" }
);

impl ManagedFrom {
    /// The URL prefix of this mode.
    pub fn prefix(self) -> &'static str {
        match self {
            ManagedFrom::Policy => "/auth",
            ManagedFrom::Acl => "/credential",
        }
    }
}

closed_set!(
    /// Where the authentication policy sits in policy mode, i.e. whose key the client presents.
    KeyLevel { ApiProxy => "api-proxy", ProxyGroup => "proxy-group", PolicyGroup => "policy-group" }
);

closed_set!(
    /// The grant type a policy or credential is defined with.
    GrantType { ClientCredentials => "client_credentials", Password => "password" }
);

closed_set!(
    /// A `grant_type` value a client sends.
    RequestedGrant {
        ClientCredentials => "client_credentials",
        Password => "password",
        RefreshToken => "refresh_token",
    }
);

impl From<GrantType> for RequestedGrant {
    fn from(g: GrantType) -> Self {
        match g {
            GrantType::ClientCredentials => RequestedGrant::ClientCredentials,
            GrantType::Password => RequestedGrant::Password,
        }
    }
}

closed_set!(
    /// JWT signature algorithms a profile may name. `none` is deliberately absent.
    JwtAlgorithm {
        HS256 => "HS256", HS384 => "HS384", HS512 => "HS512",
        RS256 => "RS256", RS384 => "RS384", RS512 => "RS512",
        ES256 => "ES256", ES384 => "ES384",
    }
);

impl JwtAlgorithm {
    /// HMAC algorithms share a secret instead of publishing a key.
    pub fn is_symmetric(self) -> bool {
        matches!(
            self,
            JwtAlgorithm::HS256 | JwtAlgorithm::HS384 | JwtAlgorithm::HS512
        )
    }
}

closed_set!(
    /// The unit of `expires_in` in responses: Apinizer's legacy milliseconds or RFC 6749 seconds.
    ExpiresInUnit { Milliseconds => "milliseconds", Seconds => "seconds" }
);

impl Default for ExpiresInUnit {
    /// Apinizer's default ("Emit expires_in in Seconds" off), digest section 10.3.
    fn default() -> Self {
        ExpiresInUnit::Milliseconds
    }
}

impl ExpiresInUnit {
    /// `expires_in` for a validity in this unit; `0` for an immortal token.
    pub fn expires_in(self, expiry: Expiry) -> u64 {
        match (self, expiry) {
            (_, Expiry::Never) => 0,
            (ExpiresInUnit::Milliseconds, Expiry::After(d)) => d.as_millis() as u64,
            (ExpiresInUnit::Seconds, Expiry::After(d)) => d.as_secs(),
        }
    }
}

closed_set!(
    /// Behaviour on scope mismatch (Token Management Settings, digest 10.2).
    ScopeMismatch { Strict => "strict", Intersection => "intersection", All => "all" }
);

impl Default for ScopeMismatch {
    /// The documented default ("Strict — Return Error (Default)", [TMS]); see DECISIONS.
    fn default() -> Self {
        ScopeMismatch::Strict
    }
}
