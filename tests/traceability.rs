//! Every documented case is traced by at least one scenario (issue 3, item 8).
//!
//! The ids come from the tables of `features/seed-inventory.md` (the project's copy of the seed
//! inventory: one row per seed table row and "If grant_type is ..." paragraph, plus the implied
//! rules). A scenario traces an id by carrying it as a tag (`@seed-1.1-password`). Parsing the
//! features goes through the same code the runner uses, so an outline's example-level tags count.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The ids in the first column of the inventory's tables (`| seed-... | ... |`).
fn inventory_ids() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("features/seed-inventory.md"))
        .expect("features/seed-inventory.md is readable");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|l| l.split('|').next())
        .map(str::trim)
        .filter(|id| id.starts_with("seed-"))
        .map(str::to_owned)
        .collect()
}

fn traced_ids() -> BTreeSet<String> {
    let features =
        tokenspec::catalog::parse_features(&root().join("features")).expect("features parse");
    features
        .iter()
        .flat_map(|pf| {
            tokenspec::catalog::scenarios(&pf.feature)
                .into_iter()
                .flat_map(|(_, _, tags)| tags)
        })
        .filter(|t| t.starts_with("seed-"))
        .collect()
}

#[test]
fn the_inventory_has_the_seed_rows() {
    let ids = inventory_ids();
    // Sections 1 and 2 of the seed and the implied rules: a truncated copy must fail here.
    for id in [
        "seed-1.1-password",
        "seed-1.3-role",
        "seed-2.2-token-settings",
        "seed-x-scope-not-held",
    ] {
        assert!(
            ids.contains(id),
            "{id} missing from features/seed-inventory.md"
        );
    }
    assert!(ids.len() >= 45, "only {} ids in the inventory", ids.len());
}

#[test]
fn every_inventory_id_has_a_scenario() {
    let traced = traced_ids();
    let missing: Vec<String> = inventory_ids().difference(&traced).cloned().collect();
    assert!(
        missing.is_empty(),
        "seed inventory ids without a scenario tagged with them:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_seed_tag_is_an_inventory_id() {
    let ids = inventory_ids();
    let unknown: Vec<String> = traced_ids().difference(&ids).cloned().collect();
    assert!(
        unknown.is_empty(),
        "scenarios tagged with ids the inventory does not have (typo?):\n  {}",
        unknown.join("\n  ")
    );
}
