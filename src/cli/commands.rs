//! One function per subcommand: resolve inputs, run the stages, render, pick the exit status.

use super::args::{
    CaptureFormatArg, ConfigArgs, DryRunArgs, FailOn, Format, InspectArgs, OutputArgs, ValidateArgs,
};
use super::output::{append_step_summary, emit, fatal, use_color, warn};
use super::ExitStatus;
use crate::analyze::{analyze, Analysis};
use crate::capture::{load_capture, Capture, CaptureFormat};
use crate::config::LoadOptions;
use crate::diag::{render_text, Diagnostic, Severity, SourceMap};
use crate::replay::{replay, ReplayOptions};
use crate::report::{self, CaptureInfo, Finding, Report};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub fn validate(a: &ValidateArgs) -> ExitStatus {
    let analysis = match run_analysis(&a.configs, &a.config, &a.output) {
        Ok(an) => an,
        Err(status) => return status,
    };
    let mut report = Report::new(config_names(&a.configs));
    finish(
        "validate",
        &mut report,
        &analysis.diagnostics,
        &analysis.loaded.sources,
        &a.output,
    )
}

pub fn dry_run(a: &DryRunArgs) -> ExitStatus {
    let (configs, capture_paths) = split_files(&a.files, &a.captures);
    if configs.is_empty() {
        fatal("dry-run needs at least one config file (*.yaml or *.yml) before the captures");
        return ExitStatus::Error;
    }
    if capture_paths.is_empty() {
        fatal(
            "dry-run needs at least one capture: pass it after the config, or with --capture FILE",
        );
        return ExitStatus::Error;
    }
    let analysis = match run_analysis(&configs, &a.config, &a.output) {
        Ok(an) => an,
        Err(status) => return status,
    };
    let captures = match load_captures(&capture_paths, a.capture_format) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let progress = progress_bar(&captures, a.no_progress);
    let opts = ReplayOptions {
        max_match_ratio: a.max_match_ratio,
        progress: progress
            .clone()
            .map(|pb| Box::new(move |done, _total| pb.set_position(done)) as Box<dyn Fn(u64, u64)>),
    };
    let capture_infos: Vec<CaptureInfo> = captures.iter().map(capture_info).collect();
    let mut result = replay(&analysis, captures, &opts);
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    if let Some(dir) = &a.write_output {
        if let Err(e) = write_outputs(dir, &result.pipelines) {
            fatal(&format!(
                "cannot write --write-output files to {}: {e}",
                dir.display()
            ));
            return ExitStatus::Error;
        }
    }
    // The exported spans are the bulk of the memory; the process ends right after the report,
    // so they are left to the OS instead of being freed span by span.
    for p in &mut result.pipelines {
        std::mem::forget(std::mem::take(&mut p.output));
    }
    let mut report = Report::new(config_names(&configs));
    report.captures = capture_infos;
    report.pipelines = result.pipelines.iter().map(|p| p.report()).collect();
    let mut diags = analysis.diagnostics.clone();
    diags.extend(result.diagnostics);
    crate::diag::sort(&mut diags);
    diags.dedup();
    finish(
        "dry-run",
        &mut report,
        &diags,
        &analysis.loaded.sources,
        &a.output,
    )
}

pub fn inspect(a: &InspectArgs) -> ExitStatus {
    // A capture summary has no findings or locations to annotate: only text and json fit.
    if !matches!(a.format, Format::Text | Format::Json) {
        fatal(&format!(
            "inspect supports --format text or json, not {}",
            format_name(a.format)
        ));
        return ExitStatus::Error;
    }
    let captures = match load_captures(&a.captures, a.capture_format) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let summary = crate::capture::summarize(&captures);
    match a.format {
        Format::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        )),
        Format::Text => emit(&report::inspect::render(&summary)),
        // Rejected before any capture was read (see above).
        Format::Sarif | Format::Junit | Format::Github | Format::Markdown => {}
    }
    ExitStatus::Clean
}

