//! `service.telemetry`, checked as collector core v0.156.0 decodes and validates it
//! (`service/telemetry/otelconftelemetry`: the v0.3.0 config schema with the v0.2.0 one as a
//! fallback). A config that passes here but not there would not start, e.g.
//! `metrics.address`, refused since v0.128.0.
//!
//! Checked: the keys of `logs`, `logs.sampling`, `metrics` and `traces` (the union of both
//! schema versions, since either decoding is enough); the `level` values; the two `Validate`
//! rules on metrics; and the `resource` rules (inline legacy attributes are strings or null,
//! no `attributes_list`, not both forms at once). The reader, processor and view entries are
//! the OpenTelemetry SDK's configuration and are not looked into.

use super::model::invalid;
use super::node::{Key, Node, NodeKind};
use crate::diag::Diagnostic;

const TELEMETRY_KEYS: &[&str] = &["logs", "metrics", "traces", "resource"];
const LOGS_KEYS: &[&str] = &[
    "level",
    "development",
    "encoding",
    "disable_caller",
    "disable_stacktrace",
    "sampling",
    "output_paths",
    "error_output_paths",
    "initial_fields",
    "processors",
    "disable_zap_resource",
];
const SAMPLING_KEYS: &[&str] = &["enabled", "tick", "initial", "thereafter"];
const METRICS_KEYS: &[&str] = &["level", "readers", "views"];
const TRACES_KEYS: &[&str] = &["level", "propagators", "processors", "limits", "sampler"];
/// `config.Resource` of otelconf v0.3.0; any other key is a legacy inline attribute.
const RESOURCE_KEYS: &[&str] = &["attributes", "attributes_list", "detectors", "schema_url"];

const METRIC_LEVELS: &[&str] = &["none", "basic", "normal", "detailed"];
const LOG_LEVELS: &[&str] = &["debug", "info", "warn", "error", "dpanic", "panic", "fatal"];

/// Every problem with `service.telemetry` (`node`), each at its key.
pub(super) fn check_telemetry(key: &Key, node: &Node, diags: &mut Vec<Diagnostic>) {
    if !expect_map("service.telemetry", key, node, diags) {
        return;
    }
    check_keys("service.telemetry", node, TELEMETRY_KEYS, diags);
    if let Some((k, logs)) = node.get_entry("logs") {
        check_logs(k, logs, diags);
    }
    if let Some((k, metrics)) = node.get_entry("metrics") {
        check_metrics(k, metrics, diags);
    }
    if let Some((k, traces)) = node.get_entry("traces") {
        if expect_map("service.telemetry.traces", k, traces, diags) {
            check_keys("service.telemetry.traces", traces, TRACES_KEYS, diags);
            check_level(traces, METRIC_LEVELS, metrics_level_error, diags);
        }
    }
    if let Some((k, resource)) = node.get_entry("resource") {
        check_resource(k, resource, diags);
    }
}

fn check_logs(key: &Key, logs: &Node, diags: &mut Vec<Diagnostic>) {
    if !expect_map("service.telemetry.logs", key, logs, diags) {
        return;
    }
    check_keys("service.telemetry.logs", logs, LOGS_KEYS, diags);
    check_level(
        logs,
        LOG_LEVELS,
        |v| format!("unrecognized level: {v:?}"),
        diags,
    );
    if let Some((k, sampling)) = logs.get_entry("sampling") {
        if expect_map("service.telemetry.logs.sampling", k, sampling, diags) {
            check_keys(
                "service.telemetry.logs.sampling",
                sampling,
                SAMPLING_KEYS,
                diags,
            );
        }
    }
}

fn metrics_level_error(value: &str) -> String {
    format!("unknown metrics level {:?}", value.to_ascii_lowercase())
}

