//! The command-line front: arguments → plan → command → output → exit status.

pub mod args;
mod commands;
mod diff;
mod docs;
mod explain_cmd;
mod fix;
mod inputs;
mod output;
mod project;
mod replay_run;
mod settings;
mod suppress;
mod test_cmd;

use args::{Cli, Command};
use clap::Parser;
use std::ffi::OsString;

/// The exit-code contract of `shared/spec/cli.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Ran; nothing at or above the failure threshold.
    Clean = 0,
    /// Ran; found something at or above the threshold.
    Findings = 1,
    /// Could not run: usage error, unreadable or malformed input.
    Error = 2,
}

/// Parse `args` and run; returns the process exit code.
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    output::check_stdout();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; clap decides where they go.
            let code = if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Clean
            };
            let _ = e.print();
            return code as u8;
        }
    };
    run(cli) as u8
}

pub fn run(cli: Cli) -> ExitStatus {
    match cli.command {
        Command::Validate(a) => commands::validate(&a),
        Command::DryRun(a) => commands::dry_run(&a),
        Command::Explain(a) => explain_cmd::explain(&a),
        Command::Diff(a) => diff::run(&a),
        Command::Test(a) => test_cmd::run(&a),
        Command::Inspect(a) => commands::inspect(&a),
        Command::Rule(a) => docs::rule(&a),
        Command::Rules(a) => docs::rules(&a),
        Command::Completions(a) => docs::completions(a.shell),
        Command::Man => docs::man(),
        Command::Record(a) => crate::record::run(&a),
    }
}
