//! Reviewer-level lints the collector does not do (issue 11, item 14): a `filter` with rules
//! only for other signals passes everything in its pipeline; a capture replayed into several
//! receivers of one kind that feed different pipelines is counted once per receiver.

use crate::common;

use common::bounded::{assert_exit, otelcheck_bounded, temp_file};

fn run(filter: &str) -> common::Run {
    let yaml = format!(
        "receivers:\n  otlp:\n    protocols: {{grpc: {{}}}}\nprocessors:\n  filter/health:\n{filter}exporters:\n  debug: {{}}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter/health]\n      exporters: [debug]\n"
    );
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    otelcheck_bounded(dir.path(), &["validate", path.to_str().expect("utf-8")])
}

#[test]
fn metrics_only_filter_in_a_traces_pipeline_is_flagged() {
    for filter in [
        "    metrics:\n      metric:\n        - 'name == \"x\"'\n",
        "    logs:\n      log_record:\n        - 'body == \"x\"'\n",
    ] {
        let r = run(filter);
        assert_exit(&r, &[0, 1]);
        assert!(r.stdout.contains("filter-wrong-signal"), "{}", r.stdout);
        assert!(r.stdout.contains("config.yaml:15:"), "{}", r.stdout);
    }
}

#[test]
fn filters_with_rules_for_the_pipeline_signal_are_not_flagged() {
    for filter in [
        "    traces:\n      span:\n        - 'name == \"x\"'\n    metrics:\n      metric:\n        - 'name == \"x\"'\n",
        "    spans:\n      exclude:\n        match_type: strict\n        span_names: [x]\n",
        "    error_mode: ignore\n",
    ] {
        let r = run(filter);
        assert!(!r.stdout.contains("filter-wrong-signal"), "{}", r.stdout);
    }
}

fn dry_run_two_receivers(pipelines: &str) -> (common::Run, serde_json::Value) {
    let yaml = format!(
        "receivers:\n  otlp:\n    protocols: {{http: {{}}}}\n  otlp/2:\n    protocols: {{grpc: {{}}}}\nexporters:\n  debug: {{}}\nservice:\n  pipelines:\n{pipelines}"
    );
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    let capture = common::fixture("captures/orders-otel-py.otlp.pb");
    let run = otelcheck_bounded(
        dir.path(),
        &[
            "dry-run",
            path.to_str().expect("utf-8"),
            &capture,
            "--format",
            "json",
        ],
    );
    assert_exit(&run, &[0, 1]);
    let report = common::json(&run);
    (run, report)
}

fn spans_in(report: &serde_json::Value) -> Vec<u64> {
    report["pipelines"]
        .as_array()
        .expect("pipelines")
        .iter()
        .map(|p| p["spans_in"].as_u64().expect("spans_in"))
        .collect()
}

#[test]
fn two_receivers_of_one_kind_feeding_different_pipelines_are_flagged() {
    let inspect = common::json(&otelcheck_bounded(
        &common::root(),
        &[
            "inspect",
            "--format",
            "json",
            &common::fixture("captures/orders-otel-py.otlp.pb"),
        ],
    ));
    let spans = inspect["captures"][0]["spans"].as_u64().expect("spans");
    let twice = "the otlp traffic was replayed into each of the receivers otlp, otlp/2";

    // One pipeline listing both receivers gets each request once: exact, no warning.
    let (run, report) = dry_run_two_receivers(
        "    traces:\n      receivers: [otlp, otlp/2]\n      exporters: [debug]\n",
    );
    assert_eq!(spans_in(&report), vec![spans]);
    assert!(!run.stdout.contains(twice), "{}", run.stdout);

    // Pipelines behind different receivers each get every request: said, at the first pipeline.
    let (run, report) = dry_run_two_receivers(
        "    traces/a:\n      receivers: [otlp]\n      exporters: [debug]\n    traces/b:\n      receivers: [otlp/2]\n      exporters: [debug]\n",
    );
    assert_eq!(spans_in(&report), vec![spans, spans]);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["message"].as_str().is_some_and(|m| m.contains(twice)))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(finding["code"], "unrouted-capture");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("once per receiver")),
        "{finding}"
    );
}
