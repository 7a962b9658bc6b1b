//! Runs the features against a target and collects a [`RunReport`].
//!
//! cucumber-rs is driven programmatically: no cucumber CLI parsing (the `tokenspec` CLI owns the
//! command line), tag and name filters applied through `filter_run` (on the effective tags of
//! [`crate::catalog::effective_tags`], so capability tags implied by a scenario's `Given` count
//! as if written), scenarios run concurrently
//! with one shared HTTP client. The writer is our own [`Collector`]: it turns cucumber's events
//! into [`ScenarioResult`]s, classifying a failed step by its typed panic payload
//! ([`StepFailure`]) into `Violated`, `NotApplicable` or `HarnessError`; grading is left to
//! `crate::verdict`. Before anything runs, [`crate::catalog::preflight`] rejects unknown or
//! ambiguous steps, so a typo is an error and never a silent skip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use cucumber::{World as _, event, gherkin, parser};
use futures::FutureExt as _;
use tokenspec_profile::Profile;

use crate::catalog::{self, PreflightError};
use crate::client::TransportError;
use crate::report::model::{
    Failure, Level, Outcome, RunReport, ScenarioResult, StepResult, StepStatus,
};
use crate::world::{ObservedShape, RunContext, StepFailure, TokenWorld};

/// What to run, against what.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub features_dir: PathBuf,
    /// Where the snapshot files (`<name>.snap`) are read from; never written.
    pub snapshots_dir: PathBuf,
    pub profile: Profile,
    pub base_url: String,
    /// A cucumber tag expression, e.g. `@must and not @slow`.
    pub tags: Option<String>,
    /// Scenarios at once (at least 1).
    pub concurrency: usize,
    /// Only scenarios whose name contains this text.
    pub name_filter: Option<String>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Missing or unreadable features directory, a feature that does not parse, or unknown,
    /// ambiguous or ungraded steps (with suggestions).
    #[error(transparent)]
    Features(#[from] PreflightError),
    #[error("invalid tag expression `{expr}`: {reason}")]
    Tags { expr: String, reason: String },
    #[error(transparent)]
    Client(#[from] TransportError),
}

/// Whether a scenario can run on a profile, for `tokenspec list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applicability {
    /// The fixture the harness would pick.
    Applicable { fixture: String },
    /// No fixture fits; the one that would.
    NotApplicable { needs: String },
    /// The scenario states no fixture requirement.
    NoFixture,
}

/// One scenario as `tokenspec list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioInfo {
    pub feature_path: String,
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
    pub level: Level,
    pub applicability: Applicability,
}

/// Every scenario of the features (outline rows expanded) and whether it applies to `profile`.
pub fn list(features_dir: &Path, profile: &Profile) -> Result<Vec<ScenarioInfo>, RunError> {
    let features = catalog::preflight(features_dir)?;
    let mut out = Vec::new();
    for pf in &features {
        for (scenario, steps, tags) in catalog::scenarios(&pf.feature) {
            let mut applicability = Applicability::NoFixture;
            for req in steps
                .iter()
                .filter_map(|s| catalog::requirement_of(s))
                .flatten()
            {
                applicability = match crate::fixture::select(profile, &req) {
                    Ok(f) => Applicability::Applicable {
                        fixture: f.id.clone(),
                    },
                    Err(na) => Applicability::NotApplicable { needs: na.needs },
                };
            }
            out.push(ScenarioInfo {
                feature_path: pf.rel_path.clone(),
                name: scenario.name.clone(),
                line: scenario.position.line,
                level: level_of(&tags),
                tags,
                applicability,
            });
        }
    }
    Ok(out)
}

/// The level a scenario's tags give it (the preflight guarantees one is present; `@must` wins
/// over `@should` over `@info` if several are).
pub fn level_of(tags: &[String]) -> Level {
    if tags.iter().any(|t| t == "must") {
        Level::Must
    } else if tags.iter().any(|t| t == "should") {
        Level::Should
    } else {
        Level::Info
    }
}

/// Runs the features and reports every scenario.
pub async fn run(opts: RunOptions) -> Result<RunReport, RunError> {
    run_observed(opts).await.map(|(report, _)| report)
}

/// [`run`], also returning the response shapes the snapshot steps saw (the conformance test
/// hands them to insta so `cargo insta review` can re-record them).
pub async fn run_observed(opts: RunOptions) -> Result<(RunReport, Vec<ObservedShape>), RunError> {
    run_inner(opts, false).await
}

