//! The step catalogue and the preflight that checks every feature against it before a run.
//!
//! cucumber-rs skips a step that matches nothing, and a skip must never read as green
//! (DESIGN.md). So before anything is sent, [`preflight`] parses every `.feature` file under the
//! features directory (the gherkin crate, outlines expanded the way cucumber expands them) and
//! matches each step against the registered step collection: a step that matches nothing, or
//! more than one step, or a fixture requirement with an unknown clause, is a [`StepProblem`]
//! naming the file, line and the closest known steps. A scenario without a level tag is a
//! problem too, because it could not be graded.
//!
//! It also computes a scenario's effective tags ([`effective_tags`]): the written ones plus the
//! capability tags its steps imply, so `--tags @jwt` cannot lose a scenario someone forgot to
//! tag (features/DECISIONS.md, "Capability tags are derived").

use std::path::{Path, PathBuf};

use cucumber::World as _;
use cucumber::codegen::WorldInventory;
use cucumber::feature::Ext as _;
use cucumber::gherkin;

use crate::fixture::{self, Requirement};
use crate::steps::{CATALOG, StepDoc};
use crate::world::TokenWorld;

/// One step of the catalogue, for `tokenspec steps`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepInfo {
    /// `Given`, `When` or `Then`.
    pub keyword: String,
    /// The regular expression the step text must match.
    pub pattern: String,
    /// A step text that matches it.
    pub example: String,
    pub doc: String,
}

/// Every registered step, documented, in catalogue order.
pub fn steps() -> Vec<StepInfo> {
    let patterns = registered();
    CATALOG
        .iter()
        .map(|d| StepInfo {
            keyword: d.keyword.to_owned(),
            pattern: patterns
                .iter()
                .filter(|(k, re)| *k == d.keyword && re.is_match(d.example))
                .map(|(_, re)| re.as_str().to_owned())
                .next()
                .unwrap_or_default(),
            example: d.example.to_owned(),
            doc: d.doc.to_owned(),
        })
        .collect()
}

/// The clauses a fixture requirement may carry (`with grant type password`, ...).
pub fn requirement_clauses() -> &'static [&'static str] {
    fixture::CLAUSES
}

/// `(keyword, regex)` of every step registered through `#[given]`/`#[when]`/`#[then]`.
fn registered() -> Vec<(&'static str, cucumber::codegen::Regex)> {
    use cucumber::codegen::StepConstructor as _;
    let mut out = Vec::new();
    for s in cucumber::codegen::inventory::iter::<<TokenWorld as WorldInventory>::Given> {
        out.push(("Given", (s.inner().1)()));
    }
    for s in cucumber::codegen::inventory::iter::<<TokenWorld as WorldInventory>::When> {
        out.push(("When", (s.inner().1)()));
    }
    for s in cucumber::codegen::inventory::iter::<<TokenWorld as WorldInventory>::Then> {
        out.push(("Then", (s.inner().1)()));
    }
    out
}

/// A step or scenario the preflight rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProblem {
    /// Feature file, relative to the features directory.
    pub file: String,
    pub line: usize,
    /// `Given ...` as written (outline placeholders filled in).
    pub step: String,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// Matches no step; the closest catalogue examples.
    Unknown { suggestions: Vec<String> },
    /// Matches several steps; their patterns.
    Ambiguous { patterns: Vec<String> },
    /// A fixture requirement that does not parse.
    Requirement { message: String },
    /// A scenario with no `@must`, `@should` or `@info` tag.
    NoLevel,
}

impl std::fmt::Display for StepProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        match &self.kind {
            ProblemKind::Unknown { suggestions } => {
                write!(f, "unknown step `{}`", self.step)?;
                if !suggestions.is_empty() {
                    write!(f, "; closest known steps:")?;
                    for s in suggestions {
                        write!(f, "\n    {s}")?;
                    }
                }
                Ok(())
            }
            ProblemKind::Ambiguous { patterns } => {
                write!(
                    f,
                    "ambiguous step `{}` matches {} steps:",
                    self.step,
                    patterns.len()
                )?;
                for p in patterns {
                    write!(f, "\n    {p}")?;
                }
                Ok(())
            }
            ProblemKind::Requirement { message } => write!(f, "in step `{}`: {message}", self.step),
            ProblemKind::NoLevel => write!(
                f,
                "scenario `{}` has no level tag (@must, @should or @info)",
                self.step
            ),
        }
    }
}

/// Why the features cannot be run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreflightError {
    #[error("features directory {}: {reason}", path.display())]
    FeaturesDir { path: PathBuf, reason: String },
    #[error("cannot parse feature file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{} problem(s) in the feature files:\n{}", problems.len(), render(problems))]
    Steps { problems: Vec<StepProblem> },
}

