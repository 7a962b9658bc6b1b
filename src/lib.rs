//! tokenspec: a conformance suite and specification harness for Apinizer-style gateway token
//! services.
//!
//! The pipeline, each stage in its own module:
//! profile ([`tokenspec_profile`]) → fixture selection ([`fixture`]) → scenarios run by
//! cucumber-rs ([`runner`], [`world`], [`steps`], [`checks`]) → [`report::model::RunReport`] →
//! grading ([`verdict`]) → renderers ([`report`]) → exit code ([`exit`]).

#![forbid(unsafe_code)]

pub mod assets;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod client;
pub mod exit;
pub mod fixture;
pub mod load;
pub mod redact;
pub mod report;
pub mod runner;
pub mod steps;
pub mod verdict;
pub mod world;

pub use tokenspec_profile as profile;
