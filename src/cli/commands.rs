//! One function per subcommand: resolve inputs, run the stages, then hand the collected
//! findings to `finish`, which filters, renders every requested format and picks the exit
//! status. A run that cannot complete still produces every requested document (the error is
//! a finding in it), so CI never receives an empty file.

use super::args::{
    CaptureFormatArg, ConfigArgs, DryRunArgs, Format, InspectArgs, InspectFormat, OutputArgs,
    ValidateArgs,
};
use super::inputs::{self, ConfigUnit};
use super::output::{
    append_step_summary, fatal, note, use_color, warn, write_file, write_stdout, Stream,
};
use super::replay_run::{self, ReplayError, ReplayOpts};
use super::settings::{self, RunSettings, SettingsError};
use super::ExitStatus;
use crate::analyze::{analyze_loaded, Analysis};
use crate::capture::CaptureFormat;
use crate::config::{load_config_strs, LoadOptions};
use crate::diag::{codes, render_text, Diagnostic, SourceMap};
use crate::report::{self, CaptureInfo, ConfigPipeline, Finding, Report};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What the stages produced, before filtering and rendering.
#[derive(Default)]
pub(super) struct Collected {
    pub(super) configs: Vec<String>,
    /// Each diagnostic with the config it belongs to.
    pub(super) diags: Vec<(Option<String>, Diagnostic)>,
    pub(super) sources: SourceMap,
    /// The run could not complete (exit 2).
    pub(super) fatal: bool,
    pub(super) captures: Vec<CaptureInfo>,
    pub(super) pipelines: Vec<ConfigPipeline>,
    pub(super) diffs: Vec<crate::report::diff_view::ProcessorDiff>,
}

impl Collected {
    pub(super) fn fail(&mut self, config: Option<String>, d: Diagnostic) {
        self.fatal = true;
        self.diags.push((config, d));
    }
}

pub fn validate(a: &ValidateArgs) -> ExitStatus {
    let s = match settings_or_report(&a.output, "validate") {
        Ok(s) => s,
        Err(status) => return status,
    };
    let mut run = Collected::default();
    let mut units = read_units(&a.configs, &a.config, &mut run);
    if a.diff && !run.fatal {
        return super::fix::run(&mut units, true, true);
    }
    if a.fix && !run.fatal {
        // Rewrite, then check the files as they now are (like `ruff check --fix`): the exit
        // code says whether anything is left.
        let text = s.format == Format::Text;
        if super::fix::run(&mut units, false, text) == ExitStatus::Error {
            return ExitStatus::Error;
        }
        for (name, doc) in units.iter().flat_map(|u| u.docs.iter()) {
            run.sources.insert(name.as_str(), doc.as_str());
        }
    }
    let _analyses = analyze_units(units, &a.config, &s, &mut run);
    finish("validate", run, &s)
}

pub fn dry_run(a: &DryRunArgs) -> ExitStatus {
    let s = match settings_or_report(&a.output, "dry-run") {
        Ok(s) => s,
        Err(status) => return status,
    };
    let (configs, capture_paths) = split_files(&a.files, &a.captures);
    if configs.is_empty() && a.config.merged.is_empty() {
        return usage(
            "dry-run needs at least one config file (*.yaml or *.yml) before the captures",
        );
    }
    if capture_paths.is_empty() {
        return usage(
            "dry-run needs at least one capture: pass it after the config, or with --capture FILE",
        );
    }
    let mut run = Collected::default();
    let units = read_units(&configs, &a.config, &mut run);
    let analyses = analyze_units(units, &a.config, &s, &mut run);
    check_capture_paths(&capture_paths, &mut run);
    if run.fatal {
        return finish("dry-run", run, &s);
    }
    let max_match_ratio = a.max_match_ratio.or(s.max_match_ratio).unwrap_or(1.0);
    let several = analyses.len() > 1;
    for (name, analysis) in &analyses {
        let out_dir = a.write_output.as_ref().map(|d| {
            if several {
                d.join(stem(name))
            } else {
                d.clone()
            }
        });
        let opts = ReplayOpts {
            max_match_ratio,
            write_output: out_dir.as_deref(),
            no_progress: a.no_progress || s.quiet,
            capture_format: a.capture_format,
            show_diff: a.show_diff,
            reveal: a.reveal,
        };
        if let Err(status) = replay_unit(name, analysis, &capture_paths, &opts, &s, &mut run) {
            return status;
        }
        if run.fatal {
            break;
        }
    }
    finish("dry-run", run, &s)
}

