//! The baseline: known failures a CI job accepts, so a documented gap does not block a release.
//!
//! A baseline is a small TOML file of scenario keys ([`ScenarioResult::key`], `path:line name`)
//! with an optional reason:
//!
//! ```toml
//! # tokenspec baseline: known failures accepted by `tokenspec run --baseline FILE`.
//! [[known_failure]]
//! scenario = "policy/jwt.feature:12 client_credentials token (jwt, api-proxy)"
//! reason = "gateway emits expires_in in seconds (ticket GW-123)"
//! ```
//!
//! TOML rather than one key per line because scenario names are free text: quoting is then
//! somebody else's well-tested problem. An entry matches a scenario by its exact key; when the
//! line moved (someone added a scenario above it) it still matches by file and name, as long as
//! that pair is unique, so a baseline does not break on unrelated edits. An entry whose scenario
//! passes is *stale* and fails the run: baselines cannot rot silently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::model::ScenarioResult;

/// A parsed baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default, rename = "known_failure")]
    pub entries: Vec<BaselineEntry>,
}

/// One accepted failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The scenario key, `path:line name`, as printed in every report.
    pub scenario: String,
    /// Why the failure is accepted (a ticket, a documented gap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A baseline file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("baseline {path}: cannot read the file: {source} (check the --baseline path)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "baseline {path}: not a valid baseline: {message} \
         (expected [[known_failure]] tables with `scenario` and optional `reason`)"
    )]
    Parse { path: PathBuf, message: String },
    #[error("baseline {path}: cannot write the file: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

const HEADER: &str = "\
# tokenspec baseline: known failures accepted by `tokenspec run --baseline FILE`.
# Each entry names a scenario by its key (`path:line name`, as printed in reports).
# A baselined scenario that passes is stale and fails the run: delete its entry then.
# Regenerate with `tokenspec run --write-baseline FILE`.
";

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|message| BaselineError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses baseline text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        toml::from_str(text).map_err(|e: toml::de::Error| e.to_string().trim_end().to_owned())
    }

    /// The baseline as TOML text, with an explanatory header.
    pub fn render(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}\n{body}")
    }

    /// Writes the baseline to `path`.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.render()).map_err(|source| BaselineError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Matches the entries against the scenarios of a run: for each scenario index, the entry
    /// that covers it. Exact keys win; otherwise a unique (file, name) pair matches.
    pub fn matcher<'b>(&'b self, scenarios: &[ScenarioResult]) -> BaselineMatch<'b> {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut by_file_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, s) in scenarios.iter().enumerate() {
            by_key.insert(s.key(), i);
            by_file_name
                .entry((s.feature_path.as_str(), s.name.as_str()))
                .or_default()
                .push(i);
        }
        let mut matched: HashMap<usize, &'b BaselineEntry> = HashMap::new();
        let mut unmatched = Vec::new();
        for entry in &self.entries {
            let index = by_key.get(entry.scenario.as_str()).copied().or_else(|| {
                let (path, name) = split_key(&entry.scenario)?;
                match by_file_name.get(&(path, name)).map(Vec::as_slice) {
                    Some([only]) => Some(*only),
                    _ => None,
                }
            });
            match index {
                Some(i) => {
                    matched.entry(i).or_insert(entry);
                }
                None => unmatched.push(entry),
            }
        }
        BaselineMatch { matched, unmatched }
    }
}

/// Which scenario each baseline entry covers.
#[derive(Debug, Default)]
pub struct BaselineMatch<'b> {
    matched: HashMap<usize, &'b BaselineEntry>,
    /// Entries that match no scenario of this run (filtered out, renamed or deleted).
    pub unmatched: Vec<&'b BaselineEntry>,
}

impl<'b> BaselineMatch<'b> {
    /// The entry covering the scenario at `index`, if any.
    pub fn get(&self, index: usize) -> Option<&'b BaselineEntry> {
        self.matched.get(&index).copied()
    }
}

/// `path:line name` → (`path`, `name`).
fn split_key(key: &str) -> Option<(&str, &str)> {
    let (location, name) = key.split_once(' ')?;
    let (path, line) = location.rsplit_once(':')?;
    line.parse::<usize>().ok()?;
    Some((path, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::tests::scenario;

    #[test]
    fn parses_and_renders_round_trip() {
        let baseline = Baseline {
            entries: vec![
                BaselineEntry {
                    scenario: "policy/jwt.feature:12 token \"quoted\" # not a comment".into(),
                    reason: Some("GW-123".into()),
                },
                BaselineEntry {
                    scenario: "acl/oauth2.feature:7 refresh".into(),
                    reason: None,
                },
            ],
        };
        let text = baseline.render();
        assert!(text.starts_with("# tokenspec baseline"));
        assert_eq!(Baseline::parse(&text).unwrap(), baseline);
    }

    #[test]
    fn empty_file_is_an_empty_baseline() {
        assert_eq!(
            Baseline::parse("# nothing yet\n").unwrap(),
            Baseline::default()
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_key_named() {
        let err = Baseline::parse("[[known_failure]]\nscenraio = \"x\"\n").unwrap_err();
        assert!(err.contains("scenraio"), "{err}");
    }

    #[test]
    fn matches_exact_key_then_unique_file_and_name() {
        let scenarios = vec![
            scenario("a.feature", 3, "one"),
            scenario("a.feature", 9, "two"),
            scenario("b.feature", 4, "dup"),
            scenario("b.feature", 8, "dup"),
        ];
        let baseline = Baseline {
            entries: vec![
                entry("a.feature:3 one"),
                entry("a.feature:5 two"),  // moved: matched by file and name
                entry("b.feature:99 dup"), // moved but ambiguous: unmatched
                entry("c.feature:1 gone"),
            ],
        };
        let m = baseline.matcher(&scenarios);
        assert_eq!(m.get(0).unwrap().scenario, "a.feature:3 one");
        assert_eq!(m.get(1).unwrap().scenario, "a.feature:5 two");
        assert!(m.get(2).is_none() && m.get(3).is_none());
        let unmatched: Vec<_> = m.unmatched.iter().map(|e| e.scenario.as_str()).collect();
        assert_eq!(unmatched, ["b.feature:99 dup", "c.feature:1 gone"]);
    }

    fn entry(key: &str) -> BaselineEntry {
        BaselineEntry {
            scenario: key.into(),
            reason: None,
        }
    }
}
