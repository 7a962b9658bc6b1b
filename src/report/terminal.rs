//! The terminal report: what a person reads after `tokenspec run`.
//!
//! One line per scenario (grouped by feature file), then the full story of every scenario that
//! needs attention, then the summary line. A failing scenario shows everything needed to act on
//! it without rerunning: where it is, its level and spec trace, the fixture, the rule, expected
//! versus actual, and the request sent and response got (already redacted by the runner).
//!
//! ```text
//! policy/jwt.feature
//!   PASS   policy/jwt.feature:8  client_credentials token
//!   FAIL   policy/jwt.feature:15  token_type is Bearer
//!
//! FAIL   policy/jwt.feature:15  token_type is Bearer
//!   level:    must
//!   trace:    seed-1.1-client_credentials
//!   fixture:  jwt-policy-proxy-cc
//!   step:     Then the token type is Bearer
//!   rule:     token_type is Bearer
//!   expected: Bearer
//!   actual:   bearer
//!   request:
//!     POST http://127.0.0.1:8080/auth/jwt
//!     ...
//!
//! 1 passed, 1 failed, 0 skipped (0 warnings, 0 not applicable) in 0.12s
//! ```
//!
//! Notes the runner reports without grading (vendor `X-...` fields, which documented alternative
//! the target chose) are printed under their scenario's line.
//!
//! The output is plain text without colour so that CI logs, pipes and golden tests read the same.

use std::fmt::Write as _;

use crate::report::model::{Outcome, StepStatus};
use crate::verdict::{Graded, GradedScenario, Verdict};

/// How much the terminal report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Details of run-failing scenarios and the summary line only.
    Quiet,
    /// A line per scenario, details of everything that needs attention, the summary.
    #[default]
    Normal,
    /// As normal, plus the steps of every scenario.
    Verbose,
}

/// The header printed before the scenarios run.
pub fn header(target: &str, profile: &str) -> String {
    format!("tokenspec: target {target}\n           profile {profile}\n")
}

/// Renders a graded run.
pub fn render(graded: &Graded<'_>, verbosity: Verbosity) -> String {
    let mut out = String::new();
    if verbosity != Verbosity::Quiet {
        scenario_lines(&mut out, graded, verbosity);
    }
    for g in &graded.scenarios {
        let show = match verbosity {
            Verbosity::Quiet => g.verdict.fails_run(),
            _ => needs_attention(g.verdict),
        };
        if show {
            if !out.is_empty() {
                out.push('\n');
            }
            details(&mut out, g);
        }
    }
    if !graded.unmatched_baseline.is_empty() {
        out.push_str("\nbaseline entries that match no scenario of this run:\n");
        for e in &graded.unmatched_baseline {
            let _ = writeln!(out, "  {}", e.scenario);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&graded.summary.line());
    out.push('\n');
    out
}

fn needs_attention(verdict: Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Fail | Verdict::Warn | Verdict::Stale | Verdict::Error | Verdict::Info
    )
}

fn scenario_lines(out: &mut String, graded: &Graded<'_>, verbosity: Verbosity) {
    let mut current: Option<&str> = None;
    for g in &graded.scenarios {
        let r = g.result;
        if current != Some(r.feature_path.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}: {}", r.feature_path, r.feature);
            current = Some(r.feature_path.as_str());
        }
        let _ = write!(
            out,
            "  {:<6} {}:{}  {}",
            g.verdict.label(),
            r.feature_path,
            r.line,
            r.name
        );
        if let Outcome::NotApplicable { needs } = &r.outcome {
            let _ = write!(out, "  (needs {needs})");
        }
        out.push('\n');
        for note in &r.notes {
            let _ = writeln!(out, "         note: {note}");
        }
        if verbosity == Verbosity::Verbose {
            for s in &r.steps {
                let status = match s.status {
                    StepStatus::Passed => "passed",
                    StepStatus::Failed => "failed",
                    StepStatus::Skipped => "skipped",
                };
                let _ = writeln!(out, "         {status:<8} {} {}", s.keyword, s.text);
            }
        }
    }
}

/// The full story of one scenario (also the body of JUnit failures).
pub fn details_text(g: &GradedScenario<'_>) -> String {
    let mut out = String::new();
    details(&mut out, g);
    out
}

fn details(out: &mut String, g: &GradedScenario<'_>) {
    let r = g.result;
    let _ = writeln!(
        out,
        "{:<6} {}:{}  {}",
        g.verdict.label(),
        r.feature_path,
        r.line,
        r.name
    );
    let trace: Vec<&str> = r.trace().collect();
    field(out, "level", &format!("{:?}", r.level).to_lowercase());
    if !trace.is_empty() {
        field(out, "trace", &trace.join(", "));
    }
    field(out, "fixture", r.fixture.as_deref().unwrap_or("(none)"));
    if let Some(note) = &g.note {
        field(out, "note", note);
    }
    for note in &r.notes {
        field(out, "reported", note);
    }
    match &r.outcome {
        Outcome::Passed => {}
        Outcome::Violated(f) => {
            field(out, "step", &f.step);
            field(out, "rule", &f.rule);
            field(out, "expected", &f.expected);
            field(out, "actual", &f.actual);
            if let Some(request) = &f.request {
                block(out, "request", request);
            }
            if let Some(response) = &f.response {
                block(out, "response", response);
            }
        }
        Outcome::NotApplicable { needs } => field(out, "needs", needs),
        Outcome::HarnessError { message } => field(out, "error", message),
    }
}

/// `  name:     value`, continuation lines indented under the value.
fn field(out: &mut String, name: &str, value: &str) {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or("");
    let _ = writeln!(out, "  {:<9} {first}", format!("{name}:"));
    for line in lines {
        let _ = writeln!(out, "            {line}");
    }
}

fn block(out: &mut String, name: &str, text: &str) {
    let _ = writeln!(out, "  {name}:");
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;
    use crate::verdict::{Baseline, GradeOptions, grade};

    #[test]
    fn golden_normal() {
        let report = sample_report();
        let graded = grade(&report, GradeOptions::default(), &Baseline::default());
        insta::assert_snapshot!("terminal_normal", render(&graded, Verbosity::Normal));
    }

    #[test]
    fn golden_quiet_strict() {
        let report = sample_report();
        let options = GradeOptions {
            strict: true,
            require_all: false,
        };
        let graded = grade(&report, options, &Baseline::default());
        insta::assert_snapshot!("terminal_quiet_strict", render(&graded, Verbosity::Quiet));
    }

    #[test]
    fn golden_verbose() {
        let report = sample_report();
        let graded = grade(&report, GradeOptions::default(), &Baseline::default());
        insta::assert_snapshot!("terminal_verbose", render(&graded, Verbosity::Verbose));
    }

    #[test]
    fn summary_line_is_last() {
        let report = sample_report();
        let graded = grade(&report, GradeOptions::default(), &Baseline::default());
        let text = render(&graded, Verbosity::Normal);
        let last = text.lines().last().unwrap();
        assert!(
            last.starts_with("2 passed, 1 failed, 1 skipped ("),
            "{last}"
        );
    }
}
