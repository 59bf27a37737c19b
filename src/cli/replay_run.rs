//! The dry-run's replay: build the engine, attach the observers (counts, `--write-output`),
//! stream the captures through it with a progress bar over bytes read, and turn what the
//! observers kept into report rows and findings.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::DryRunArgs;
use super::output::fatal;
use super::ExitStatus;
use crate::analyze::Analysis;
use crate::diag::Diagnostic;
use crate::engine::counts::Counts;
use crate::engine::output::OutputWriter;
use crate::engine::replay::{replay_files, CaptureOutcome};
use crate::engine::Engine;
use crate::processors::api::{Observer, Observers};
use crate::report::{CaptureInfo, PipelineReport};

/// What the replay contributes to the dry-run report.
pub struct DryRunOutcome {
    pub captures: Vec<CaptureInfo>,
    pub pipelines: Vec<PipelineReport>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Replay `paths` through the analysed config; `Err` is the exit status of a fatal error
/// (already printed).
pub fn replay_captures(
    analysis: &Analysis,
    paths: &[PathBuf],
    a: &DryRunArgs,
) -> Result<DryRunOutcome, ExitStatus> {
    let mut engine = Engine::new(analysis);
    let mut counts = Counts::for_engine(&engine);
    let mut writer = match &a.write_output {
        Some(dir) => match OutputWriter::create(dir, &engine) {
            Ok(w) => Some(w),
            Err(e) => {
                fatal(&format!("cannot write --write-output files: {e}"));
                return Err(ExitStatus::Error);
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
        let mut list: Vec<&mut dyn Observer> = vec![&mut counts];
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
        Err(e) => {
            // The temporary output files are dropped (deleted): nothing partial is published.
            fatal(&e.to_string());
            return Err(ExitStatus::Error);
        }
    };
    if let Some(w) = writer {
        if let Err(e) = w.commit() {
            fatal(&format!("cannot write --write-output files: {e}"));
            return Err(ExitStatus::Error);
        }
    }
    let mut diagnostics =
        crate::findings::collect(&engine, &counts, &outcome.keys, a.max_match_ratio);
    diagnostics.extend(crate::findings::routing_findings(
        &engine,
        analysis.config.as_ref(),
        &outcome.captures,
    ));
    Ok(DryRunOutcome {
        captures: outcome.captures.iter().map(capture_info).collect(),
        pipelines: crate::report::rows::pipelines(&engine, &counts),
        diagnostics,
    })
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
