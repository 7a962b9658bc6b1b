//! Grading: what a [`RunReport`] means for this run's options.
//!
//! The runner records what *happened* ([`Outcome`]); this module decides what it *means*
//! ([`Verdict`]), given the scenario's level, `--strict`, `--require-all` and the baseline. It is
//! the only place that does so, which is why the terminal, JUnit and Cucumber JSON reports always
//! agree: they render a [`Graded`] run and never look at levels or flags themselves.
//!
//! | outcome | level / option | verdict |
//! |---|---|---|
//! | passed | any | `Pass` (`Stale` if baselined) |
//! | violated | `@must` | `Fail` (`Baselined` if baselined) |
//! | violated | `@should` | `Warn`; `Fail` under `--strict` (`Baselined` if baselined) |
//! | violated | `@info` | `Info` (reported only) |
//! | not applicable | – | `NotApplicable`; `Fail` under `--require-all` (`Baselined` if baselined) |
//! | harness error | any | `Error` (never baselined: a broken run is not a known gap) |

pub mod baseline;

use std::time::Duration;

use serde::Serialize;

pub use self::baseline::{Baseline, BaselineEntry, BaselineError};
use crate::exit;
use crate::report::model::{Level, Outcome, RunReport, ScenarioResult};

/// The options that change grading.
#[derive(Debug, Clone, Copy, Default)]
pub struct GradeOptions {
    /// `--strict`: a failed `@should` fails the run.
    pub strict: bool,
    /// `--require-all`: a not-applicable scenario fails the run.
    pub require_all: bool,
}

/// What one scenario's result means for this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Ran and met every rule.
    Pass,
    /// Broke a rule that fails the run (or was not applicable under `--require-all`).
    Fail,
    /// A `@should` rule broke; reported, the run still passes unless `--strict`.
    Warn,
    /// An `@info` scenario observed something other than the documented behaviour.
    Info,
    /// No fixture of the profile fits; not run.
    NotApplicable,
    /// Failed, but the baseline accepts it as a known gap.
    Baselined,
    /// Baselined, yet it passed: the baseline entry is out of date, which fails the run.
    Stale,
    /// The harness could not judge the scenario (unreachable target, harness bug).
    Error,
}

impl Verdict {
    /// Whether this verdict fails the run.
    pub fn fails_run(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Stale | Verdict::Error)
    }

    /// The fixed-width label shown in the terminal report.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Warn => "WARN",
            Verdict::Info => "INFO",
            Verdict::NotApplicable => "N/A",
            Verdict::Baselined => "KNOWN",
            Verdict::Stale => "STALE",
            Verdict::Error => "ERROR",
        }
    }

    /// The snake_case name used in JSON reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Info => "info",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Baselined => "baselined",
            Verdict::Stale => "stale",
            Verdict::Error => "error",
        }
    }
}

/// One graded scenario.
#[derive(Debug, Clone)]
pub struct GradedScenario<'a> {
    pub result: &'a ScenarioResult,
    pub verdict: Verdict,
    /// Why the verdict differs from the bare outcome (baseline reason, `--require-all`, ...).
    pub note: Option<String>,
}

/// A graded run: every scenario with its verdict, the summary and the exit code.
#[derive(Debug, Clone)]
pub struct Graded<'a> {
    pub report: &'a RunReport,
    pub options: GradeOptions,
    pub scenarios: Vec<GradedScenario<'a>>,
    pub summary: Summary,
    /// Baseline entries that matched no scenario of this run (filtered out, renamed, deleted).
    pub unmatched_baseline: Vec<BaselineEntry>,
}

/// Counts of a graded run. `passed + failed + skipped + warnings + info + baselined` is the
/// number of scenarios; `stale` and `errors` are part of `failed`, `not_applicable` counts every
/// scenario that had no fitting fixture (in `skipped`, or in `failed` under `--require-all`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub warnings: usize,
    pub not_applicable: usize,
    pub info: usize,
    pub baselined: usize,
    pub stale: usize,
    pub errors: usize,
    /// Scenarios that actually ran (everything except not applicable).
    pub ran: usize,
    #[serde(skip)]
    pub duration: Duration,
}