/// [`run`] with nothing redacted: secrets, passwords and tokens appear in the report. Only for
/// `tokenspec run --show-secrets`, an explicit opt-in for debugging a test gateway.
pub async fn run_revealing_secrets(opts: RunOptions) -> Result<RunReport, RunError> {
    run_inner(opts, true).await.map(|(report, _)| report)
}

async fn run_inner(
    opts: RunOptions,
    reveal: bool,
) -> Result<(RunReport, Vec<ObservedShape>), RunError> {
    let started = Instant::now();
    let features_dir =
        std::fs::canonicalize(&opts.features_dir).map_err(|e| PreflightError::FeaturesDir {
            path: opts.features_dir.clone(),
            reason: e.to_string(),
        })?;
    catalog::preflight(&features_dir)?;
    let tag_filter = match &opts.tags {
        Some(expr) => Some(TagOperation::from_str(expr).map_err(|e| RunError::Tags {
            expr: expr.clone(),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let name_filter = opts.name_filter.clone();
    let profile_origin = opts.profile.origin.clone();
    let mut ctx = RunContext::new(opts.profile, &opts.base_url, opts.snapshots_dir)?;
    if reveal {
        ctx.redactor = crate::redact::Redactor::revealing();
    }
    let ctx = Arc::new(ctx);
    install_quiet_panic_hook();

    let before_ctx = Arc::clone(&ctx);
    let before_dir = features_dir.clone();
    let after_ctx = Arc::clone(&ctx);
    let after_dir = features_dir.clone();
    let collector = Collector::new(Arc::clone(&ctx), features_dir.clone());
    let collector = TokenWorld::cucumber()
        .with_writer(collector)
        .with_default_cli()
        .max_concurrent_scenarios(opts.concurrency.max(1))
        .before(move |feature, _rule, scenario, world| {
            let path = feature_rel_path(&before_dir, feature);
            world.attach(Arc::clone(&before_ctx), path, scenario.position.line);
            async {}.boxed_local()
        })
        .after(move |feature, _rule, scenario, _finished, world| {
            if let Some(id) = world.and_then(|w| w.fixture_id().map(str::to_owned)) {
                let key = (
                    feature_rel_path(&after_dir, feature),
                    scenario.position.line,
                );
                if let Ok(mut m) = after_ctx.fixtures_used.lock() {
                    m.insert(key, id);
                }
            }
            async {}.boxed_local()
        })
        .filter_run(features_dir.clone(), move |feature, rule, scenario| {
            let tags_ok = tag_filter
                .as_ref()
                .is_none_or(|t| t.eval(catalog::effective_tags(feature, rule, scenario).iter()));
            let name_ok = name_filter
                .as_ref()
                .is_none_or(|n| scenario.name.contains(n.as_str()));
            tags_ok && name_ok
        })
        .await;

    let mut scenarios = collector.finish();
    scenarios.sort_by(|a, b| (&a.feature_path, a.line).cmp(&(&b.feature_path, b.line)));
    let observed = ctx.observed.lock().map(|o| o.clone()).unwrap_or_default();
    Ok((
        RunReport {
            target: ctx.base_url.clone(),
            profile: profile_origin,
            duration: started.elapsed(),
            scenarios,
        },
        observed,
    ))
}

fn feature_rel_path(dir: &Path, feature: &gherkin::Feature) -> String {
    match &feature.path {
        Some(p) => catalog::rel_path(dir, p),
        None => feature.name.clone(),
    }
}

/// Our typed step-failure panics are expected; they must not print a backtrace banner. Any
/// other panic still goes to the previous hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().is::<StepFailure>() {
                return;
            }
            previous(info);
        }));
    });
}

/// A scenario being collected.
#[derive(Debug)]
struct Pending {
    result: ScenarioResult,
    started: Instant,
    /// Every step text that should run (background first), to mark the rest skipped.
    planned: Vec<(String, String)>,
}

/// The cucumber writer that builds [`ScenarioResult`]s from events.
pub struct Collector {
    ctx: Arc<RunContext>,
    features_dir: PathBuf,
    pending: HashMap<(String, usize), Pending>,
    done: Vec<ScenarioResult>,
    /// Errors cucumber's parser reported (the preflight makes these rare).
    parse_errors: Vec<String>,
}

impl Collector {
    fn new(ctx: Arc<RunContext>, features_dir: PathBuf) -> Self {
        Collector {
            ctx,
            features_dir,
            pending: HashMap::new(),
            done: Vec::new(),
            parse_errors: Vec::new(),
        }
    }

