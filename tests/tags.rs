//! Capability tags cannot drift from what a scenario exercises (issue 3 follow-up).
//!
//! A user who runs `--tags @jwt` must get every scenario that exercises JWT, not only those
//! someone remembered to tag. The harness derives capability tags from each scenario's `Given`
//! requirement (outline values substituted) and adds them to the written ones. These tests
//! judge that against the requirement itself, through the same paths a user takes: `tokenspec
//! list` (`runner::list`) and a real run against the embedded reference issuer (the runner's tag
//! filter and the report's tags).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr as _;

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use tokenspec::catalog;
use tokenspec::fixture::Requirement;
use tokenspec::profile::{GrantType, ManagedFrom, Profile, TokenKind};
use tokenspec::runner::{self, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One expanded scenario: where it is, its written tags, its requirement and effective tags.
struct Expanded {
    key: (String, usize),
    written: BTreeSet<String>,
    req: Option<Requirement>,
    effective: Vec<String>,
}

fn expanded() -> Vec<Expanded> {
    let features = catalog::parse_features(&root().join("features")).expect("features parse");
    let mut out = Vec::new();
    for pf in &features {
        for (scenario, steps, effective) in catalog::scenarios(&pf.feature) {
            let written = pf
                .feature
                .tags
                .iter()
                .chain(&scenario.tags)
                .map(|t| t.trim_start_matches('@').to_owned())
                .collect();
            let req = steps
                .iter()
                .find_map(|s| catalog::requirement_of(s))
                .map(|r| r.expect("every requirement parses"));
            out.push(Expanded {
                key: (pf.rel_path.clone(), scenario.position.line),
                written,
                req,
                effective,
            });
        }
    }
    out
}

/// The capabilities a requirement implies, written out independently of the harness's mapping.
fn implied(req: &Requirement) -> Vec<&'static str> {
    let mut t = vec![
        match req.token {
            Some(TokenKind::Jwt) => "jwt",
            Some(TokenKind::Oauth2) => "oauth2",
            None => panic!("a requirement always names the token kind"),
        },
        match req.managed_from {
            Some(ManagedFrom::Policy) => "policy",
            Some(ManagedFrom::Acl) => "acl",
            None => panic!("a requirement always names the mode"),
        },
    ];
    match req.grant {
        Some(GrantType::Password) => t.push("password"),
        Some(GrantType::ClientCredentials) => t.push("client_credentials"),
        None => {}
    }
    if req.refresh == Some(true) {
        t.push("refresh");
    }
    if req.url_parameters == Some(true) {
        t.push("url_params");
    }
    if req.immortal == Some(true) {
        t.push("immortal");
    }
    t
}

#[test]
fn every_scenario_carries_the_capabilities_its_requirement_implies() {
    let all = expanded();
    assert!(all.len() > 150, "only {} scenarios", all.len());
    for s in &all {
        let req = s
            .req
            .as_ref()
            .unwrap_or_else(|| panic!("{:?} states no fixture requirement", s.key));
        for tag in implied(req) {
            assert!(
                s.effective.iter().any(|e| e == tag),
                "{:?} implies @{tag} but its tags are {:?}",
                s.key,
                s.effective
            );
        }
    }
}

#[test]
fn written_tags_stay_and_none_contradicts_the_requirement() {
    for s in expanded() {
        for w in &s.written {
            assert!(
                s.effective.contains(w),
                "{:?}: written tag @{w} lost",
                s.key
            );
        }
        let Some(req) = &s.req else { continue };
        let mine = implied(req);
        for (a, b) in [
            ("jwt", "oauth2"),
            ("policy", "acl"),
            ("password", "client_credentials"),
        ] {
            for (have, other) in [(a, b), (b, a)] {
                assert!(
                    !(mine.contains(&have) && s.written.contains(other)),
                    "{:?} requires @{have} but is tagged @{other}",
                    s.key
                );
            }
        }
    }
}

fn select(infos: &[runner::ScenarioInfo], expr: &str) -> BTreeSet<(String, usize)> {
    let op = TagOperation::from_str(expr).expect("tag expression");
    infos
        .iter()
        .filter(|s| op.eval(s.tags.iter()))
        .map(|s| (s.feature_path.clone(), s.line))
        .collect()
}

#[test]
fn list_tags_select_every_scenario_whose_requirement_implies_them() {
    let infos = runner::list(&root().join("features"), &Profile::reference()).expect("list");
    let all: BTreeSet<(String, usize)> = infos
        .iter()
        .map(|s| (s.feature_path.clone(), s.line))
        .collect();
    let by_key: std::collections::HashMap<(String, usize), Expanded> =
        expanded().into_iter().map(|e| (e.key.clone(), e)).collect();
    // Every scenario is about a JWT or an OAuth2 token, in one mode or the other.
    let jwt = select(&infos, "@jwt");
    let oauth2 = select(&infos, "@oauth2");
    assert_eq!(
        &jwt | &oauth2,
        all,
        "@jwt ∪ @oauth2 must be the whole suite"
    );
    assert!(jwt.is_disjoint(&oauth2), "no scenario is both");
    let policy = select(&infos, "@policy");
    let acl = select(&infos, "@acl");
    assert_eq!(
        &policy | &acl,
        all,
        "@policy ∪ @acl must be the whole suite"
    );
    for (tag, wants) in [
        (
            "jwt",
            (|r: &Requirement| r.token == Some(TokenKind::Jwt)) as fn(&Requirement) -> bool,
        ),
        ("oauth2", |r| r.token == Some(TokenKind::Oauth2)),
        ("acl", |r| r.managed_from == Some(ManagedFrom::Acl)),
        ("password", |r| r.grant == Some(GrantType::Password)),
        ("refresh", |r| r.refresh == Some(true)),
    ] {
        let selected = select(&infos, &format!("@{tag}"));
        let implied: BTreeSet<(String, usize)> = by_key
            .values()
            .filter(|e| e.req.as_ref().is_some_and(wants))
            .map(|e| e.key.clone())
            .collect();
        let missing: Vec<_> = implied.difference(&selected).collect();
        assert!(missing.is_empty(), "--tags @{tag} misses {missing:?}");
        // Written tags alone used to select a fraction: the derivation must add scenarios.
        let written_only = by_key.values().filter(|e| e.written.contains(tag)).count();
        assert!(
            selected.len() > written_only,
            "@{tag}: {} selected, {written_only} written",
            selected.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_filters_on_and_reports_the_effective_tags() {
    let profile = Profile::reference();
    let infos = runner::list(&root().join("features"), &profile).expect("list");
    let expr = "@acl and @password and not @slow";
    let want = select(&infos, expr);
    assert!(want.len() >= 5, "{want:?}");
    let server = reference_server::start(profile.clone(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("reference issuer");
    let report = runner::run(RunOptions {
        features_dir: root().join("features"),
        snapshots_dir: root().join("snapshots"),
        profile,
        base_url: server.base_url(),
        tags: Some(expr.to_owned()),
        concurrency: 32,
        name_filter: None,
    })
    .await
    .expect("run");
    server.shutdown().await;
    let ran: BTreeSet<(String, usize)> = report
        .scenarios
        .iter()
        .map(|s| (s.feature_path.clone(), s.line))
        .collect();
    assert_eq!(ran, want, "the run selects what `list` selects");
    for s in &report.scenarios {
        for t in ["acl", "password"] {
            assert!(
                s.tags.iter().any(|x| x == t),
                "{}: report tags {:?} lack @{t}",
                s.key(),
                s.tags
            );
        }
    }
}
