//! The Cucumber JSON report (`--json FILE`): the de-facto standard array of features with
//! elements and steps, so existing Cucumber dashboards read tokenspec runs.
//!
//! Step statuses carry the *verdict*, so a dashboard fails exactly the scenarios that fail the
//! run:
//! - a violated step is `failed` when the verdict fails the run; for a warning, an `@info`
//!   observation or a baselined failure it is `skipped` with the finding as `error_message`;
//! - a not-applicable scenario has every step `skipped`;
//! - a verdict that fails without a failing step (a stale baseline entry, not applicable under
//!   `--require-all`, a harness error before any step) gets a failed `after` hook carrying the
//!   reason, which is how Cucumber JSON records a failure outside the steps.
//!
//! Each element also has a `tokenspec` object with the verdict and the details:
//!
//! ```json
//! [{"uri": "policy/jwt.feature", "keyword": "Feature", "name": "JWT tokens", "elements": [
//!   {"keyword": "Scenario", "type": "scenario", "name": "...", "line": 15,
//!    "tags": [{"name": "@must"}],
//!    "steps": [{"keyword": "Then ", "name": "...", "result": {"status": "failed", "error_message": "..."}}],
//!    "tokenspec": {"key": "policy/jwt.feature:15 ...", "verdict": "fail", "level": "must",
//!                  "rule": "...", "expected": "...", "actual": "..."}}]}]
//! ```

use serde_json::{Map, Value, json};

use crate::report::model::{Outcome, StepStatus};
use crate::verdict::{Graded, GradedScenario};

/// Renders a graded run as Cucumber JSON (pretty-printed).
pub fn render(graded: &Graded<'_>) -> String {
    let mut features: Vec<Value> = Vec::new();
    let mut current: Option<&str> = None;
    for g in &graded.scenarios {
        let r = g.result;
        if current != Some(r.feature_path.as_str()) {
            features.push(json!({
                "uri": r.feature_path,
                "id": slug(&r.feature),
                "keyword": "Feature",
                "name": r.feature,
                "description": "",
                "tags": [],
                "elements": [],
            }));
            current = Some(r.feature_path.as_str());
        }
        if let Some(Value::Array(elements)) =
            features.last_mut().and_then(|f| f.get_mut("elements"))
        {
            elements.push(element(g));
        }
    }
    serde_json::to_string_pretty(&Value::Array(features)).unwrap_or_else(|_| "[]".to_owned())
}

fn element(g: &GradedScenario<'_>) -> Value {
    let r = g.result;
    let fails = g.verdict.fails_run();
    let finding = finding(g);
    let mut failed_step_seen = false;
    let steps: Vec<Value> = r
        .steps
        .iter()
        .map(|s| {
            let mut result = Map::new();
            let status = match (s.status, &r.outcome) {
                (_, Outcome::NotApplicable { .. }) => "skipped",
                (StepStatus::Passed, _) => "passed",
                (StepStatus::Skipped, _) => "skipped",
                (StepStatus::Failed, _) => {
                    failed_step_seen = true;
                    result.insert("error_message".into(), Value::String(finding.clone()));
                    if fails { "failed" } else { "skipped" }
                }
            };
            result.insert("status".into(), Value::String(status.into()));
            json!({
                "keyword": format!("{} ", s.keyword.trim_end()),
                "name": s.text,
                "result": result,
            })
        })
        .collect();

    let mut value = json!({
        "id": format!("{};{}", slug(&r.feature), slug(&r.name)),
        "keyword": "Scenario",
        "type": "scenario",
        "name": r.name,
        "description": "",
        "line": r.line,
        "tags": r.tags.iter().map(|t| json!({"name": format!("@{t}")})).collect::<Vec<_>>(),
        "steps": steps,
        "tokenspec": extension(g),
    });
    if fails && !failed_step_seen {
        value["after"] = json!([{
            "match": {"location": "tokenspec verdict"},
            "result": {"status": "failed", "error_message": finding},
        }]);
    }
    value
}

