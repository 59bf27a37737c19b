//! `otelcheck explain`: replay the captures through each config with an observer that keeps
//! only the selected trace's spans, then print their journeys.

use std::path::PathBuf;

use super::args::{ExplainArgs, ExplainFormat};
use super::inputs::{self, ConfigUnit};
use super::output::{fatal, note, write_stdout};
use super::replay_run::capture_finding;
use super::ExitStatus;
use crate::analyze::analyze_loaded;
use crate::config::{load_config_strs, LoadOptions};
use crate::diag::{Diagnostic, Severity, SourceMap};
use crate::engine::replay::replay_files;
use crate::engine::Engine;
use crate::explain::{self, render, ExplainObserver, TraceQuery};

pub fn explain(a: &ExplainArgs) -> ExitStatus {
    let query = match query(a) {
        Ok(q) => q,
        Err(m) => return usage(&m),
    };
    let (configs, captures) = split(a);
    if configs.is_empty() && a.config.merged.is_empty() {
        return usage(
            "explain needs at least one config file (*.yaml or *.yml) before the captures",
        );
    }
    if captures.is_empty() {
        return usage(
            "explain needs at least one capture: pass it after the config, or with --capture FILE",
        );
    }
    let read = inputs::read_configs(&configs, &a.config.merged);
    let mut sources = SourceMap::default();
    let json = a.format == ExplainFormat::Json;
    if !read.errors.is_empty() {
        return print_and_fail(&read.errors, &sources, names(&read), json);
    }
    let opts = LoadOptions {
        sets: a.config.sets.clone(),
        env: std::env::vars().collect(),
    };
    let several = read.units.len() > 1;
    let mut texts = Vec::new();
    let mut docs = Vec::new();
    let trace_text = a.trace_id.trim().to_owned();
    for unit in &read.units {
        let stories = match explain_unit(unit, &opts, query, a, &captures, &mut sources, json) {
            Ok(s) => s,
            Err(status) => return status,
        };
        if stories.is_empty() {
            fatal(&format!(
                "no span of trace {trace_text}{} reached a traces pipeline of {}: the trace is not \
                 in the captures, or no traces pipeline receives them (run `otelcheck inspect` on \
                 the captures to list their traces, and `otelcheck dry-run` to see the routing)",
                a.span_id
                    .as_deref()
                    .map(|s| format!(" with span id {s}"))
                    .unwrap_or_default(),
                unit.name
            ));
            return ExitStatus::Error;
        }
        let trace_id = stories[0].trace_id.clone();
        match a.format {
            ExplainFormat::Text => {
                let body = render::text(&trace_id, &stories);
                texts.push(if several {
                    format!("== {} ==\n{body}", unit.name)
                } else {
                    body
                });
            }
            ExplainFormat::Json => docs.push(render::json(&trace_id, &stories)),
        }
    }
    let out = match a.format {
        ExplainFormat::Text => texts.join("\n"),
        ExplainFormat::Json if docs.len() == 1 => docs.remove(0),
        // Several independent configs: one document each, in a JSON array.
        ExplainFormat::Json => format!("[\n{}]\n", docs.join(",\n")),
    };
    match write_stdout(&out) {
        Ok(()) => ExitStatus::Clean,
        Err(m) => usage(&m),
    }
}

fn explain_unit(
    unit: &ConfigUnit,
    opts: &LoadOptions,
    query: TraceQuery,
    a: &ExplainArgs,
    captures: &[PathBuf],
    sources: &mut SourceMap,
    json: bool,
) -> Result<Vec<explain::SpanStory>, ExitStatus> {
    let docs: Vec<(&str, &str)> = unit
        .docs
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    for (name, text) in &unit.docs {
        sources.insert(name.as_str(), text.as_str());
    }
    let loaded = match load_config_strs(&docs, opts) {
        Ok(l) => l,
        Err(diags) => {
            return Err(print_and_fail(
                &diags,
                sources,
                vec![unit.name.clone()],
                json,
            ))
        }
    };
    let analysis = analyze_loaded(loaded);
    let errors = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        note(&format!(
            "{} has {errors} error finding(s); the journey below replays it as the collector \
             would run it where it can (`otelcheck validate {}` lists them)",
            unit.name, unit.name
        ));
    }
    let mut engine = Engine::new(&analysis);
    engine.set_reveal(a.reveal);
    let mut observer = ExplainObserver::new(query, &engine).with_reveal(a.reveal);
    let forced = a.capture_format.map(super::commands::to_format);
    if let Err(e) = replay_files(&mut engine, captures, forced, &mut observer, None) {
        return Err(print_and_fail(
            &[capture_finding(&e)],
            sources,
            vec![unit.name.clone()],
            json,
        ));
    }
    Ok(observer.into_stories())
}

fn query(a: &ExplainArgs) -> Result<TraceQuery, String> {
    Ok(TraceQuery {
        trace: explain::parse_trace_id(&a.trace_id)?,
        span_id: a
            .span_id
            .as_deref()
            .map(explain::parse_span_id)
            .transpose()?,
    })
}

/// Positional files: configs are `*.yaml`/`*.yml`, directories and `-`, the rest captures,
/// unless --capture was used.
fn split(a: &ExplainArgs) -> (Vec<PathBuf>, Vec<PathBuf>) {
    if !a.captures.is_empty() {
        return (a.files.clone(), a.captures.clone());
    }
    a.files
        .iter()
        .cloned()
        .partition(|p| inputs::looks_like_config(p))
}

/// The configs named by the arguments, for the report of a run that could not read them.
fn names(read: &inputs::Inputs) -> Vec<String> {
    let mut out: Vec<String> = read
        .errors
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.to_string()))
        .collect();
    out.extend(read.units.iter().map(|u| u.name.clone()));
    out
}

fn print_and_fail(
    diags: &[Diagnostic],
    sources: &SourceMap,
    configs: Vec<String>,
    json: bool,
) -> ExitStatus {
    super::commands::fatal_document("explain", configs, diags, sources, json)
}

fn usage(message: &str) -> ExitStatus {
    fatal(message);
    ExitStatus::Error
}
