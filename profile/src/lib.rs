//! The target profile: one typed TOML contract that both sides of tokenspec read.
//!
//! A profile says where a target token service is and which fixtures (policies, credentials,
//! users, roles) were configured on it. The harness reads it to know what to send and what to
//! expect; the reference issuer reads the very same file to configure itself. Keeping one parser
//! means the two sides can never disagree about what a key means.
//!
//! The loader works in two steps, like ripgrep's `LowArgs` → `HiArgs`: [`raw`] mirrors the TOML
//! (strings, options) and is deserialised with the failing key path recorded; [`model`] is the
//! validated form, where every closed set is an enum and every rule that spans keys has been
//! checked. Nothing past [`Profile::load`] handles strings where an enum belongs.
//!
//! ```
//! let toml = r#"
//! [target]
//! base_url = "http://127.0.0.1:8080"
//!
//! [[fixtures]]
//! id = "jwt-cc"
//! token = "jwt"
//! managed_from = "policy"
//! key_level = "api-proxy"
//! grant_type = "client_credentials"
//! client_id = "proxy-key"
//! client_secret = "s3cret"
//! token_expires_in = "60s"
//! "#;
//! let profile = tokenspec_profile::Profile::from_toml_str(toml, "inline.toml").unwrap();
//! assert_eq!(profile.fixtures[0].token, tokenspec_profile::TokenKind::Jwt);
//! ```

#![forbid(unsafe_code)]

mod env;
mod error;
pub mod model;
pub mod raw;
mod validate;

pub use error::{ProfileError, ProfileErrorKind};
pub use model::*;

/// The default profile, embedded so the harness and the reference issuer work from any
/// directory (for example after `cargo install`). It covers every scenario of the suite.
pub const REFERENCE_PROFILE_TOML: &str = include_str!("../../targets/reference.toml");

/// Name shown in errors and reports for the embedded default profile.
pub const REFERENCE_PROFILE_NAME: &str = "<embedded targets/reference.toml>";

impl Profile {
    /// Reads, expands and validates a profile file.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Profile, ProfileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| {
            ProfileError::new(
                path.display().to_string(),
                ProfileErrorKind::Read {
                    message: source.to_string(),
                },
            )
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// The embedded default profile (`targets/reference.toml`).
    pub fn reference() -> Profile {
        // The embedded file is checked by this crate's tests; failing here is a build defect.
        Self::from_toml_str(REFERENCE_PROFILE_TOML, REFERENCE_PROFILE_NAME)
            .expect("the embedded reference profile is valid (checked by tests)")
    }

    /// Parses a profile from text; `origin` names the source in error messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        Self::from_toml_str_with_env(text, origin, &|name| std::env::var(name).ok())
    }

    /// Like [`Profile::from_toml_str`], with `${VAR}` looked up through `lookup` instead of the
    /// process environment (tests and embedding callers use this).
    pub fn from_toml_str_with_env(
        text: &str,
        origin: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, ProfileError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| {
            ProfileError::new(
                origin,
                ProfileErrorKind::Syntax {
                    message: e.to_string(),
                },
            )
        })?;
        let raw: raw::RawProfile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let key = e.path().to_string();
            ProfileError::new(
                origin,
                ProfileErrorKind::Field {
                    key,
                    message: e.inner().to_string(),
                },
            )
        })?;
        validate::validate(raw, origin, lookup)
    }
}

#[cfg(test)]
mod tests;
