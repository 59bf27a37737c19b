//! Every processor row of upstream's expectations (fixtures/config/upstream/expectations.tsv):
//! decode the component's block from the copied upstream test config with the signals the
//! EXPECTATIONS.md method uses, and check the verdict — valid means no error diagnostics,
//! invalid means at least one error containing upstream's message where the table gives one.
//!
//! Rows that are invalid only because of an OTTL parse/check error belong to the OTTL stage:
//! for them we assert that settings decoding accepts the block and hands the OTTL on.

use otelcheck::config::node::{parse_yaml, Node, NodeKind};
use otelcheck::config::settings::{decode_processor, ProcessorSettings, Signal};
use otelcheck::diag::Severity;
use std::path::Path;
use std::sync::Arc;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/config/upstream");

/// Rows whose upstream failure is an OTTL parse/function error (not this stage's job).
const OTTL_STAGE: &[&str] = &[
    "filter/bad_syntax_span",
    "filter/bad_syntax_spanevent",
    "filter/bad_syntax_metric",
    "filter/bad_syntax_datapoint",
    "filter/bad_syntax_log",
    "filter/bad_syntax_context_inferred_trace",
    "filter/bad_syntax_context_inferred_metric",
    "filter/bad_syntax_context_inferred_log",
    "filter/bad_syntax_context_inferred_profile",
    "transform/bad_syntax_log",
    "transform/bad_syntax_metric",
    "transform/bad_syntax_trace",
    "transform/bad_syntax_multi_signal",
    "transform/unknown_function_log",
    "transform/unknown_function_metric",
    "transform/unknown_function_trace",
];

struct Row {
    line: usize,
    file: String,
    id: String,
    expectation: String,
    gist: String,
    validate: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("expectations.tsv"))
        .expect("expectations.tsv");
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(i, l)| {
            let c: Vec<&str> = l.split('\t').collect();
            let get = |n: usize| c.get(n).copied().unwrap_or("").to_owned();
            Row {
                line: i + 1,
                file: get(0),
                id: get(1),
                expectation: get(2),
                gist: get(4),
                validate: get(6),
            }
        })
        .filter(|r| r.file.starts_with("processor/"))
        .collect()
}

/// The component id and its block: a top-level key, or one under `processors:`.
fn block(doc: &Node, id_field: &str) -> (String, Node) {
    let id = if let Some(inner) = id_field.strip_prefix("(whole file: ") {
        inner.trim_end_matches(')').to_owned()
    } else {
        id_field.trim_end_matches(" (under processors:)").to_owned()
    };
    let top = doc
        .get(&id)
        .or_else(|| doc.get("processors").and_then(|p| p.get(&id)));
    let node = top.cloned().unwrap_or_else(|| panic!("no block {id}"));
    (id, node)
}

/// `config::node` (serde-saphyr's default policy) refuses YAML `+.Inf`, which the collector reads
/// as +Inf. Rebuild that one value so the processor's own check is still exercised.
fn infinite_percentage(name: &Arc<str>, text: &str, id_field: &str) -> Option<(String, Node)> {
    let patched = text.replace("+.Inf", "1.5");
    let doc = parse_yaml(name, &patched).ok()?;
    let (id, mut node) = block(&doc, id_field);
    let NodeKind::Map(entries) = &mut node.kind else {
        return None;
    };
    let (_, v) = entries
        .iter_mut()
        .find(|(k, _)| k.name == "sampling_percentage")?;
    (patched != text).then(|| v.kind = NodeKind::Float(f64::INFINITY));
    Some((id, node))
}

