//! `otelcheck test`: test files (spec `## test`) say what a config must do to given spans or
//! captures. Each test replays its input through the config with the same engine as
//! `dry-run`, with a [`observe::Journey`] observer beside the counts, then checks its
//! expectations ([`check`]) and reports expected vs actual for each one that does not hold.

pub mod build;
pub mod check;
pub mod model;
pub mod observe;
pub mod render;
pub mod run;

pub use run::{run_file, Failure, FileOutcome, RunOptions, TestOutcome};