fn render(problems: &[StepProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A parsed feature file, outlines expanded.
#[derive(Debug, Clone)]
pub struct ParsedFeature {
    /// Relative to the features directory, with `/` separators.
    pub rel_path: String,
    pub feature: gherkin::Feature,
}

/// Every `.feature` file under `dir`, sorted.
pub fn feature_files(dir: &Path) -> Result<Vec<PathBuf>, PreflightError> {
    let meta = std::fs::metadata(dir).map_err(|e| PreflightError::FeaturesDir {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    if !meta.is_dir() {
        return Err(PreflightError::FeaturesDir {
            path: dir.to_owned(),
            reason: "not a directory".into(),
        });
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| PreflightError::FeaturesDir {
            path: d.clone(),
            reason: e.to_string(),
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| PreflightError::FeaturesDir {
                path: d.clone(),
                reason: e.to_string(),
            })?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "feature") {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(PreflightError::FeaturesDir {
            path: dir.to_owned(),
            reason: "contains no .feature files".into(),
        });
    }
    Ok(out)
}

/// Relative path of `file` under `dir`, `/`-separated.
pub fn rel_path(dir: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(dir).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses every feature under `dir` and expands outlines.
pub fn parse_features(dir: &Path) -> Result<Vec<ParsedFeature>, PreflightError> {
    let mut out = Vec::new();
    for path in feature_files(dir)? {
        let feature = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
            .map_err(|e| PreflightError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?
            .expand_examples()
            .map_err(|e| PreflightError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?;
        out.push(ParsedFeature {
            rel_path: rel_path(dir, &path),
            feature,
        });
    }
    Ok(out)
}

/// Every scenario of a feature with the steps that run for it (background first) and its
/// effective tags ([`effective_tags`]).
pub fn scenarios(
    f: &gherkin::Feature,
) -> Vec<(&gherkin::Scenario, Vec<&gherkin::Step>, Vec<String>)> {
    let top = f.scenarios.iter().map(|s| (None, s));
    let ruled = f
        .rules
        .iter()
        .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
    top.chain(ruled)
        .map(|(r, s)| (s, run_steps(f, r, s).collect(), effective_tags(f, r, s)))
        .collect()
}

/// The capability tags (without `@`) the steps of a scenario imply: those of its fixture
/// requirement ([`Requirement::capability_tags`]) and those of its actions (a `When` that
/// refreshes → `refresh`, a GET with URL parameters → `url_params`, a step about scope →
/// `scope`). Outline values are already substituted in expanded scenarios.
pub fn implied_tags<'s>(steps: impl IntoIterator<Item = &'s gherkin::Step>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |t: &'static str| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for step in steps {
        if let Some(Ok(req)) = requirement_of(step) {
            req.capability_tags().into_iter().for_each(&mut add);
        }
        if step.ty == gherkin::StepType::When && step.value.contains("refresh") {
            add("refresh");
        }
        if step.value.contains("by GET with URL parameters") {
            add("url_params");
        }
        if step.value.contains("scope") {
            add("scope");
        }
    }
    out
}

/// The steps that run for a scenario, in order: the feature's background, the rule's
/// background, then the scenario's own steps.
pub fn run_steps<'a>(
    feature: &'a gherkin::Feature,
    rule: Option<&'a gherkin::Rule>,
    scenario: &'a gherkin::Scenario,
) -> impl Iterator<Item = &'a gherkin::Step> {
    feature
        .background
        .iter()
        .flat_map(|b| &b.steps)
        .chain(
            rule.into_iter()
                .flat_map(|r| r.background.iter().flat_map(|b| &b.steps)),
        )
        .chain(&scenario.steps)
}

/// A scenario's effective tags (without `@`): those written on the feature, rule, scenario and
/// its Examples, then the capability tags its steps imply ([`implied_tags`]) that are not
/// written. This is what `--tags` filters on, what `tokenspec list` shows and what reports carry.
pub fn effective_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags: Vec<String> = feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario.tags)
        .map(|t| t.trim_start_matches('@').to_owned())
        .collect();
    for t in implied_tags(run_steps(feature, rule, scenario)) {
        if !tags.iter().any(|e| e == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

/// The requirement a `Given a ... policy managed from ...` step states, if `step` is one.
pub fn requirement_of(
    step: &gherkin::Step,
) -> Option<Result<Requirement, fixture::RequirementError>> {
    static RE: std::sync::LazyLock<cucumber::codegen::Regex> = std::sync::LazyLock::new(|| {
        cucumber::codegen::Regex::new(
            r"^an? (JWT|OAuth2) policy managed from (this policy|ACL)(.*)$",
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    if step.ty != gherkin::StepType::Given {
        return None;
    }
    let c = RE.captures(&step.value)?;
    Some(Requirement::parse(&c[1], &c[2], &c[3]))
}

/// Parses the features and checks every step; the features when all is well.
pub fn preflight(dir: &Path) -> Result<Vec<ParsedFeature>, PreflightError> {
    let features = parse_features(dir)?;
    let collection = TokenWorld::collection();
    let examples: Vec<&StepDoc> = CATALOG.iter().collect();
    let mut problems = Vec::new();
    for pf in &features {
        for (scenario, steps, tags) in scenarios(&pf.feature) {
            if !tags
                .iter()
                .any(|t| t == "must" || t == "should" || t == "info")
            {
                problems.push(StepProblem {
                    file: pf.rel_path.clone(),
                    line: scenario.position.line,
                    step: scenario.name.clone(),
                    kind: ProblemKind::NoLevel,
                });
            }
            for step in steps {
                let shown = format!("{} {}", step.keyword.trim(), step.value);
                let problem = |kind| StepProblem {
                    file: pf.rel_path.clone(),
                    line: step.position.line,
                    step: shown.clone(),
                    kind,
                };
                match collection.find(step) {
                    Ok(Some(_)) => {
                        if let Some(Err(e)) = requirement_of(step) {
                            problems.push(problem(ProblemKind::Requirement {
                                message: e.to_string(),
                            }));
                        }
                    }
                    Ok(None) => {
                        let keyword = keyword_of(step.ty);
                        let known: Vec<String> = examples
                            .iter()
                            .filter(|d| d.keyword == keyword)
                            .map(|d| format!("{} {}", d.keyword, d.example))
                            .collect();
                        let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
                        let text = format!("{keyword} {}", step.value);
                        problems.push(problem(ProblemKind::Unknown {
                            suggestions: fixture::closest(&text, &known_refs, 3),
                        }));
                    }
                    Err(amb) => problems.push(problem(ProblemKind::Ambiguous {
                        patterns: amb
                            .possible_matches
                            .iter()
                            .map(|(re, _)| re.to_string())
                            .collect(),
                    })),
                }
            }
        }
    }
    // An outline's step is checked once per Examples row; report each distinct problem once.
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.to_string()));
    if problems.is_empty() {
        Ok(features)
    } else {
        Err(PreflightError::Steps { problems })
    }
}

fn keyword_of(ty: gherkin::StepType) -> &'static str {
    match ty {
        gherkin::StepType::Given => "Given",
        gherkin::StepType::When => "When",
        gherkin::StepType::Then => "Then",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_example_matches_exactly_one_registered_step_of_its_keyword() {
        let reg = registered();
        for d in CATALOG {
            let n = reg
                .iter()
                .filter(|(k, re)| *k == d.keyword && re.is_match(d.example))
                .count();
            assert_eq!(n, 1, "{} {} matches {n} steps", d.keyword, d.example);
        }
    }

    #[test]
    fn every_registered_step_is_in_the_catalogue() {
        for (k, re) in registered() {
            assert!(
                CATALOG
                    .iter()
                    .any(|d| d.keyword == k && re.is_match(d.example)),
                "step {k} {} has no catalogue entry",
                re.as_str()
            );
        }
        assert!(steps().iter().all(|s| !s.pattern.is_empty()));
    }

    fn write_feature(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write feature");
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("tokenspec-catalog-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn an_unknown_step_is_named_with_the_closest_known_ones() {
        let d = temp_dir("unknown");
        write_feature(
            &d,
            "x.feature",
            "Feature: x\n  @must\n  Scenario: s\n    Given a JWT policy managed from ACL\n    When the client request a token as documented\n    Then a token is issued\n",
        );
        let err = preflight(&d).expect_err("unknown step");
        let text = err.to_string();
        assert!(
            text.contains(
                "x.feature:5: unknown step `When the client request a token as documented`"
            ),
            "{text}"
        );
        assert!(
            text.contains("When the client requests a token as documented"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_requirement_clause_and_a_missing_level_are_problems() {
        let d = temp_dir("clause");
        write_feature(
            &d,
            "y.feature",
            "Feature: y\n  Scenario Outline: s\n    Given a <token> policy managed from ACL with grant type pasword\n    Then a token is issued\n    Examples:\n      | token |\n      | JWT   |\n",
        );
        let PreflightError::Steps { problems } = preflight(&d).expect_err("problems") else {
            panic!("expected step problems")
        };
        assert!(problems.iter().any(|p| p.kind == ProblemKind::NoLevel));
        assert!(problems.iter().any(|p| matches!(&p.kind, ProblemKind::Requirement { message } if message.contains("with grant type password"))));
    }

    #[test]
    fn a_missing_directory_is_reported() {
        let err = preflight(Path::new("/nonexistent/tokenspec/features")).expect_err("missing");
        assert!(matches!(err, PreflightError::FeaturesDir { .. }));
    }
}
