//! Running one test file: read and parse it, load its config once, then replay each test's
//! input (inline spans and/or captures) through a fresh engine and check its expectations.
//! Anything that stops a test from running (an unreadable file, a config the loader rejects,
//! a missing capture) is a diagnostic for the file (exit 2), never a failed test.

use std::path::{Path, PathBuf};

use crate::analyze::{analyze, Analysis};
use crate::capture::{CaptureError, ReceiverKind};
use crate::config::LoadOptions;
use crate::diag::{codes, Diagnostic, Location, SourceMap};
use crate::engine::counts::Counts;
use crate::engine::keys::KeyCatalog;
use crate::engine::replay::replay_files;
use crate::engine::Engine;
use crate::processors::api::{Observer, Observers};

use super::check::{self, Ctx};
use super::model::{self, location, TestCase, TestFile};
use super::observe::Journey;

/// One expectation that did not hold.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    /// The expectation as written (YAML flow style).
    pub expectation: String,
    /// What happened instead, with the spans involved.
    pub message: String,
    /// Where the `expect:` entry is in the test file.
    pub location: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TestOutcome {
    pub name: String,
    pub location: String,
    pub passed: bool,
    pub failures: Vec<Failure>,
}

/// A file's tests, or why they could not run.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub path: String,
    pub tests: Vec<TestOutcome>,
    /// Non-empty: the file could not be run (exit 2).
    pub errors: Vec<Diagnostic>,
    /// The test file's text and the config files', for rendering diagnostics.
    pub sources: SourceMap,
}

pub struct RunOptions {
    pub sets: Vec<(String, String)>,
    pub reveal: bool,
}

pub fn run_file(path: &Path, opts: &RunOptions) -> FileOutcome {
    let name = path.display().to_string();
    let mut out = FileOutcome {
        path: name.clone(),
        ..FileOutcome::default()
    };
    let text = match crate::config::load::read_config_file(path) {
        Ok(t) => t,
        Err(e) => {
            out.errors.push(
                Diagnostic::error(
                    codes::INVALID_TEST_FILE,
                    format!("cannot read test file {name}: {e}"),
                )
                .at(Location::file(name.as_str()))
                .with_help("check the path (it is relative to the current directory)"),
            );
            return out;
        }
    };
    out.sources.insert(name.as_str(), text.as_str());
    let file = match model::parse(&name, &text) {
        Ok(f) => f,
        Err(d) => {
            out.errors.push(*d);
            return out;
        }
    };
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let analysis = match load_config(&file, &dir, &name, opts) {
        Ok(a) => a,
        Err(diags) => {
            out.errors.extend(diags);
            return out;
        }
    };
    out.sources.extend(&analysis.loaded.sources);
    for t in &file.tests {
        let at = location(&name, &t.referenced);
        match run_test(&t.value, &at, &analysis, &dir, &name, opts) {
            Ok(o) => out.tests.push(o),
            Err(d) => out.errors.push(*d),
        }
    }
    out
}

fn load_config(
    file: &TestFile,
    dir: &Path,
    name: &str,
    opts: &RunOptions,
) -> Result<Analysis, Vec<Diagnostic>> {
    let paths: Vec<PathBuf> = file
        .config
        .value
        .items()
        .iter()
        .map(|p| dir.join(p))
        .collect();
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        return Err(vec![Diagnostic::error(
            codes::INVALID_TEST_FILE,
            format!("the config {} does not exist", missing.display()),
        )
        .at(location(name, &file.config.referenced))
        .with_help(
            "`config:` paths are relative to the test file's directory",
        )]);
    }
    let load = LoadOptions {
        sets: opts.sets.clone(),
        env: std::env::vars().collect(),
    };
    analyze(&paths, &load)
}

fn capture_error(e: &CaptureError, at: &Location) -> Diagnostic {
    let offset = e
        .offset
        .map(|o| format!(" at byte offset {o}"))
        .unwrap_or_default();
    Diagnostic::error(
        codes::INVALID_CAPTURE,
        format!("cannot read capture {}{offset}: {}", e.path, e.message),
    )
    .at(at.clone())
    .with_help("`capture:` paths are relative to the test file's directory")
}

fn run_test(
    t: &TestCase,
    at: &Location,
    analysis: &Analysis,
    dir: &Path,
    file: &str,
    opts: &RunOptions,
) -> Result<TestOutcome, Box<Diagnostic>> {
    let captures: Vec<PathBuf> = t
        .capture
        .as_ref()
        .map(|c| c.value.items().iter().map(|p| dir.join(p)).collect())
        .unwrap_or_default();
    let capture_at = t
        .capture
        .as_ref()
        .map_or_else(|| at.clone(), |c| location(file, &c.referenced));
    if captures.is_empty() && t.spans.is_empty() {
        return Err(Box::new(
            Diagnostic::error(
                codes::INVALID_TEST_FILE,
                format!(
                    "test {:?} has no input: give it `capture:` and/or `spans:`",
                    t.name
                ),
            )
            .at(at.clone()),
        ));
    }
    if t.expect.is_empty() {
        // A test without expectations passes whatever the config does: say so instead.
        return Err(Box::new(
            Diagnostic::error(
                codes::INVALID_TEST_FILE,
                format!("test {:?} has no expectations: give it `expect:`", t.name),
            )
            .at(at.clone()),
        ));
    }
    let inline = super::build::batch(&t.spans).map_err(|m| {
        Box::new(
            Diagnostic::error(codes::INVALID_TEST_FILE, format!("test {:?}: {m}", t.name))
                .at(at.clone()),
        )
    })?;
    let mut engine = Engine::new(analysis);
    engine.set_reveal(opts.reveal);
    let mut counts = Counts::for_engine(&engine);
    let mut journey = Journey::default();
    let mut keys = KeyCatalog::default();
    let mut capture_outcomes = Vec::new();
    {
        let list: Vec<&mut dyn Observer> = vec![&mut counts, &mut journey];
        let mut obs = Observers(list);
        if !t.spans.is_empty() {
            keys.scan(&inline);
            // Inline spans are OTLP-shaped: they arrive at the config's otlp receivers.
            engine.push(ReceiverKind::Otlp, inline.clone(), &mut obs);
        }
        if captures.is_empty() {
            engine.finish(&mut obs);
        } else {
            let outcome = replay_files(&mut engine, &captures, None, &mut obs, None)
                .map_err(|e| Box::new(capture_error(&e, &capture_at)))?;
            keys = outcome.keys;
            if !t.spans.is_empty() {
                keys.scan(&inline);
            }
            capture_outcomes = outcome.captures;
        }
    }
    let mut findings = analysis.diagnostics.clone();
    findings.extend(crate::findings::collect(&engine, &counts, &keys, 1.0));
    findings.extend(crate::findings::routing_findings(
        &engine,
        analysis.config.as_ref(),
        &capture_outcomes,
    ));
    let findings = crate::lint::reconcile::merge_static_and_data(findings);
    let ctx = Ctx {
        engine: &engine,
        journey: &journey,
        findings: &findings,
        reveal: opts.reveal,
    };
    let mut failures = Vec::new();
    for e in &t.expect {
        let loc = location(file, &e.referenced).to_string();
        for (expectation, message) in check::check(&e.value, &ctx) {
            failures.push(Failure {
                expectation,
                message,
                location: loc.clone(),
            });
        }
    }
    Ok(TestOutcome {
        name: t.name.clone(),
        location: at.to_string(),
        passed: failures.is_empty(),
        failures,
    })
}
