//! The dry-run's replay: build the engine, attach the observers (counts, `--write-output`),
//! stream the captures through it with a progress bar over bytes read, and turn what the
//! observers kept into report rows and findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::args::CaptureFormatArg;
use crate::analyze::Analysis;
use crate::capture::CaptureError;
use crate::diag::{codes, Diagnostic, Location};
use crate::engine::counts::Counts;
use crate::engine::output::OutputWriter;
use crate::engine::replay::{replay_files, CaptureOutcome};
use crate::engine::Engine;
use crate::processors::api::{Observer, Observers};
use crate::report::diff_view::EditSamples;
use crate::report::{CaptureInfo, PipelineReport};

/// What the replay contributes to the dry-run report.
pub struct DryRunOutcome {
    pub captures: Vec<CaptureInfo>,
    pub pipelines: Vec<PipelineReport>,
    pub diagnostics: Vec<Diagnostic>,
    /// `--show-diff` output, per rewriting processor.
    pub diffs: Vec<crate::report::diff_view::ProcessorDiff>,
}

/// How to replay one config (the command line, resolved for it).
pub struct ReplayOpts<'a> {
    pub max_match_ratio: f64,
    /// `--write-output` for this config (a subdirectory when several configs run).
    pub write_output: Option<&'a Path>,
    pub no_progress: bool,
    pub capture_format: Option<CaptureFormatArg>,
    /// `--show-diff`: keep a few changed spans per rewriting processor.
    pub show_diff: bool,
    /// `--reveal`: record protected values unmasked.
    pub reveal: bool,
}

/// Why a replay could not complete (exit 2).
pub enum ReplayError {
    /// A capture could not be read or decoded: a finding about that file, so every report
    /// format can carry it.
    Capture(Box<Diagnostic>),
    /// `--write-output` could not be written: a one-paragraph message.
    Output(String),
}

/// Replay `paths` through the analysed config.
pub fn replay_captures(
    analysis: &Analysis,
    paths: &[PathBuf],
    a: &ReplayOpts<'_>,
) -> Result<DryRunOutcome, ReplayError> {
    replay_captures_observed(analysis, paths, a, &mut Observers(Vec::new()))
}

/// [`replay_captures`] with one more observer beside the counts (`diff` keeps each span's
/// fate through it): one engine, one replay, whatever the command.
pub fn replay_captures_observed(
    analysis: &Analysis,
    paths: &[PathBuf],
    a: &ReplayOpts<'_>,
    extra: &mut dyn Observer,
) -> Result<DryRunOutcome, ReplayError> {
    let mut engine = Engine::new(analysis);
    engine.set_reveal(a.reveal);
    let mut counts = Counts::for_engine(&engine);
    let mut exposures = crate::findings::sensitive::Exposures::default();
    let mut samples = EditSamples::default();
    let mut drops = crate::report::dropped::DropTally::default();
    let mut writer = match a.write_output {
        Some(dir) => match OutputWriter::create(dir, &engine) {
            Ok(w) => Some(w),
            Err(e) => {
                return Err(ReplayError::Output(format!(
                    "cannot write --write-output files: {e}"
                )))
            }
        },
        None => None,
    };
    let progress = progress_bar(paths, a.no_progress);
    let on_read = progress
        .clone()
        .map(|pb| Box::new(move |n: u64| pb.inc(n)) as Box<dyn Fn(u64) + Send + Sync>);
    let forced = a.capture_format.map(super::commands::to_format);
    let result = {
        let mut list: Vec<&mut dyn Observer> = vec![&mut counts, &mut exposures, &mut drops, extra];
        if a.show_diff {
            list.push(&mut samples);
        }
        if let Some(w) = writer.as_mut() {
            list.push(w);
        }
        let mut observers = Observers(list);
        replay_files(&mut engine, paths, forced, &mut observers, on_read)
    };
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        // The temporary output files are dropped (deleted): nothing partial is published.
        Err(e) => return Err(ReplayError::Capture(Box::new(capture_finding(&e)))),
    };
    if let Some(w) = writer {
        if let Err(e) = w.commit() {
            return Err(ReplayError::Output(format!(
                "cannot write --write-output files: {e}"
            )));
        }
    }
    let mut diagnostics =
        crate::findings::collect(&engine, &counts, &outcome.keys, a.max_match_ratio);
    diagnostics.extend(crate::findings::sensitive::findings(&engine, &exposures));
    diagnostics.extend(crate::findings::routing_findings(
        &engine,
        analysis.config.as_ref(),
        &outcome.captures,
    ));
    Ok(DryRunOutcome {
        captures: outcome.captures.iter().map(capture_info).collect(),
        pipelines: crate::report::rows::pipelines(&engine, &counts, &drops),
        diagnostics,
        diffs: samples
            .render(&engine)
            .into_iter()
            .map(|mut d| {
                d.diff =
                    crate::analyze::mask_expanded_text(&d.diff, &analysis.loaded.expanded_values);
                d
            })
            .collect(),
    })
}

/// A capture that cannot be read: a finding about the file (no made-up line), with the
/// format hint only when the file exists (a missing file is not a format problem).
pub fn capture_finding(e: &CaptureError) -> Diagnostic {
    let at = e
        .offset
        .map(|o| format!(" at byte offset {o}"))
        .unwrap_or_default();
    let d = Diagnostic::error(
        codes::INVALID_CAPTURE,
        format!("cannot read capture {}{at}: {}", e.path, e.message),
    )
    .at(Location::file(e.path.as_str()));
    if Path::new(&e.path).exists() {
        d.with_help(
            "captures are detected by content (DataDog v0.3/v0.4/v0.5 msgpack, OTLP protobuf or \
             length-prefixed protobuf stream, OTLP JSON); if the file is one of these but detection \
             picked the wrong one, pass --capture-format",
        )
    } else {
        d.with_help("check the path (it is relative to the current directory)")
    }
}

fn capture_info(c: &CaptureOutcome) -> CaptureInfo {
    CaptureInfo {
        path: c.path.clone(),
        format: if c.mixed {
            "recording".to_owned()
        } else {
            c.format.as_str().to_owned()
        },
        payloads: c.payloads,
        traces: c.traces,
        spans: c.spans,
        skipped_other_signals: c.skipped_other_signals,
    }
}

/// A bar over bytes read, on stderr, only on a terminal and only when there is enough to
/// watch (about a second of work or more).
fn progress_bar(paths: &[PathBuf], disabled: bool) -> Option<indicatif::ProgressBar> {
    let total: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    if disabled || !std::io::stderr().is_terminal() || total < 16 << 20 {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "replaying {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}
