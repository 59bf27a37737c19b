//! `otelcheck test TESTFILE...`: run every test file, print the results in the chosen format
//! (and any `--report`), exit 0 when every test passed, 1 when one failed, 2 when a file
//! could not run.

use super::args::{ColorChoice, TestArgs, TestFormat};
use super::output::{fatal, use_color, write_file, write_stdout, Stream};
use super::ExitStatus;
use crate::testfile::{render, run_file, FileOutcome, RunOptions};

pub fn run(a: &TestArgs) -> ExitStatus {
    let opts = RunOptions {
        sets: a.sets.clone(),
        reveal: a.reveal,
    };
    let files: Vec<FileOutcome> = a.files.iter().map(|p| run_file(p, &opts)).collect();
    let color = a.color.unwrap_or(ColorChoice::Auto);
    let render = |f: TestFormat, color: bool| match f {
        TestFormat::Text => render::text(&files, color),
        TestFormat::Json => render::json(&files),
        TestFormat::Junit => render::junit(&files),
    };
    let t = render::totals(&files);
    let mut status = match render::verdict(t) {
        "error" => ExitStatus::Error,
        "fail" => ExitStatus::Findings,
        _ => ExitStatus::Clean,
    };
    let format = a.format.unwrap_or(TestFormat::Text);
    if format != TestFormat::Text {
        // The document carries the errors too; a human at a terminal sees them here.
        for f in &files {
            for d in &f.errors {
                eprint!(
                    "{}",
                    crate::diag::render_text(d, &f.sources, use_color(color, Stream::Stderr))
                );
            }
        }
    }
    if let Err(m) = write_stdout(&render(format, use_color(color, Stream::Stdout))) {
        fatal(&m);
        status = ExitStatus::Error;
    }
    for (f, path) in &a.reports {
        if let Err(m) = write_file(path, &render(*f, false)) {
            fatal(&m);
            status = ExitStatus::Error;
        }
    }
    status
}