/// The settings of a run, or the exit status of a run the project file stopped: its finding
/// goes into every requested report, as any fatal error does.
fn settings_or_report(o: &OutputArgs, command: &str) -> Result<RunSettings, ExitStatus> {
    match settings::resolve(o) {
        Ok(s) => Ok(s),
        Err(SettingsError::Usage(m)) => Err(usage(&m)),
        Err(SettingsError::Project {
            finding,
            source,
            fallback,
        }) => {
            let mut run = project_failed_run(*finding, source);
            run.configs.clear();
            Err(finish(command, run, &fallback))
        }
    }
}

/// A run stopped by the project file, as the findings of a fatal run.
pub(super) fn project_failed_run(
    finding: Diagnostic,
    source: Option<(String, String)>,
) -> Collected {
    let mut run = Collected::default();
    if let Some((name, text)) = source {
        run.sources.insert(name, text);
    }
    run.fail(None, finding);
    run
}

/// Replay one config's pipelines and add its pipelines and findings to `run`.
fn replay_unit(
    name: &str,
    analysis: &Analysis,
    captures: &[PathBuf],
    opts: &ReplayOpts<'_>,
    s: &RunSettings,
    run: &mut Collected,
) -> Result<(), ExitStatus> {
    replay_unit_observed(name, analysis, captures, opts, s, run, None)
}

/// [`replay_unit`] with one more observer told everything the replay does (`diff`'s fates).
#[allow(clippy::too_many_arguments)] // replay_unit's arguments plus the observer
pub(super) fn replay_unit_observed(
    name: &str,
    analysis: &Analysis,
    captures: &[PathBuf],
    opts: &ReplayOpts<'_>,
    s: &RunSettings,
    run: &mut Collected,
    extra: Option<&mut dyn crate::processors::api::Observer>,
) -> Result<(), ExitStatus> {
    let started = Instant::now();
    let result = match extra {
        Some(o) => replay_run::replay_captures_observed(analysis, captures, opts, o),
        None => replay_run::replay_captures(analysis, captures, opts),
    };
    let outcome = match result {
        Ok(o) => o,
        Err(ReplayError::Capture(d)) => {
            run.fail(None, *d);
            return Ok(());
        }
        Err(ReplayError::Output(m)) => return Err(usage(&m)),
    };
    let spans: usize = outcome.captures.iter().map(|c| c.spans).sum();
    if s.verbose {
        note(&format!(
            "replayed {name}: {spans} spans from {} capture(s) in {:?}",
            outcome.captures.len(),
            started.elapsed()
        ));
    }
    if run.captures.is_empty() {
        run.captures = outcome.captures;
    }
    let tag = Some(name.to_owned());
    let several = run.configs.len() > 1;
    run.diffs.extend(outcome.diffs.into_iter().map(|mut d| {
        d.config = several.then(|| name.to_owned());
        d
    }));
    let mut replay_diags = outcome.diagnostics;
    if outcome.pipelines.is_empty() && analysis.config.is_some() {
        // Without a traces pipeline the replay is vacuous; the routing warnings would only
        // repeat that in words that do not fit (they suggest adding a receiver).
        replay_diags.retain(|d| d.code != codes::UNROUTED_CAPTURE);
        replay_diags.push(nothing_replayed(name, analysis, spans));
    }
    run.pipelines
        .extend(outcome.pipelines.into_iter().map(|mut pipeline| {
            report::accounting::account_unattributed_drops(&mut pipeline);
            ConfigPipeline {
                config: tag.clone(),
                pipeline,
            }
        }));
    // This config's findings so far (static) plus the replay's new ones, then one account
    // per rule: the static lint and the replay each see half of a rule's story.
    let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut run.diags)
        .into_iter()
        .partition(|(t, _)| *t == tag);
    let mut unit: Vec<Diagnostic> = mine.into_iter().map(|(_, d)| d).collect();
    // Drop replay findings equal to one already there. Keyed by the derived `Debug` text
    // (equal exactly when the findings are equal), so 50,000 rules stay linear.
    let mut seen: std::collections::HashSet<String> =
        unit.iter().map(|d| format!("{d:?}")).collect();
    for d in replay_diags {
        if seen.insert(format!("{d:?}")) {
            unit.push(d);
        }
    }
    run.diags = others;
    run.diags.extend(
        crate::lint::reconcile::merge_static_and_data(unit)
            .into_iter()
            .map(|d| (tag.clone(), d)),
    );
    Ok(())
}

/// A capture path that does not exist is a finding about it before any work starts.
pub(super) fn check_capture_paths(paths: &[PathBuf], run: &mut Collected) {
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            let name = p.display().to_string();
            run.fail(
                None,
                replay_run::capture_finding(&crate::capture::CaptureError::new(
                    name,
                    None,
                    inputs::io_reason(&e),
                )),
            );
        }
    }
}

