//! Profile errors: every one names the file, the key path and what to do about it.

use std::fmt;

/// A profile that could not be loaded. `origin` is the file (or the embedded default's name).
#[derive(Debug, thiserror::Error)]
pub struct ProfileError {
    pub origin: String,
    pub kind: ProfileErrorKind,
}

impl ProfileError {
    pub(crate) fn new(origin: impl Into<String>, kind: ProfileErrorKind) -> Self {
        ProfileError {
            origin: origin.into(),
            kind,
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile {}: {}", self.origin, self.kind)
    }
}

/// What was wrong with the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileErrorKind {
    /// The file could not be read.
    Read { message: String },
    /// The text is not TOML.
    Syntax { message: String },
    /// A key has the wrong type, an unknown value or is missing.
    Field { key: String, message: String },
    /// `${VAR}` names a variable that is not set.
    UndefinedVariable { key: String, variable: String },
    /// A rule that spans keys is broken; `fix` says how to mend it.
    Invalid {
        key: String,
        message: String,
        fix: String,
    },
}

impl fmt::Display for ProfileErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileErrorKind::Read { message } => {
                write!(
                    f,
                    "cannot read the file: {message} (check the --profile path)"
                )
            }
            ProfileErrorKind::Syntax { message } => {
                write!(f, "not valid TOML: {}", message.trim_end())
            }
            ProfileErrorKind::Field { key, message } => {
                let key = if key.is_empty() || key == "." {
                    "<top level>"
                } else {
                    key
                };
                write!(f, "key `{key}`: {message}")
            }
            ProfileErrorKind::UndefinedVariable { key, variable } => write!(
                f,
                "key `{key}`: environment variable `{variable}` is not set \
                 (export {variable}=... before running, or write the value in the profile)"
            ),
            ProfileErrorKind::Invalid { key, message, fix } => {
                write!(f, "key `{key}`: {message}; fix: {fix}")
            }
        }
    }
}
