//! Config fidelity with otelcol-contrib v0.156.0 (issue 11, items 9, 10 and 12): the
//! registry follows what the v0.156.0 manifest builds, and `service.telemetry` is validated as
//! collector core v0.156.0 decodes it. Runs the built binary under CPU and memory bounds.

use crate::common;

use common::bounded::{assert_exit, otelcheck_bounded, temp_file};

fn validate(yaml: &str) -> common::Run {
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    otelcheck_bounded(dir.path(), &["validate", path.to_str().expect("utf-8")])
}

fn with(receiver: &str, processor: &str, exporter: &str, service_extra: &str) -> String {
    format!(
        "receivers:\n  {receiver}: {{}}\nprocessors:\n  {processor}: {{}}\nexporters:\n  {exporter}: {{}}\nservice:\n{service_extra}  pipelines:\n    traces:\n      receivers: [{receiver}]\n      processors: [{processor}]\n      exporters: [{exporter}]\n"
    )
}

#[test]
fn components_the_v0156_manifest_builds_are_known() {
    for (r, p, e) in [
        ("nop", "coralogix", "nop"),
        ("otlp", "metric_start_time", "debug"),
        ("otlp", "metricstarttime", "otlp_grpc"),
    ] {
        let run = validate(&with(r, p, e, ""));
        assert!(
            !run.stdout.contains("unknown-component") && !run.stderr.contains("unknown type"),
            "{r} {p} {e}: {}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn components_removed_before_v0156_are_unknown() {
    let run = validate(&with("opencensus", "batch", "debug", ""));
    assert_exit(&run, &[1, 2]);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("unknown type: \"opencensus\""), "{out}");
    assert!(out.contains("removed in v0.134.0"), "{out}");
}

#[test]
fn telemetry_is_validated_like_v0156() {
    let cases = [
        (
            "  telemetry:\n    metrics:\n      address: 0.0.0.0:8888\n",
            "'service.telemetry.metrics' has invalid keys: address",
        ),
        (
            "  telemetry:\n    logs:\n      level: verbose\n",
            "unrecognized level: \"verbose\"",
        ),
        (
            "  telemetry:\n    metrics:\n      level: chatty\n",
            "unknown metrics level \"chatty\"",
        ),
        (
            "  telemetry:\n    metrics:\n      readers: []\n",
            "metrics reader should exist when metric level is not none",
        ),
        (
            "  telemetry:\n    resource:\n      attributes_list: x\n",
            "attributes_list is not currently supported",
        ),
        (
            "  telemetry:\n    resource:\n      service.version: [1]\n",
            "legacy resource attribute \"service.version\" must be string or null",
        ),
    ];
    for (telemetry, want) in cases {
        let run = validate(&with("otlp", "batch", "debug", telemetry));
        assert_exit(&run, &[1, 2]);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(out.contains(want), "{telemetry}: {out}");
        assert!(out.contains("config.yaml:"), "{out}");
    }
    let ok = "  telemetry:\n    logs:\n      level: DEBUG\n      sampling: {enabled: false}\n    metrics:\n      level: none\n      readers: []\n    resource:\n      service.name: gw\n";
    let run = validate(&with("otlp", "batch", "debug", ok));
    assert_exit(&run, &[0]);
}
