//! One function per subcommand: resolve inputs, run the stages, render, pick the exit status.

use super::args::{
    CaptureFormatArg, ConfigArgs, DryRunArgs, FailOn, Format, InspectArgs, OutputArgs, ValidateArgs,
};
use super::output::{append_step_summary, emit, fatal, use_color, warn};
use super::replay_run::replay_captures;
use super::ExitStatus;
use crate::analyze::{analyze, Analysis};
use crate::capture::{load_capture, Capture, CaptureFormat};
use crate::config::LoadOptions;
use crate::diag::{render_text, Diagnostic, Severity, SourceMap};
use crate::report::{self, Finding, Report};
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
    let outcome = match replay_captures(&analysis, &capture_paths, a) {
        Ok(o) => o,
        Err(status) => return status,
    };
    let mut report = Report::new(config_names(&configs));
    report.captures = outcome.captures;
    report.pipelines = outcome.pipelines;
    let mut diags = analysis.diagnostics.clone();
    diags.extend(outcome.diagnostics);
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

pub(super) fn to_format(f: CaptureFormatArg) -> CaptureFormat {
    match f {
        CaptureFormatArg::DatadogV04 => CaptureFormat::DatadogV04,
        CaptureFormatArg::DatadogV05 => CaptureFormat::DatadogV05,
        CaptureFormatArg::OtlpProto => CaptureFormat::OtlpProto,
        CaptureFormatArg::OtlpProtoStream => CaptureFormat::OtlpProtoStream,
        CaptureFormatArg::OtlpJson => CaptureFormat::OtlpJson,
    }
}

fn config_names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

fn format_name(f: Format) -> String {
    clap::ValueEnum::to_possible_value(&f)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}