impl Summary {
    /// The summary line: `N passed, N failed, N skipped (N warnings, N not applicable) in 1.23s`,
    /// with baselined, stale, error and info counts added inside the parentheses when not zero.
    pub fn line(&self) -> String {
        let mut extra = vec![
            plural(self.warnings, "warning", "warnings"),
            format!("{} not applicable", self.not_applicable),
        ];
        for (n, one, many) in [
            (self.baselined, "baselined", "baselined"),
            (self.stale, "stale", "stale"),
            (self.errors, "error", "errors"),
            (self.info, "info", "info"),
        ] {
            if n > 0 {
                extra.push(plural(n, one, many));
            }
        }
        format!(
            "{} passed, {} failed, {} skipped ({}) in {:.2}s",
            self.passed,
            self.failed,
            self.skipped,
            extra.join(", "),
            self.duration.as_secs_f64()
        )
    }

    /// The exit code this summary calls for (see [`crate::exit`]). A harness error outranks
    /// conformance failures: when the harness broke, the other verdicts cannot be trusted.
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 {
            exit::HARNESS
        } else if self.failed > 0 {
            exit::FAILURES
        } else if self.ran == 0 {
            exit::NOTHING_RAN
        } else {
            exit::PASS
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Grades every scenario of `report`.
pub fn grade<'a>(report: &'a RunReport, options: GradeOptions, baseline: &Baseline) -> Graded<'a> {
    let matches = baseline.matcher(&report.scenarios);
    let mut summary = Summary {
        total: report.scenarios.len(),
        duration: report.duration,
        ..Summary::default()
    };
    let scenarios: Vec<GradedScenario<'a>> = report
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, result)| {
            let (verdict, note) = grade_one(result, options, matches.get(i));
            count(&mut summary, result, verdict);
            GradedScenario {
                result,
                verdict,
                note,
            }
        })
        .collect();
    Graded {
        report,
        options,
        scenarios,
        summary,
        unmatched_baseline: matches.unmatched.into_iter().cloned().collect(),
    }
}

fn grade_one(
    result: &ScenarioResult,
    options: GradeOptions,
    entry: Option<&BaselineEntry>,
) -> (Verdict, Option<String>) {
    let baselined = entry.map(|e| match &e.reason {
        Some(r) => format!("in the baseline ({r})"),
        None => "in the baseline".to_owned(),
    });
    // What the outcome means without a baseline; only failures of the run can be accepted.
    let unaccepted = match &result.outcome {
        Outcome::HarnessError { .. } => return (Verdict::Error, None),
        Outcome::Passed => {
            return match baselined {
                Some(r) => (
                    Verdict::Stale,
                    Some(format!(
                        "{r} but it passed: remove the entry from the baseline"
                    )),
                ),
                None => (Verdict::Pass, None),
            };
        }
        Outcome::Violated(_) => match result.level {
            Level::Info => return (Verdict::Info, None),
            Level::Must => (Verdict::Fail, None),
            Level::Should if options.strict => (
                Verdict::Fail,
                Some("a @should rule, failing because of --strict".to_owned()),
            ),
            Level::Should => (Verdict::Warn, None),
        },
        Outcome::NotApplicable { .. } if options.require_all => (
            Verdict::Fail,
            Some("not applicable, and --require-all makes that a failure".to_owned()),
        ),
        Outcome::NotApplicable { .. } => return (Verdict::NotApplicable, None),
    };
    match baselined {
        Some(r) => (Verdict::Baselined, Some(format!("accepted: {r}"))),
        None => unaccepted,
    }
}

fn count(summary: &mut Summary, result: &ScenarioResult, verdict: Verdict) {
    let not_applicable = matches!(result.outcome, Outcome::NotApplicable { .. });
    if not_applicable {
        summary.not_applicable += 1;
    } else {
        summary.ran += 1;
    }
    match verdict {
        Verdict::Pass => summary.passed += 1,
        Verdict::Fail => summary.failed += 1,
        Verdict::Stale => {
            summary.failed += 1;
            summary.stale += 1;
        }
        Verdict::Error => {
            summary.failed += 1;
            summary.errors += 1;
        }
        Verdict::Warn => summary.warnings += 1,
        Verdict::Info => summary.info += 1,
        Verdict::NotApplicable => summary.skipped += 1,
        Verdict::Baselined => summary.baselined += 1,
    }
}

