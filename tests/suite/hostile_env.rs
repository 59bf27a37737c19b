//! Environment values never reach a report (issue 11, item 8): rule text is shown as written
//! (`${env:...}` unexpanded) in dry-run tables and dead-rule messages, and `invalid-ottl` and
//! `invalid-setting` messages quote the reference, not the value.

use crate::common;

use common::bounded::{assert_exit, otelcheck_bounded, temp_file};

const SECRET: &str = "s3cr3t-route-value";

fn config(condition: &str, percentage: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols: {{grpc: {{}}}}\nprocessors:\n  filter:\n    traces:\n      span:\n        - {}\n  probabilistic_sampler:\n    sampling_percentage: {percentage}\nexporters:\n  debug: {{}}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter, probabilistic_sampler]\n      exporters: [debug]\n",
        serde_json::to_string(condition).expect("string")
    )
}

fn run(yaml: &str, args: &[&str]) -> String {
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    let path = path.to_str().expect("utf-8").to_owned();
    let mut all = vec![args[0], path.as_str()];
    all.extend_from_slice(&args[1..]);
    let r = otelcheck_bounded(dir.path(), &all);
    assert_exit(&r, &[0, 1, 2]);
    format!("{}{}", r.stdout, r.stderr)
}

#[test]
fn dry_run_tables_and_dead_rules_show_the_rule_as_written() {
    let capture = common::fixture("captures/orders-otel-py-head3.otlp.jsonl");
    let set = format!("ROUTE={SECRET}");
    let yaml = config("attributes[\"http.route\"] == \"${env:ROUTE}\"", "100");
    for format in ["text", "json"] {
        let out = run(
            &yaml,
            &["dry-run", &capture, "--set", &set, "--format", format],
        );
        assert!(!out.contains(SECRET), "{out}");
        assert!(out.contains("${env:ROUTE}"), "{out}");
    }
}

#[test]
fn invalid_ottl_from_a_variable_does_not_echo_it() {
    let set = format!("ROUTE={SECRET}\" ==");
    let yaml = config("name == \"${env:ROUTE}", "100");
    let out = run(&yaml, &["validate", "--set", &set]);
    assert!(out.contains("invalid-ottl"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
}

#[test]
fn invalid_setting_from_a_variable_does_not_echo_it() {
    let set = format!("PCT={SECRET}");
    let yaml = config("name == \"x\"", "${env:PCT}");
    let out = run(&yaml, &["validate", "--set", &set]);
    assert!(
        out.contains("invalid-setting") || out.contains("invalid-config"),
        "{out}"
    );
    assert!(!out.contains(SECRET), "{out}");
}