fn check_metrics(key: &Key, metrics: &Node, diags: &mut Vec<Diagnostic>) {
    if !expect_map("service.telemetry.metrics", key, metrics, diags) {
        return;
    }
    check_keys("service.telemetry.metrics", metrics, METRICS_KEYS, diags);
    check_level(metrics, METRIC_LEVELS, metrics_level_error, diags);
    // The default level is `normal` and the default readers a Prometheus endpoint, so only
    // what the config sets can break the two rules.
    let level = metrics
        .get("level")
        .and_then(Node::as_str)
        .map_or("normal".to_string(), str::to_ascii_lowercase);
    if let Some((k, readers)) = metrics.get_entry("readers") {
        let empty = matches!(&readers.kind, NodeKind::Seq(items) if items.is_empty());
        if empty && level != "none" {
            diags.push(
                invalid(
                    "collector telemetry metrics reader should exist when metric level is not none"
                        .to_string(),
                    &k.loc,
                )
                .with_help(
                    "add a reader, drop `readers: []` to keep the default, or set `level: none`",
                ),
            );
        }
    }
    if let Some((k, views)) = metrics.get_entry("views") {
        if !matches!(views.kind, NodeKind::Null) && level != "detailed" {
            diags.push(
                invalid(
                    "service::telemetry::metrics::views can only be set when service::telemetry::metrics::level is detailed"
                        .to_string(),
                    &k.loc,
                )
                .with_help("set `level: detailed` or remove `views`"),
            );
        }
    }
}

fn check_resource(key: &Key, resource: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(entries) = resource.as_map() else {
        expect_map("service.telemetry.resource", key, resource, diags);
        return;
    };
    if let Some((k, _)) = resource.get_entry("attributes_list") {
        let msg =
            "resource::attributes_list is not currently supported, please use resource::attributes";
        diags.push(
            invalid(msg.to_string(), &k.loc).with_help("list the attributes under `attributes`"),
        );
    }
    let legacy: Vec<&(Key, Node)> = entries
        .iter()
        .filter(|(k, _)| !RESOURCE_KEYS.contains(&k.name.as_str()))
        .collect();
    for (k, v) in &legacy {
        if !matches!(v.kind, NodeKind::Str(_) | NodeKind::Null) {
            let msg = format!(
                "legacy resource attribute {:?} must be string or null",
                k.name
            );
            diags.push(invalid(msg, &k.loc).with_help("quote the value to make it a string"));
        }
    }
    let has_attributes = matches!(
        resource.get("attributes").map(|a| &a.kind),
        Some(NodeKind::Seq(items)) if !items.is_empty()
    );
    if let (true, Some((k, _))) = (has_attributes, legacy.first()) {
        let msg =
            "resource::attributes cannot be used together with legacy inline resource attributes";
        diags.push(invalid(msg.to_string(), &k.loc).with_help(
            "move the inline attributes into `attributes` as `{name: ..., value: ...}` entries",
        ));
    }
}

/// A `level` that is set must be one of `allowed` (case-insensitive).
fn check_level(
    node: &Node,
    allowed: &[&str],
    message: impl Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    let Some((k, level)) = node.get_entry("level") else {
        return;
    };
    let Some(text) = level.as_str() else {
        return;
    };
    if !allowed.contains(&text.to_ascii_lowercase().as_str()) {
        diags.push(
            invalid(message(text), &k.loc)
                .with_help(format!("valid levels are {}", allowed.join(", "))),
        );
    }
}

fn expect_map(what: &str, key: &Key, node: &Node, diags: &mut Vec<Diagnostic>) -> bool {
    match node.kind {
        NodeKind::Map(_) => true,
        NodeKind::Null => false,
        _ => {
            let msg = format!("'{what}' expected a map, got {}", node.type_name());
            diags.push(invalid(msg, &key.loc));
            false
        }
    }
}

/// Upstream's mapstructure error for keys a struct does not have.
pub(super) fn check_keys(what: &str, node: &Node, allowed: &[&str], diags: &mut Vec<Diagnostic>) {
    let Some(entries) = node.as_map() else { return };
    let bad: Vec<&Key> = entries
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !allowed.contains(&k.name.as_str()))
        .collect();
    if let Some(first) = bad.first() {
        let names: Vec<&str> = bad.iter().map(|k| k.name.as_str()).collect();
        diags.push(
            invalid(
                format!("'{what}' has invalid keys: {}", names.join(", ")),
                &first.loc,
            )
            .with_help(format!("valid keys here are {}", allowed.join(", "))),
        );
    }
}
