//! Renderers of a graded [`model::RunReport`]: the terminal, JUnit XML and Cucumber JSON.
//!
//! Every renderer reads a [`crate::verdict::Graded`] run and nothing else, so the three outputs
//! always carry the same verdicts; none of them redacts, because the runner already did (the
//! model holds only redacted text).

pub mod json;
pub mod junit;
pub mod model;
pub mod terminal;

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use super::model::*;
    use crate::verdict::tests::scenario;

    /// A small run with one of each interesting outcome; fixed durations keep golden files stable.
    pub(crate) fn sample_report() -> RunReport {
        let mut token_type = scenario("policy/jwt.feature", 15, "token_type is Bearer");
        token_type.tags = vec![
            "must".into(),
            "jwt".into(),
            "policy".into(),
            "seed-1.1-client_credentials".into(),
            "doc-TOK".into(),
        ];
        token_type.outcome = Outcome::Violated(Failure {
            rule: "token_type is Bearer".into(),
            expected: "\"Bearer\"".into(),
            actual: "\"bearer\"".into(),
            request: Some(
                "POST http://127.0.0.1:8080/auth/jwt\n\
                 content-type: application/x-www-form-urlencoded\n\
                 \n\
                 grant_type=client_credentials&client_id=jwt-policy-proxy-cc-key&client_secret=[redacted]"
                    .into(),
            ),
            response: Some(
                "HTTP 200\n\
                 content-type: application/json\n\
                 \n\
                 {\"access_token\":\"[jwt]\",\"token_type\":\"bearer\",\"expires_in\":60000,\"note\":\"<b>&'\"\"}"
                    .into(),
            ),
            step: "Then the token type is Bearer".into(),
        });
        token_type.steps = vec![
            StepResult {
                keyword: "Given".into(),
                text: "a JWT policy managed from this policy with grant type client_credentials"
                    .into(),
                status: StepStatus::Passed,
            },
            StepResult {
                keyword: "When".into(),
                text: "the client requests a token".into(),
                status: StepStatus::Passed,
            },
            StepResult {
                keyword: "Then".into(),
                text: "the token type is Bearer".into(),
                status: StepStatus::Failed,
            },
            StepResult {
                keyword: "And".into(),
                text: "the response is not cached".into(),
                status: StepStatus::Skipped,
            },
        ];

        let mut scope = scenario("policy/jwt.feature", 22, "scope echoed");
        scope.level = Level::Should;
        scope.tags = vec!["should".into(), "scope".into(), "rfc-6749-5.1".into()];
        scope.outcome = Outcome::Violated(Failure {
            rule: "the granted scope is echoed".into(),
            expected: "scope = \"orders\"".into(),
            actual: "no scope field".into(),
            request: None,
            response: None,
            step: "Then the scope is echoed".into(),
        });
        scope.steps[0].status = StepStatus::Failed;

        let mut refresh = scenario("acl/oauth2.feature", 5, "refresh after the window");
        refresh.feature = "OAuth2 tokens managed from ACL".into();
        refresh.fixture = None;
        refresh.outcome = Outcome::NotApplicable {
            needs: "an oauth2 fixture managed from acl with a short refresh window".into(),
        };
        refresh.steps[0].status = StepStatus::Skipped;
        refresh.duration = Duration::ZERO;

        let mut get = scenario("acl/oauth2.feature", 12, "GET with URL parameters");
        get.feature = "OAuth2 tokens managed from ACL".into();
        get.notes = vec!["vendor field `X-IssuedAt` present (not part of the shape)".into()];

        RunReport {
            target: "http://127.0.0.1:8080".into(),
            profile: "targets/reference.toml".into(),
            duration: Duration::from_millis(2340),
            scenarios: vec![
                scenario("policy/jwt.feature", 8, "client_credentials token"),
                token_type,
                scope,
                refresh,
                get,
            ],
        }
    }
}
