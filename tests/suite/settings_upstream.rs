//! Every processor row of upstream's expectations (fixtures/config/upstream/expectations.tsv):
//! decode the component's block from the copied upstream test config with the signals the
//! EXPECTATIONS.md method uses, and check the verdict — valid means no error diagnostics,
//! invalid means at least one error containing upstream's message where the table gives one.
//!
//! Rows that are invalid only because of an OTTL parse/check error belong to the OTTL stage:
//! for them we assert that settings decoding accepts the block and hands the OTTL on.

use crate::common;
use common::upstream::*;
use otelcheck::config::node::parse_yaml;
use otelcheck::config::settings::{decode_processor, ProcessorSettings};
use otelcheck::diag::Severity;
use std::path::Path;
use std::sync::Arc;

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
        let doc = parse_yaml(&name, &text).unwrap_or_else(|e| panic!("{}: {e}", r.file));
        let (id, node) = block(&doc, &r.id);
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
