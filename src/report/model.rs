//! The run report: what happened to every scenario, independent of how it is rendered.
//!
//! The runner (`crate::runner`) fills a [`RunReport`] from cucumber's events; `crate::verdict`
//! grades it (levels, `--strict`, `--require-all`, baseline); the renderers (terminal, JUnit,
//! Cucumber JSON) only read it. Keeping the three apart is what lets every output carry the same
//! verdicts. All text in here is already redacted: nothing downstream ever sees a secret.

use std::time::Duration;

use serde::Serialize;

/// Everything one `tokenspec run` observed.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The base URL the scenarios ran against (or `embedded reference issuer at ...`).
    pub target: String,
    /// The profile's origin (file path or the embedded default's name).
    pub profile: String,
    /// Wall time of the whole run.
    pub duration: Duration,
    pub scenarios: Vec<ScenarioResult>,
}

/// One scenario (one row of an outline counts as one scenario).
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Feature name, as in the `.feature` file.
    pub feature: String,
    /// Path of the feature file relative to the features directory.
    pub feature_path: String,
    /// Scenario name; outline rows carry the example values in the name.
    pub name: String,
    /// 1-based line of the scenario (or outline example row) in its file.
    pub line: usize,
    /// Every tag, without the `@`, feature tags included.
    pub tags: Vec<String>,
    pub level: Level,
    /// The fixture the harness picked for it, if any.
    pub fixture: Option<String>,
    pub outcome: Outcome,
    pub duration: Duration,
    pub steps: Vec<StepResult>,
    /// Reported, not graded: vendor fields seen (`X-...`), which of several documented
    /// alternatives the target chose. Already redacted.
    pub notes: Vec<String>,
}

impl ScenarioResult {
    /// A stable identity for baselines and reports: `path:line name`.
    pub fn key(&self) -> String {
        format!("{}:{} {}", self.feature_path, self.line, self.name)
    }

    /// The trace tags (`seed-...`, `doc-...`, `rfc-...`).
    pub fn trace(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("seed-") || t.starts_with("doc-") || t.starts_with("rfc-"))
    }
}

/// `@must`, `@should` or `@info` (DESIGN.md, "Verdicts").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Must,
    Should,
    Info,
}

/// What happened, before grading.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// The target broke a rule.
    Violated(Failure),
    /// No fixture of the profile fits; `needs` says which fixture would make it run.
    NotApplicable {
        needs: String,
    },
    /// The run itself broke (unreachable target, harness bug, unknown step).
    HarnessError {
        message: String,
    },
}

/// A broken rule, with everything a person needs to act on it (already redacted).
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The rule, e.g. `token_type is Bearer` or `error code in {invalid_grant, unsupported_grant_type}`.
    pub rule: String,
    pub expected: String,
    pub actual: String,
    /// The last request sent, rendered (method, URL, headers, body), secrets redacted.
    pub request: Option<String>,
    /// The last response got, rendered (status, headers, body), tokens redacted.
    pub response: Option<String>,
    /// Which step failed.
    pub step: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub keyword: String,
    pub text: String,
    pub status: StepStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    /// Not run because an earlier step failed or the scenario was not applicable.
    Skipped,
}
