//! `${VAR}` expansion for profile strings.
//!
//! Only the braced form is expanded: secrets often contain a bare `$` and must survive as
//! written. `$${` escapes a literal `${`. A reference to an unset variable is an error, never an
//! empty string, so a missing secret cannot silently turn into "no secret".

use crate::error::ProfileErrorKind;

/// Expands every `${NAME}` in `value`; `key` is the TOML key path used in errors.
pub(crate) fn expand(
    value: &str,
    key: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ProfileErrorKind> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("${") {
            let Some(end) = tail.find('}') else {
                return Err(ProfileErrorKind::Invalid {
                    key: key.to_owned(),
                    message: "`${` without a closing `}`".to_owned(),
                    fix: "write `${NAME}`, or `$${` for a literal `${`".to_owned(),
                });
            };
            let name = &tail[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(ProfileErrorKind::Invalid {
                    key: key.to_owned(),
                    message: format!("`${{{name}}}` is not a variable name"),
                    fix: "variable names use letters, digits and `_`".to_owned(),
                });
            }
            match lookup(name) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(ProfileErrorKind::UndefinedVariable {
                        key: key.to_owned(),
                        variable: name.to_owned(),
                    });
                }
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "PW").then(|| "hunter2".to_owned())
    }

    #[test]
    fn expands_braced_variables_only() {
        assert_eq!(expand("a${PW}b", "k", &env).unwrap(), "ahunter2b");
        assert_eq!(expand("pa$$word$", "k", &env).unwrap(), "pa$$word$");
        assert_eq!(expand("$${PW}", "k", &env).unwrap(), "${PW}");
    }

    #[test]
    fn undefined_variable_names_key_and_variable() {
        let err = expand("${NOPE}", "fixtures[0].client_secret", &env).unwrap_err();
        assert_eq!(
            err,
            ProfileErrorKind::UndefinedVariable {
                key: "fixtures[0].client_secret".into(),
                variable: "NOPE".into()
            }
        );
    }

    #[test]
    fn unterminated_reference_is_an_error() {
        assert!(matches!(
            expand("${PW", "k", &env),
            Err(ProfileErrorKind::Invalid { .. })
        ));
    }
}
