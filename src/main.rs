//! Thin entry point: parse arguments, run, map the outcome to the exit-code contract.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(otelcheck::cli::main_with_args(std::env::args_os()))
}
