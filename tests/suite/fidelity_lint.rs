//! Reviewer-level lint the collector does not do (issue 11, item 14, first half): a `filter`
//! with rules only for other signals passes everything in its pipeline.

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