impl Graded<'_> {
    /// The exit code of this run.
    pub fn exit_code(&self) -> u8 {
        self.summary.exit_code()
    }

    /// A baseline accepting every failure of this run (for `--write-baseline`). Reasons of entries
    /// already in the old baseline are kept; new entries get the broken rule as their reason.
    /// Harness errors are never written: a broken run is not a known gap.
    pub fn failures_as_baseline(&self, old: &Baseline) -> Baseline {
        let matches = old.matcher(&self.report.scenarios);
        let entries = self
            .scenarios
            .iter()
            .enumerate()
            .filter(|(_, g)| matches!(g.verdict, Verdict::Fail | Verdict::Baselined))
            .map(|(i, g)| BaselineEntry {
                scenario: g.result.key(),
                reason: matches
                    .get(i)
                    .and_then(|e| e.reason.clone())
                    .or_else(|| default_reason(g.result)),
            })
            .collect();
        Baseline { entries }
    }
}

fn default_reason(result: &ScenarioResult) -> Option<String> {
    match &result.outcome {
        Outcome::Violated(f) => Some(format!("fails: {}", f.rule)),
        Outcome::NotApplicable { needs } => Some(format!("not applicable: needs {needs}")),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::model::{Failure, StepResult, StepStatus};

    /// A passing `@must` scenario; tests change what they need.
    pub(crate) fn scenario(path: &str, line: usize, name: &str) -> ScenarioResult {
        ScenarioResult {
            feature: "Tokens".into(),
            feature_path: path.into(),
            name: name.into(),
            line,
            tags: vec!["must".into(), "jwt".into(), "seed-1.1-password".into()],
            level: Level::Must,
            fixture: Some("jwt-policy-proxy-cc".into()),
            outcome: Outcome::Passed,
            duration: Duration::from_millis(12),
            steps: vec![StepResult {
                keyword: "Given".into(),
                text: "a JWT policy".into(),
                status: StepStatus::Passed,
            }],
            notes: Vec::new(),
        }
    }

    pub(crate) fn violated(rule: &str) -> Outcome {
        Outcome::Violated(Failure {
            rule: rule.into(),
            expected: "Bearer".into(),
            actual: "bearer".into(),
            request: None,
            response: None,
            step: "Then token_type is Bearer".into(),
        })
    }

    fn with(level: Level, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            level,
            outcome,
            ..scenario("a.feature", 1, "s")
        }
    }

    fn report(scenarios: Vec<ScenarioResult>) -> RunReport {
        RunReport {
            target: "http://127.0.0.1:1".into(),
            profile: "test".into(),
            duration: Duration::from_millis(1500),
            scenarios,
        }
    }

    fn verdict_of(s: ScenarioResult, options: GradeOptions, baseline: &Baseline) -> Verdict {
        let r = report(vec![s]);
        grade(&r, options, baseline).scenarios[0].verdict
    }

    fn na() -> Outcome {
        Outcome::NotApplicable {
            needs: "a fixture with grant type password".into(),
        }
    }

    const PLAIN: GradeOptions = GradeOptions {
        strict: false,
        require_all: false,
    };
    const STRICT: GradeOptions = GradeOptions {
        strict: true,
        require_all: false,
    };
    const REQUIRE_ALL: GradeOptions = GradeOptions {
        strict: false,
        require_all: true,
    };

    #[test]
    fn levels_and_flags_decide_the_verdict() {
        let none = Baseline::default();
        let cases = [
            (Level::Must, Outcome::Passed, PLAIN, Verdict::Pass),
            (Level::Must, violated("r"), PLAIN, Verdict::Fail),
            (Level::Should, violated("r"), PLAIN, Verdict::Warn),
            (Level::Should, violated("r"), STRICT, Verdict::Fail),
            (Level::Info, violated("r"), STRICT, Verdict::Info),
            (Level::Must, na(), PLAIN, Verdict::NotApplicable),
            (Level::Must, na(), REQUIRE_ALL, Verdict::Fail),
            (
                Level::Should,
                Outcome::HarnessError {
                    message: "connection refused".into(),
                },
                PLAIN,
                Verdict::Error,
            ),
        ];
        for (level, outcome, options, expected) in cases {
            let got = verdict_of(with(level, outcome.clone()), options, &none);
            assert_eq!(got, expected, "{level:?} {outcome:?} {options:?}");
        }
    }

    #[test]
    fn baseline_accepts_failures_and_flags_stale_entries() {
        let baseline = Baseline {
            entries: vec![BaselineEntry {
                scenario: "a.feature:1 s".into(),
                reason: Some("GW-1".into()),
            }],
        };
        let failing = with(Level::Must, violated("r"));
        assert_eq!(verdict_of(failing, PLAIN, &baseline), Verdict::Baselined);
        let passing = with(Level::Must, Outcome::Passed);
        assert_eq!(verdict_of(passing, PLAIN, &baseline), Verdict::Stale);
        let na_required = with(Level::Must, na());
        assert_eq!(
            verdict_of(na_required, REQUIRE_ALL, &baseline),
            Verdict::Baselined
        );
        let error = with(
            Level::Must,
            Outcome::HarnessError {
                message: "x".into(),
            },
        );
        assert_eq!(verdict_of(error, PLAIN, &baseline), Verdict::Error);
    }

    #[test]
    fn summary_counts_and_exit_codes() {
        let r = report(vec![
            with(Level::Must, Outcome::Passed),
            with(Level::Should, violated("r")),
            with(Level::Must, na()),
            with(Level::Info, violated("r")),
        ]);
        let g = grade(&r, PLAIN, &Baseline::default());
        assert_eq!(
            g.summary.line(),
            "1 passed, 0 failed, 1 skipped (1 warning, 1 not applicable, 1 info) in 1.50s"
        );
        assert_eq!(g.exit_code(), exit::PASS);

        let g = grade(&r, STRICT, &Baseline::default());
        assert_eq!(
            g.summary.line(),
            "1 passed, 1 failed, 1 skipped (0 warnings, 1 not applicable, 1 info) in 1.50s"
        );
        assert_eq!(g.exit_code(), exit::FAILURES);

        let g = grade(&r, REQUIRE_ALL, &Baseline::default());
        assert_eq!(g.summary.failed, 1);
        assert_eq!(g.summary.not_applicable, 1);
        assert_eq!(g.exit_code(), exit::FAILURES);
    }

    #[test]
    fn harness_errors_outrank_failures() {
        let r = report(vec![
            with(Level::Must, violated("r")),
            with(
                Level::Must,
                Outcome::HarnessError {
                    message: "x".into(),
                },
            ),
        ]);
        let g = grade(&r, PLAIN, &Baseline::default());
        assert_eq!(g.summary.failed, 2);
        assert_eq!(g.summary.errors, 1);
        assert_eq!(g.exit_code(), exit::HARNESS);
    }

    #[test]
    fn nothing_ran_is_its_own_exit_code() {
        let empty = report(vec![]);
        assert_eq!(
            grade(&empty, PLAIN, &Baseline::default()).exit_code(),
            exit::NOTHING_RAN
        );
        let all_na = report(vec![with(Level::Must, na())]);
        assert_eq!(
            grade(&all_na, PLAIN, &Baseline::default()).exit_code(),
            exit::NOTHING_RAN
        );
        assert_eq!(
            grade(&all_na, REQUIRE_ALL, &Baseline::default()).exit_code(),
            exit::FAILURES
        );
    }

    #[test]
    fn write_baseline_keeps_reasons_and_skips_errors() {
        let r = report(vec![
            ScenarioResult {
                outcome: violated("token_type is Bearer"),
                ..scenario("a.feature", 1, "old")
            },
            ScenarioResult {
                outcome: violated("expires_in in ms"),
                ..scenario("a.feature", 5, "new")
            },
            ScenarioResult {
                outcome: Outcome::HarnessError {
                    message: "boom".into(),
                },
                ..scenario("a.feature", 9, "broken")
            },
            scenario("a.feature", 12, "fine"),
        ]);
        let old = Baseline {
            entries: vec![BaselineEntry {
                scenario: "a.feature:1 old".into(),
                reason: Some("GW-7".into()),
            }],
        };
        let g = grade(&r, PLAIN, &old);
        let written = g.failures_as_baseline(&old);
        assert_eq!(
            written.entries,
            vec![
                BaselineEntry {
                    scenario: "a.feature:1 old".into(),
                    reason: Some("GW-7".into()),
                },
                BaselineEntry {
                    scenario: "a.feature:5 new".into(),
                    reason: Some("fails: expires_in in ms".into()),
                },
            ]
        );
        let regraded = grade(&r, PLAIN, &written);
        assert_eq!(regraded.summary.baselined, 2);
        assert_eq!(regraded.exit_code(), exit::HARNESS);
    }
}
