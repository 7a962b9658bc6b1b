//! The JUnit XML report (`--junit FILE`), for CI systems that render test results.
//!
//! One `<testsuite>` per feature file, one `<testcase>` per scenario (classname = feature file,
//! name = scenario name and line). Every element follows the verdict, never the bare outcome, so
//! the XML fails exactly when the run fails:
//!
//! | verdict | JUnit |
//! |---|---|
//! | pass | passing testcase |
//! | fail, stale | `<failure>` with the rule as message and the full story as text |
//! | error | `<error>` (the harness broke, not the target) |
//! | warn, info | passing testcase, the finding in `<system-out>` and a `verdict` property |
//! | not applicable, baselined | `<skipped>` with the reason |
//!
//! Every testcase also carries `verdict`, `level`, `fixture`, `trace` and `tags` properties (the
//! effective tags, written and derived, as `--tags` selects on).
//!
//! Notes reported without grading (vendor fields, accepted alternatives) go to `<system-out>`.
//!
//! XML escaping is quick-junit's (nextest's serializer), not hand-written.
//!
//! ```xml
//! <testsuites name="tokenspec" tests="2" failures="1" errors="0">
//!     <testsuite name="policy/jwt.feature" tests="2" disabled="0" errors="0" failures="1">
//!         <testcase name="token_type is Bearer (line 15)" classname="policy/jwt.feature">
//!             <failure message="token_type is Bearer" type="must">FAIL ...</failure>
//! ```

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::model::Outcome;
use crate::report::terminal::details_text;
use crate::verdict::{Graded, GradedScenario, Verdict};

/// Renders a graded run as JUnit XML.
pub fn render(graded: &Graded<'_>) -> String {
    let mut report = Report::new("tokenspec");
    report.set_time(graded.report.duration);
    let mut suites: Vec<TestSuite> = Vec::new();
    for g in &graded.scenarios {
        let path = g.result.feature_path.as_str();
        if suites.last().map(|s| s.name.as_str()) != Some(path) {
            let mut suite = TestSuite::new(path);
            suite.add_property(Property::new("target", graded.report.target.as_str()));
            suite.add_property(Property::new("profile", graded.report.profile.as_str()));
            suites.push(suite);
        }
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(test_case(g));
        }
    }
    for suite in &mut suites {
        let time = suite.test_cases.iter().filter_map(|c| c.time).sum();
        suite.set_time(time);
    }
    report.add_test_suites(suites);
    // Serialising owned, filtered strings into a String cannot fail; keep a valid document anyway.
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- tokenspec: cannot render JUnit: {e} -->\n"))
}

fn test_case(g: &GradedScenario<'_>) -> TestCase {
    let r = g.result;
    let status = match g.verdict {
        Verdict::Pass | Verdict::Warn | Verdict::Info => TestCaseStatus::success(),
        Verdict::Fail | Verdict::Stale => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(message(g))
                .set_type(level(g))
                .set_description(details_text(g));
            s
        }
        Verdict::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(message(g))
                .set_type("harness error")
                .set_description(details_text(g));
            s
        }
        Verdict::NotApplicable | Verdict::Baselined => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(message(g)).set_type(g.verdict.as_str());
            s
        }
    };
    let mut case = TestCase::new(format!("{} (line {})", r.name, r.line), status);
    case.set_classname(r.feature_path.as_str());
    case.set_time(r.duration);
    case.add_property(Property::new("verdict", g.verdict.as_str()));
    case.add_property(Property::new("level", level(g)));
    if let Some(fixture) = &r.fixture {
        case.add_property(Property::new("fixture", fixture.as_str()));
    }
    let trace: Vec<&str> = r.trace().collect();
    if !trace.is_empty() {
        case.add_property(Property::new("trace", trace.join(" ")));
    }
    if !r.tags.is_empty() {
        // The effective tags (written and derived), as `--tags` and `tokenspec list` see them.
        let tags: Vec<String> = r.tags.iter().map(|t| format!("@{t}")).collect();
        case.add_property(Property::new("tags", tags.join(" ")));
    }
    let mut out = String::new();
    if matches!(g.verdict, Verdict::Warn | Verdict::Info) {
        out.push_str(&details_text(g));
    }
    for note in &r.notes {
        out.push_str("note: ");
        out.push_str(note);
        out.push('\n');
    }
    if !out.is_empty() {
        case.set_system_out(out);
    }
    case
}

fn level(g: &GradedScenario<'_>) -> &'static str {
    match g.result.level {
        crate::report::model::Level::Must => "must",
        crate::report::model::Level::Should => "should",
        crate::report::model::Level::Info => "info",
    }
}

/// The one-line message: the rule, the reason or the harness error.
fn message(g: &GradedScenario<'_>) -> String {
    let base = match &g.result.outcome {
        Outcome::Violated(f) => f.rule.clone(),
        Outcome::NotApplicable { needs } => format!("not applicable: needs {needs}"),
        Outcome::HarnessError { message } => message.clone(),
        Outcome::Passed => String::new(),
    };
    match (&g.note, base.is_empty()) {
        (Some(note), true) => note.clone(),
        (Some(note), false) => format!("{base} ({note})"),
        (None, _) => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;
    use crate::verdict::{Baseline, BaselineEntry, GradeOptions, grade};

    #[test]
    fn golden() {
        let report = sample_report();
        let baseline = Baseline {
            entries: vec![BaselineEntry {
                scenario: "policy/jwt.feature:8 client_credentials token".into(),
                reason: Some("GW-1".into()),
            }],
        };
        let graded = grade(&report, GradeOptions::default(), &baseline);
        insta::assert_snapshot!("junit", render(&graded));
    }

    #[test]
    fn require_all_turns_skips_into_failures() {
        let report = sample_report();
        let options = GradeOptions {
            strict: false,
            require_all: true,
        };
        let xml = render(&grade(&report, options, &Baseline::default()));
        assert!(!xml.contains("<skipped"), "{xml}");
        assert!(xml.contains("not applicable: needs"), "{xml}");
        assert!(xml.contains("failures=\"2\""), "{xml}");
    }
}