fn nothing_replayed(name: &str, analysis: &Analysis, spans: usize) -> Diagnostic {
    let signals: Vec<String> = analysis
        .config
        .as_ref()
        .map(|c| c.pipelines.iter().map(|p| p.id_text.clone()).collect())
        .unwrap_or_default();
    let has = if signals.is_empty() {
        "no pipeline at all".to_owned()
    } else {
        format!("only {}", signals.join(", "))
    };
    let loc = analysis
        .config
        .as_ref()
        .and_then(|c| c.pipelines.first().map(|p| p.loc.clone()));
    Diagnostic::warning(
        codes::NOTHING_REPLAYED,
        format!(
            "nothing was replayed: {name} has no traces pipeline ({has}), so the {spans} spans of the \
             captures reach no processor and this dry run checks nothing"
        ),
    )
    .at_opt(loc)
    .with_help("add a `traces` pipeline with a receiver of the capture's kind, or use `otelcheck validate`")
}

pub fn inspect(a: &InspectArgs) -> ExitStatus {
    let mut run = Collected::default();
    let captures = summarize_captures(&a.captures, a.capture_format, &mut run);
    if run.fatal {
        let diags: Vec<Diagnostic> = run.diags.into_iter().map(|(_, d)| d).collect();
        return fatal_document(
            "inspect",
            Vec::new(),
            &diags,
            &run.sources,
            a.format == InspectFormat::Json,
        );
    }
    let summary = crate::capture::summary::combine(captures);
    let text = match a.format {
        InspectFormat::Json => inspect_json(&summary),
        InspectFormat::Text => report::inspect::render(
            &summary,
            use_color(a.color, Stream::Stdout),
            super::output::terminal_width(),
        ),
    };
    match write_stdout(&text) {
        Ok(()) => ExitStatus::Clean,
        Err(m) => usage(&m),
    }
}

/// The summary with the report envelope every JSON document carries.
fn inspect_json(summary: &impl serde::Serialize) -> String {
    let mut doc = serde_json::json!({
        "schema": report::SCHEMA_VERSION,
        "kind": "inspect",
        "tool": report::Tool::default(),
    });
    if let (Some(obj), Ok(serde_json::Value::Object(body))) =
        (doc.as_object_mut(), serde_json::to_value(summary))
    {
        obj.extend(body);
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A run of a command without `finish` (`inspect`, `explain`) that could not complete: the
/// reason on standard error and, when JSON was asked for, the report document carrying it
/// (`"verdict": "error"`), so a script reading standard output never parses an empty file.
pub(super) fn fatal_document(
    kind: &str,
    configs: Vec<String>,
    diags: &[Diagnostic],
    sources: &SourceMap,
    json: bool,
) -> ExitStatus {
    for d in diags {
        eprint!("{}", render_text(d, sources, false));
    }
    if !json {
        return ExitStatus::Error;
    }
    let mut report = Report::new(configs);
    report.findings = diags.iter().map(Finding::from).collect();
    report.decide(crate::diag::Severity::Error, 0);
    report.set_error();
    let mut doc = serde_json::to_value(&report).unwrap_or_default();
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("kind".to_owned(), serde_json::Value::from(kind));
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    if let Err(m) = write_stdout(&text) {
        fatal(&m);
    }
    ExitStatus::Error
}

pub(super) fn usage(message: &str) -> ExitStatus {
    fatal(message);
    ExitStatus::Error
}

/// Read the config arguments; unreadable files become fatal findings.
pub(super) fn read_units(
    positional: &[PathBuf],
    c: &ConfigArgs,
    run: &mut Collected,
) -> Vec<ConfigUnit> {
    let read = inputs::read_configs(positional, &c.merged);
    for d in read.errors {
        let file = d.location.as_ref().map(|l| l.file.to_string());
        if let Some(f) = &file {
            run.configs.push(f.clone());
        }
        run.fail(file, d);
    }
    for u in &read.units {
        run.configs.push(u.name.clone());
        for (name, text) in &u.docs {
            run.sources.insert(name.as_str(), text.as_str());
        }
    }
    read.units
}

/// Load, merge and check each unit on its own.
pub(super) fn analyze_units(
    units: Vec<ConfigUnit>,
    c: &ConfigArgs,
    s: &RunSettings,
    run: &mut Collected,
) -> Vec<(String, Analysis)> {
    let opts = LoadOptions {
        sets: c.sets.clone(),
        env: std::env::vars().collect(),
    };
    let mut out = Vec::new();
    for unit in units {
        let started = Instant::now();
        let docs: Vec<(&str, &str)> = unit
            .docs
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let tag = Some(unit.name.clone());
        match load_config_strs(&docs, &opts) {
            Err(diags) => {
                for d in diags {
                    run.fail(tag.clone(), d);
                }
            }
            Ok(loaded) => {
                let analysis = analyze_loaded(loaded);
                run.sources.extend(&analysis.loaded.sources);
                run.diags.extend(
                    analysis
                        .diagnostics
                        .iter()
                        .map(|d| (tag.clone(), d.clone())),
                );
                if s.verbose {
                    note(&format!("checked {} in {:?}", unit.name, started.elapsed()));
                }
                out.push((unit.name, analysis));
            }
        }
    }
    out
}

/// Filter, render every requested format, write them, pick the exit status.
fn finish(command: &str, run: Collected, s: &RunSettings) -> ExitStatus {
    let mut kept: Vec<(Option<String>, Diagnostic)> = Vec::new();
    let mut suppressed = 0;
    for (tag, d) in run.diags {
        // Nothing is suppressed in a run that could not complete: nothing was checked.
        if run.fatal || s.filter.keeps(&d, &run.sources) {
            kept.push((tag, d));
        } else {
            suppressed += 1;
        }
    }
    let mut report = Report::new(run.configs);
    report.captures = run.captures;
    report.pipelines = run.pipelines;
    report.diffs = run.diffs;
    report.findings = kept
        .iter()
        .map(|(tag, d)| Finding {
            config: tag.clone(),
            ..Finding::from(d)
        })
        .collect();
    let diags: Vec<Diagnostic> = kept.into_iter().map(|(_, d)| d).collect();
    let failed = report.decide(s.threshold, suppressed);
    let mut status = if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };
    if run.fatal {
        report.set_error();
        status = ExitStatus::Error;
        // A human reading a terminal sees why, whatever format went to standard output.
        for d in &diags {
            eprint!(
                "{}",
                render_text(d, &run.sources, use_color(s.color, Stream::Stderr))
            );
        }
    }
    let ctx = RenderCtx {
        command,
        report: &report,
        diags: &diags,
        sources: &run.sources,
        s,
    };
    // The text document of a failed run already went to standard error.
    if !(run.fatal && s.format == Format::Text) {
        let mut text = ctx.render(s.format, use_color(s.color, Stream::Stdout));
        if s.format == Format::Text {
            text.push_str(&report::diff_view::render_text(&report.diffs));
        }
        if let Err(m) = write_stdout(&text) {
            fatal(&m);
            status = ExitStatus::Error;
        }
    }
    for (format, path) in &s.reports {
        if let Err(m) = write_file(path, &ctx.render(*format, false)) {
            fatal(&m);
            status = ExitStatus::Error;
        }
    }
    let github = s.format == Format::Github || s.reports.iter().any(|(f, _)| *f == Format::Github);
    if github {
        // The job summary is a side channel; failing to write it is said, not fatal.
        if let Err(e) = append_step_summary(&report::markdown::render(&report)) {
            warn(&format!("cannot append to $GITHUB_STEP_SUMMARY: {e}"));
        }
    }
    status
}

struct RenderCtx<'a> {
    command: &'a str,
    report: &'a Report,
    diags: &'a [Diagnostic],
    sources: &'a SourceMap,
    s: &'a RunSettings,
}