    fn finish(mut self) -> Vec<ScenarioResult> {
        // Anything still pending never finished: report it rather than drop it.
        let pending: Vec<Pending> = self.pending.drain().map(|(_, p)| p).collect();
        for mut p in pending {
            if matches!(p.result.outcome, Outcome::Passed) {
                p.result.outcome = Outcome::HarnessError {
                    message: "the scenario did not finish".into(),
                };
            }
            self.done.push(p.result);
        }
        for e in &self.parse_errors {
            tracing::error!("feature parse error: {e}");
        }
        self.done
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: event::Scenario<TokenWorld>,
    ) {
        let path = feature_rel_path(&self.features_dir, feature);
        let key = (path.clone(), scenario.position.line);
        match ev {
            event::Scenario::Started => {
                let tags = catalog::effective_tags(feature, rule, scenario);
                let planned = catalog::run_steps(feature, rule, scenario)
                    .map(|s| (s.keyword.trim().to_owned(), s.value.clone()))
                    .collect();
                let result = ScenarioResult {
                    feature: feature.name.clone(),
                    feature_path: path,
                    name: scenario.name.clone(),
                    line: scenario.position.line,
                    level: level_of(&tags),
                    tags,
                    fixture: None,
                    outcome: Outcome::Passed,
                    duration: Duration::ZERO,
                    steps: Vec::new(),
                    notes: Vec::new(),
                };
                self.pending.insert(
                    key,
                    Pending {
                        result,
                        started: Instant::now(),
                        planned,
                    },
                );
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                let Some(p) = self.pending.get_mut(&key) else {
                    return;
                };
                on_step(&self.ctx, p, &step, ev);
            }
            event::Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                let Some(p) = self.pending.get_mut(&key) else {
                    return;
                };
                if matches!(p.result.outcome, Outcome::Passed) {
                    p.result.outcome = Outcome::HarnessError {
                        message: format!("hook failed: {}", panic_text(&info)),
                    };
                }
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
            event::Scenario::Finished => {
                let Some(mut p) = self.pending.remove(&key) else {
                    return;
                };
                p.result.duration = p.started.elapsed();
                for (keyword, text) in p.planned.iter().skip(p.result.steps.len()) {
                    p.result.steps.push(StepResult {
                        keyword: keyword.clone(),
                        text: text.clone(),
                        status: StepStatus::Skipped,
                    });
                }
                if p.result.fixture.is_none() {
                    p.result.fixture = self
                        .ctx
                        .fixtures_used
                        .lock()
                        .ok()
                        .and_then(|m| m.get(&key).cloned());
                }
                if let Ok(notes) = self.ctx.notes.lock() {
                    for n in notes.get(&key).into_iter().flatten() {
                        tracing::debug!(scenario = %p.result.key(), "{n}");
                        p.result.notes.push(n.clone());
                    }
                }
                self.done.push(p.result);
            }
        }
    }
}

fn on_step(ctx: &RunContext, p: &mut Pending, step: &gherkin::Step, ev: event::Step<TokenWorld>) {
    let keyword = step.keyword.trim().to_owned();
    let text = step.value.clone();
    let status = match ev {
        event::Step::Started => return,
        event::Step::Passed(..) => StepStatus::Passed,
        event::Step::Skipped => {
            if matches!(p.result.outcome, Outcome::Passed) {
                p.result.outcome = Outcome::HarnessError {
                    message: format!("step matched no definition: {keyword} {text}"),
                };
            }
            StepStatus::Skipped
        }
        event::Step::Failed(_, _, world, err) => {
            if p.result.fixture.is_none() {
                p.result.fixture = world
                    .as_ref()
                    .and_then(|w| w.fixture_id().map(str::to_owned));
            }
            let shown = format!("{keyword} {text}");
            let outcome = match err {
                event::StepError::Panic(info) => classify(ctx, &info, &shown),
                event::StepError::NotFound => Outcome::HarnessError {
                    message: format!("step matched no definition: {shown}"),
                },
                event::StepError::AmbiguousMatch(e) => Outcome::HarnessError {
                    message: format!("ambiguous step {shown}: {e}"),
                },
            };
            if matches!(p.result.outcome, Outcome::Passed) {
                p.result.outcome = outcome;
            }
            // Not applicable is a skip, not a failure of this step.
            if matches!(p.result.outcome, Outcome::NotApplicable { .. }) {
                StepStatus::Skipped
            } else {
                StepStatus::Failed
            }
        }
    };
    p.result.steps.push(StepResult {
        keyword,
        text,
        status,
    });
}

