//! The exit codes of `tokenspec`, as documented constants.
//!
//! A CI job gates a release on these numbers, so each one means exactly one kind of outcome and a
//! conformance failure never shares a code with "the harness could not do its job". Codes 0–3 are
//! fixed by the suite's issue; 4 ("nothing ran") follows cargo-nextest, so an empty selection can
//! never read as green.
//!
//! | code | constant | meaning |
//! |---|---|---|
//! | 0 | [`PASS`] | every scenario that ran met its rules (warnings allowed) |
//! | 1 | [`FAILURES`] | a `@must` failed, a `@should` failed under `--strict`, a scenario was not applicable under `--require-all`, or a baseline entry is stale |
//! | 2 | [`USAGE`] | bad command line, profile, feature file or step definition |
//! | 3 | [`HARNESS`] | the target is unreachable or too slow, or the harness itself broke |
//! | 4 | [`NOTHING_RAN`] | every scenario was filtered out or not applicable |

use std::process::ExitCode;

/// Every scenario that ran met its rules; warnings and `@info` observations are allowed.
pub const PASS: u8 = 0;
/// Conformance failures: a `@must` failed, a `@should` failed under `--strict`, a scenario was
/// not applicable under `--require-all`, or a baselined scenario passed (stale baseline).
pub const FAILURES: u8 = 1;
/// Bad usage: command line, profile (including an undefined `${VAR}`), feature file, unknown or
/// ambiguous step, unreadable baseline.
pub const USAGE: u8 = 2;
/// The target is unreachable (or answers slower than the profile's `request_timeout`), or the
/// harness itself broke: a scenario ended in a harness error.
pub const HARNESS: u8 = 3;
/// Nothing ran: the selection was empty or every scenario was not applicable.
pub const NOTHING_RAN: u8 = 4;

/// The process exit code for one of the constants above.
pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