/// The text a dashboard shows for a non-passing scenario.
fn finding(g: &GradedScenario<'_>) -> String {
    let base = match &g.result.outcome {
        Outcome::Violated(f) => format!("{}: expected {}, got {}", f.rule, f.expected, f.actual),
        Outcome::NotApplicable { needs } => format!("not applicable: needs {needs}"),
        Outcome::HarnessError { message } => format!("harness error: {message}"),
        Outcome::Passed => String::new(),
    };
    let verdict = g.verdict.as_str();
    match (&g.note, base.is_empty()) {
        (Some(note), true) => format!("[{verdict}] {note}"),
        (Some(note), false) => format!("[{verdict}] {base} ({note})"),
        (None, _) => format!("[{verdict}] {base}"),
    }
}

fn extension(g: &GradedScenario<'_>) -> Value {
    let r = g.result;
    let mut ext = Map::new();
    ext.insert("key".into(), json!(r.key()));
    ext.insert("verdict".into(), json!(g.verdict.as_str()));
    ext.insert("level".into(), json!(r.level));
    ext.insert("fixture".into(), json!(r.fixture));
    ext.insert("trace".into(), json!(r.trace().collect::<Vec<_>>()));
    ext.insert("duration_ms".into(), json!(r.duration.as_millis() as u64));
    if let Some(note) = &g.note {
        ext.insert("note".into(), json!(note));
    }
    if !r.notes.is_empty() {
        ext.insert("notes".into(), json!(r.notes));
    }
    match &r.outcome {
        Outcome::Violated(f) => {
            ext.insert("rule".into(), json!(f.rule));
            ext.insert("expected".into(), json!(f.expected));
            ext.insert("actual".into(), json!(f.actual));
            ext.insert("step".into(), json!(f.step));
            ext.insert("request".into(), json!(f.request));
            ext.insert("response".into(), json!(f.response));
        }
        Outcome::NotApplicable { needs } => {
            ext.insert("needs".into(), json!(needs));
        }
        Outcome::HarnessError { message } => {
            ext.insert("error".into(), json!(message));
        }
        Outcome::Passed => {}
    }
    Value::Object(ext)
}

/// Cucumber's element ids: lower case, runs of other characters as one `-`.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;
    use crate::verdict::{Baseline, BaselineEntry, GradeOptions, grade};

    #[test]
    fn golden() {
        let report = sample_report();
        let graded = grade(&report, GradeOptions::default(), &Baseline::default());
        insta::assert_snapshot!("cucumber_json", render(&graded));
    }

    #[test]
    fn stale_baseline_gets_a_failed_after_hook() {
        let report = sample_report();
        let baseline = Baseline {
            entries: vec![BaselineEntry {
                scenario: "policy/jwt.feature:8 client_credentials token".into(),
                reason: None,
            }],
        };
        let graded = grade(&report, GradeOptions::default(), &baseline);
        let v: Value = serde_json::from_str(&render(&graded)).unwrap();
        let first = &v[0]["elements"][0];
        assert_eq!(first["tokenspec"]["verdict"], "stale");
        assert_eq!(first["after"][0]["result"]["status"], "failed");
        assert!(
            first["after"][0]["result"]["error_message"]
                .as_str()
                .unwrap()
                .contains("remove the entry")
        );
    }

    #[test]
    fn warnings_do_not_fail_steps() {
        let report = sample_report();
        let graded = grade(&report, GradeOptions::default(), &Baseline::default());
        let text = render(&graded);
        let v: Value = serde_json::from_str(&text).unwrap();
        let statuses: Vec<(String, String)> = v
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["elements"].as_array().unwrap().iter())
            .flat_map(|e| {
                let verdict = e["tokenspec"]["verdict"].as_str().unwrap().to_owned();
                e["steps"].as_array().unwrap().iter().map(move |s| {
                    (
                        verdict.clone(),
                        s["result"]["status"].as_str().unwrap().into(),
                    )
                })
            })
            .collect();
        assert!(statuses.contains(&("fail".into(), "failed".into())));
        assert!(statuses.contains(&("warn".into(), "skipped".into())));
        assert!(!statuses.contains(&("warn".into(), "failed".into())));
    }

    #[test]
    fn slugs_like_cucumber() {
        assert_eq!(slug("JWT tokens: /auth (policy)"), "jwt-tokens-auth-policy");
    }
}
