//! Why a load run could not start or finish, and the exit code each cause maps to.
//!
//! A non-conformant response is not an error here: it is counted in the report and turns into
//! exit code 1 there. These are the cases where the run itself could not happen.

use tokenspec_profile::{GrantType, ProfileError, RequestedGrant};

/// Exit code: every response conformed.
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one response broke a rule.
pub const EXIT_NON_CONFORMANT: u8 = 1;
/// Exit code: bad command line or profile.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the target could not be reached, or the harness itself broke.
pub const EXIT_UNREACHABLE: u8 = 3;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("{origin}: no fixture `{id}`; the profile has: {}", known.join(", "))]
    UnknownFixture {
        id: String,
        origin: String,
        known: Vec<String>,
    },
    #[error(
        "{origin}: no fixture fits {wanted}; add one to the profile or pick one with --fixture"
    )]
    NoFixture { wanted: String, origin: String },
    #[error(
        "fixture `{fixture}` cannot be driven with grant {grant}: it is defined with {defined}{}",
        if *can_refresh { "" } else { " and cannot refresh (refresh off or immortal token)" }
    )]
    GrantNotUsable {
        fixture: String,
        grant: RequestedGrant,
        defined: GrantType,
        can_refresh: bool,
    },
    #[error("fixture `{fixture}` uses the password grant but has no users")]
    NoUser { fixture: String },
    #[error("invalid option: {0}")]
    Option(&'static str),
    #[error(
        "target {url} is unreachable ({reason}); check --target and that the service is running"
    )]
    Unreachable { url: String, reason: String },
    #[error(
        "cannot verify JWT signatures of fixture `{fixture}`: {reason}; publish a JWKS, set \
         target.hs_secret / target.jwt_public_key_pem, or pass --validate-sample 0"
    )]
    NoVerificationKey { fixture: String, reason: String },
    #[error("could not start the embedded reference issuer: {0}")]
    Embedded(String),
    #[error("could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error("could not write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl LoadError {
    /// The process exit code this error ends a run with.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Profile(_)
            | LoadError::UnknownFixture { .. }
            | LoadError::NoFixture { .. }
            | LoadError::GrantNotUsable { .. }
            | LoadError::NoUser { .. }
            | LoadError::Option(_) => EXIT_USAGE,
            LoadError::Unreachable { .. }
            | LoadError::NoVerificationKey { .. }
            | LoadError::Embedded(_)
            | LoadError::Client(_)
            | LoadError::Write { .. } => EXIT_UNREACHABLE,
        }
    }
}
