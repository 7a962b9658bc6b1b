//! The `tokenspec` binary: everything lives in the library (`tokenspec::cli`), so the command
//! line is testable and this file stays a one-liner.

fn main() -> std::process::ExitCode {
    tokenspec::cli::main()
}