/// Turns a step's panic payload into an outcome.
fn classify(ctx: &RunContext, info: &event::Info, step: &str) -> Outcome {
    match info.downcast_ref::<StepFailure>() {
        Some(StepFailure::Violation(f)) => Outcome::Violated(Failure {
            step: step.to_owned(),
            ..f.clone()
        }),
        Some(StepFailure::NotApplicable { needs }) => Outcome::NotApplicable {
            needs: needs.clone(),
        },
        Some(StepFailure::Harness { message }) => Outcome::HarnessError {
            message: message.clone(),
        },
        None => Outcome::HarnessError {
            message: ctx.redactor.redact(&format!(
                "harness bug: step `{step}` panicked: {}",
                panic_text(info)
            )),
        },
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "(non-text panic payload)".to_owned()
    }
}

impl cucumber::Writer<TokenWorld> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<event::Event<event::Cucumber<TokenWorld>>>,
        _cli: &Self::Cli,
    ) {
        let ev = match event {
            Ok(ev) => ev.value,
            Err(e) => {
                self.parse_errors.push(e.to_string());
                return;
            }
        };
        match ev {
            event::Cucumber::Feature(feature, event::Feature::Scenario(scenario, retryable)) => {
                self.on_scenario(&feature, None, &scenario, retryable.event);
            }
            event::Cucumber::Feature(
                feature,
                event::Feature::Rule(rule, event::Rule::Scenario(scenario, retryable)),
            ) => {
                self.on_scenario(&feature, Some(&rule), &scenario, retryable.event);
            }
            _ => {}
        }
    }
}

/// Events are keyed per scenario, so interleaving from concurrent scenarios is fine.
impl cucumber::writer::Normalized for Collector {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RunContext {
        let r = RunContext::new(
            Profile::reference(),
            "http://127.0.0.1:1",
            PathBuf::from("snapshots"),
        )
        .expect("context");
        r.redactor.add("secret-token-value");
        r
    }

    fn payload<T: std::any::Any + Send>(v: T) -> event::Info {
        Arc::new(v)
    }

    #[test]
    fn typed_payloads_become_their_outcomes() {
        let c = ctx();
        let failure = Failure {
            rule: "r".into(),
            expected: "e".into(),
            actual: "a".into(),
            request: None,
            response: None,
            step: String::new(),
        };
        match classify(&c, &payload(StepFailure::Violation(failure)), "Then x") {
            Outcome::Violated(f) => assert_eq!(f.step, "Then x", "the writer names the step"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(&c, &payload(StepFailure::NotApplicable { needs: "n".into() }), "Given x"),
            Outcome::NotApplicable { needs } if needs == "n"
        ));
        assert!(matches!(
            classify(&c, &payload(StepFailure::Harness { message: "m".into() }), "When x"),
            Outcome::HarnessError { message } if message == "m"
        ));
    }

    #[test]
    fn a_foreign_panic_is_a_redacted_harness_bug() {
        let c = ctx();
        let out = classify(
            &c,
            &payload(String::from("boom secret-token-value")),
            "When x",
        );
        let Outcome::HarnessError { message } = out else {
            panic!("{out:?}")
        };
        assert!(
            message.starts_with("harness bug: step `When x` panicked: boom"),
            "{message}"
        );
        assert!(!message.contains("secret-token-value"), "{message}");
    }

    #[test]
    fn the_strongest_level_tag_wins() {
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(level_of(&tags(&["jwt", "should", "must"])), Level::Must);
        assert_eq!(level_of(&tags(&["should", "info"])), Level::Should);
        assert_eq!(level_of(&tags(&["info"])), Level::Info);
    }

    #[test]
    fn list_says_which_fixture_or_what_is_needed() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features");
        let all = list(&dir, &Profile::reference()).expect("features list");
        assert!(
            all.iter()
                .all(|s| matches!(s.applicability, Applicability::Applicable { .. }))
        );
        let mut one = Profile::reference();
        one.fixtures.retain(|f| f.id == "jwt-policy-proxy-cc");
        let some = list(&dir, &one).expect("features list");
        assert!(some.iter().any(|s| matches!(&s.applicability, Applicability::NotApplicable { needs } if needs.contains("managed_from = \"acl\""))));
        assert!(some.iter().any(|s| matches!(&s.applicability, Applicability::Applicable { fixture } if fixture == "jwt-policy-proxy-cc")));
    }
}