impl RenderCtx<'_> {
    fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Json => report::json::render(self.report),
            Format::Text => report::text::render(
                self.report,
                self.diags,
                self.sources,
                &report::text::TextOptions {
                    color,
                    quiet: self.s.quiet,
                    width: super::output::terminal_width(),
                },
            ),
            Format::Sarif => report::sarif::render(self.report),
            Format::Junit => report::junit::render(self.report, self.command, self.s.threshold),
            Format::Github => report::github::render(self.report),
            Format::Markdown => report::markdown::render(self.report),
        }
    }
}

/// Positional files: configs are `*.yaml`/`*.yml`, directories and `-`, the rest captures,
/// unless --capture was used, in which case every positional file is a config.
fn split_files(files: &[PathBuf], explicit: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    if !explicit.is_empty() {
        return (files.to_vec(), explicit.to_vec());
    }
    files
        .iter()
        .cloned()
        .partition(|p| inputs::looks_like_config(p))
}

/// Summarise every capture (for `inspect`), streaming each so memory stays flat in its size;
/// one that cannot be read is a fatal finding.
fn summarize_captures(
    paths: &[PathBuf],
    forced: Option<CaptureFormatArg>,
    run: &mut Collected,
) -> Vec<crate::capture::summary::CaptureSummary> {
    let forced = forced.map(to_format);
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let summary = crate::capture::source::CaptureSource::open(p, forced)
            .and_then(crate::capture::summary::summarize_stream);
        match summary {
            Ok(c) => out.push(c),
            Err(e) => run.fail(None, replay_run::capture_finding(&e)),
        }
    }
    out
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

/// The directory name for one of several configs' outputs.
fn stem(config: &str) -> String {
    Path::new(config)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_owned())
}