/// The signals of the pipeline EXPECTATIONS.md put the block in.
fn signals(ty: &str, id: &str, node: &Node) -> Vec<Signal> {
    let has = |k: &str| node.get(k).is_some_and(|n| !n.is_null());
    let mut out = Vec::new();
    match ty {
        "filter" => {
            if has("traces") || has("spans") || has("trace_conditions") {
                out.push(Signal::Traces);
            }
            if has("metrics") || has("metric_conditions") {
                out.push(Signal::Metrics);
            }
            if has("logs") || has("log_conditions") {
                out.push(Signal::Logs);
            }
            if has("profiles") || has("profile_conditions") {
                out.push(Signal::Profiles);
            }
        }
        "attributes" if id.contains("log_") => out.push(Signal::Logs),
        "probabilistic_sampler" if id.ends_with("/logs") => out.push(Signal::Logs),
        _ => {}
    }
    if out.is_empty() {
        out.push(Signal::Traces);
    }
    out
}

/// Upstream's message for an invalid row, if the table gives one.
fn expected_message(r: &Row) -> Option<String> {
    if let Some(rest) = r.validate.strip_prefix("invalid (") {
        return rest.split_once("): ").map(|(_, m)| m.to_owned());
    }
    let (_, after) = r.gist.split_once("message `")?;
    after.split_once('`').map(|(m, _)| m.to_owned())
}

fn ottl_count(s: &ProcessorSettings) -> usize {
    match s {
        ProcessorSettings::Filter(f) => {
            let groups: usize = [
                &f.trace_conditions,
                &f.metric_conditions,
                &f.log_conditions,
                &f.profile_conditions,
            ]
            .iter()
            .flat_map(|g| g.iter())
            .map(|g| g.conditions.len())
            .sum();
            groups
                + f.traces_resource.len()
                + f.traces_span.len()
                + f.traces_spanevent.len()
                + f.metrics.resource.len()
                + f.metrics.metric.len()
                + f.metrics.datapoint.len()
                + f.logs.resource.len()
                + f.logs.log_record.len()
        }
        ProcessorSettings::Transform(t) => [
            &t.trace_statements,
            &t.metric_statements,
            &t.log_statements,
            &t.profile_statements,
        ]
        .iter()
        .flat_map(|g| g.iter())
        .map(|g| g.statements.len())
        .sum(),
        _ => 0,
    }
}

#[test]
fn every_upstream_processor_row_gets_its_verdict() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for r in rows() {
        if r.expectation != "valid" && r.expectation != "invalid" {
            continue;
        }
        let path = Path::new(ROOT).join(&r.file);
        let text = std::fs::read_to_string(&path).expect("fixture file");
        let name: Arc<str> = r.file.as_str().into();
        let (id, node) = match parse_yaml(&name, &text) {
            Ok(doc) => block(&doc, &r.id),
            Err(e) => match infinite_percentage(&name, &text, &r.id) {
                Some(pair) => pair,
                None => panic!("{}: {e}", r.file),
            },
        };
        let ty = id.split('/').next().unwrap_or_default();
        let sigs = signals(ty, &id, &node);
        let (settings, diags) = decode_processor(ty, &node, &sigs);
        checked += 1;
        let errors: Vec<&str> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        let tag = format!("line {} {} {}", r.line, r.file, r.id);
        if OTTL_STAGE.contains(&id.as_str()) {
            match &settings {
                Some(s) if errors.is_empty() && ottl_count(s) > 0 => {}
                _ => failures.push(format!(
                    "{tag}: OTTL-stage row should decode cleanly with OTTL sources, got {errors:?}"
                )),
            }
            continue;
        }
        match r.expectation.as_str() {
            "valid" if !errors.is_empty() => {
                failures.push(format!("{tag}: expected valid, got {errors:?}"))
            }
            "valid" if settings.is_none() => failures.push(format!("{tag}: expected settings")),
            "invalid" if errors.is_empty() => {
                failures.push(format!("{tag}: expected invalid, got no error"))
            }
            "invalid" => {
                if let Some(want) = expected_message(&r) {
                    if !errors.iter().any(|e| e.contains(&want)) {
                        failures.push(format!("{tag}: no error contains {want:?}; got {errors:?}"));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(checked >= 140, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
