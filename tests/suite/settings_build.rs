//! Which checks run depends on the pipelines that use a processor (`built_for`), as in
//! `otelcol validate`: creation-time checks only for used signals, `Validate()` always.

use otelcheck::config::node::{parse_yaml, Node};
use otelcheck::config::settings::{decode_processor, ErrorMode, ProcessorSettings, Signal};
use otelcheck::diag::Severity;
use std::sync::Arc;

fn yaml(text: &str) -> Node {
    let f: Arc<str> = "t.yaml".into();
    parse_yaml(&f, text).expect("yaml")
}

fn errors(ty: &str, text: &str, built_for: &[Signal]) -> Vec<String> {
    let (_, diags) = decode_processor(ty, &yaml(text), built_for);
    diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect()
}

#[test]
fn creation_checks_only_for_used_signals() {
    let spans = "spans:\n  exclude:\n    match_type: regexp\n";
    assert!(errors("filter", spans, &[]).is_empty());
    assert!(errors("filter", spans, &[Signal::Metrics]).is_empty());
    assert_eq!(errors("filter", spans, &[Signal::Traces]).len(), 1);
    let extract = "actions:\n  - {key: u, pattern: '(a)(?P<b>c)', action: extract}\n";
    assert!(errors("attributes", extract, &[]).is_empty());
    assert!(errors("attributes", extract, &[Signal::Logs])[0].contains("unnamed matcher group"));
}

#[test]
fn validate_runs_for_unused_instances() {
    assert_eq!(
        errors("probabilistic_sampler", "sampling_percentage: 1e-15\n", &[]),
        ["sampling rate is too small: 1e-15%"]
    );
    assert_eq!(
        errors("resource", "attributes: []\n", &[]),
        ["missing required field \"attributes\""]
    );
    let metrics_mix = "metrics:\n  include: {match_type: strict, metric_names: [a]}\n  metric: ['name == \"a\"']\n";
    assert!(errors("filter", metrics_mix, &[])[0].starts_with("cannot use \"metrics.resource\""));
}

#[test]
fn filter_defaults_and_flat_conditions() {
    let (s, diags) = decode_processor(
        "filter",
        &yaml(
            "trace_conditions:\n  - 'span.name == \"a\"'\n  - 'resource.attributes[\"x\"] == 1'\n",
        ),
        &[Signal::Traces],
    );
    assert!(diags.is_empty(), "{diags:?}");
    let Some(ProcessorSettings::Filter(f)) = s else {
        panic!("filter settings")
    };
    assert_eq!(f.error_mode, ErrorMode::Ignore);
    assert_eq!(f.trace_conditions.len(), 1);
    assert!(f.trace_conditions[0].context.is_none());
    let texts: Vec<&str> = f.trace_conditions[0]
        .conditions
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["span.name == \"a\"", "resource.attributes[\"x\"] == 1"]
    );
    assert_eq!(f.trace_conditions[0].conditions[1].node.loc.line, 3);
}

#[test]
fn context_of_another_signal_is_rejected() {
    let text = "trace_conditions:\n  - context: log\n    conditions: ['body == \"x\"']\n";
    assert_eq!(
        errors("filter", text, &[]),
        ["unknown context \"log\" for conditions: [body == \"x\"]"]
    );
}

#[test]
fn tail_sampling_policy_problems_are_warnings() {
    let (s, diags) = decode_processor(
        "tail_sampling",
        &yaml("policies:\n  - {name: a, type: nosuch}\n"),
        &[Signal::Traces],
    );
    assert!(s.is_some());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!(
        diags[0].message,
        "failed to create policy evaluator for \"a\": unknown sampling policy type nosuch"
    );
    assert_eq!(
        errors(
            "tail_sampling",
            "policies:\n  - {name: a, type: latency, latency: 5}\n",
            &[]
        )
        .len(),
        1
    );
}

#[test]
fn legacy_span_match_is_typed_and_compiled() {
    let text = "spans:\n  include:\n    match_type: regexp\n    span_names: ['^/api']\n    attributes: [{key: k, value: '^2'}]\n    libraries: [{name: lib, version: ''}]\n";
    let (s, diags) = decode_processor("filter", &yaml(text), &[Signal::Traces]);
    assert!(diags.is_empty(), "{diags:?}");
    let Some(ProcessorSettings::Filter(f)) = s else {
        panic!("filter settings")
    };
    let inc = f.spans.and_then(|m| m.include).expect("include");
    assert!(inc.span_names[0]
        .regex
        .as_ref()
        .is_some_and(|r| r.is_match("/api/x")));
    assert!(inc.attributes[0].regex.is_some());
    assert_eq!(
        inc.libraries[0].version.as_ref().map(|v| v.text.as_str()),
        Some("")
    );
}
