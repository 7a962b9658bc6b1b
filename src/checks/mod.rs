//! The rules a response is judged by, as pure functions over a recorded response.
//!
//! Every check returns `Result<(), Violation>` (or the value it validated) and never touches the
//! network, the clock of the run or the World: that keeps them unit-testable against hand-made
//! responses, and keeps steps thin. A [`Violation`] names the rule broken, what was expected and
//! what was got; the World adds the request and response and redacts them before anything is
//! shown. Where the docs allow alternatives (digest section 14), a check takes the accepted set
//! and names all of it in the violation.

pub mod body;
pub mod headers;
pub mod introspection;
pub mod jwt;
pub mod shape;
pub mod status;

use std::fmt;

/// A rule the target broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule, e.g. `token_type is Bearer`.
    pub rule: String,
    pub expected: String,
    pub actual: String,
}

impl Violation {
    pub fn new(
        rule: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Violation {
            rule: rule.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.rule, self.expected, self.actual
        )
    }
}

/// `a`, `a or b`, `a, b or c`: how an accepted set reads in a violation.
pub fn one_of<T: fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
    match parts.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A JSON value's type name as the docs use it.
pub fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::client::ResponseRecord;

    /// A response as a test writes it: status, headers, JSON body.
    pub fn response(
        status: u16,
        headers: &[(&str, &str)],
        body: serde_json::Value,
    ) -> ResponseRecord {
        ResponseRecord {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
            body: body.to_string(),
            json: Some(body),
        }
    }
}