fn run_analysis(
    paths: &[PathBuf],
    c: &ConfigArgs,
    _o: &OutputArgs,
) -> Result<Analysis, ExitStatus> {
    let opts = LoadOptions {
        sets: c.sets.clone(),
        env: std::env::vars().collect(),
    };
    analyze(paths, &opts).map_err(|diags| {
        let sources = SourceMap::default();
        for d in &diags {
            fatal(render_text(d, &sources, false).trim_end());
        }
        ExitStatus::Error
    })
}

/// Render in the chosen format and pick the exit status; `command` names the JUnit suite.
fn finish(
    command: &str,
    report: &mut Report,
    diags: &[Diagnostic],
    sources: &SourceMap,
    o: &OutputArgs,
) -> ExitStatus {
    report.findings = diags.iter().map(Finding::from).collect();
    let threshold = match o.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let failed = report.decide(threshold);
    let text = match o.format {
        Format::Json => report::json::render(report),
        Format::Text => report::text::render(report, diags, sources, use_color(o.color)),
        Format::Sarif => report::sarif::render(report),
        Format::Junit => report::junit::render(report, command, threshold),
        Format::Github => {
            // The job summary is a side channel of the github format; failing to write it
            // is reported but does not change the exit code, which depends only on findings.
            if let Err(e) = append_step_summary(&report::markdown::render(report)) {
                warn(&format!("cannot append to $GITHUB_STEP_SUMMARY: {e}"));
            }
            report::github::render(report)
        }
        Format::Markdown => report::markdown::render(report),
    };
    emit(&text);
    if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// Positional files: configs are `*.yaml`/`*.yml`, the rest captures, unless --capture was
/// used, in which case every positional file is a config.
fn split_files(files: &[PathBuf], explicit: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    if !explicit.is_empty() {
        return (files.to_vec(), explicit.to_vec());
    }
    let is_yaml = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    };
    files.iter().cloned().partition(|p| is_yaml(p))
}

fn load_captures(
    paths: &[PathBuf],
    forced: Option<CaptureFormatArg>,
) -> Result<Vec<Capture>, ExitStatus> {
    let forced = forced.map(to_format);
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        match load_capture(p, forced) {
            Ok(c) => out.push(c),
            Err(e) => {
                fatal(&e.to_string());
                return Err(ExitStatus::Error);
            }
        }
    }
    Ok(out)
}

fn to_format(f: CaptureFormatArg) -> CaptureFormat {
    match f {
        CaptureFormatArg::DatadogV04 => CaptureFormat::DatadogV04,
        CaptureFormatArg::DatadogV05 => CaptureFormat::DatadogV05,
        CaptureFormatArg::OtlpProto => CaptureFormat::OtlpProto,
        CaptureFormatArg::OtlpProtoStream => CaptureFormat::OtlpProtoStream,
        CaptureFormatArg::OtlpJson => CaptureFormat::OtlpJson,
    }
}

fn capture_info(c: &Capture) -> CaptureInfo {
    CaptureInfo {
        path: c.path.clone(),
        format: c.format.as_str().to_owned(),
        payloads: c.payloads.len(),
        traces: c.traces,
        spans: c.spans,
    }
}

fn config_names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// A bar on stderr, only on a terminal and only when there is enough work to watch.
fn progress_bar(captures: &[Capture], disabled: bool) -> Option<indicatif::ProgressBar> {
    let total: u64 = captures.iter().map(|c| c.payloads.len() as u64).sum();
    let spans: usize = captures.iter().map(|c| c.spans).sum();
    if disabled || !std::io::stderr().is_terminal() || spans < 50_000 {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template("replaying {bar:40} {pos}/{len} requests ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}

fn write_outputs(dir: &Path, pipelines: &[crate::replay::PipelineRun]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for p in pipelines {
        let file = dir.join(format!("{}.jsonl", p.id.replace('/', "_")));
        let mut w = std::io::BufWriter::new(std::fs::File::create(file)?);
        for batch in &p.output {
            crate::capture::write_otlp_json_line(batch, &mut w)?;
        }
        std::io::Write::flush(&mut w)?;
    }
    Ok(())
}

fn format_name(f: Format) -> String {
    clap::ValueEnum::to_possible_value(&f)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}
