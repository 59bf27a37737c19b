//! OTTL that v0.156.0 accepts or rejects, where otelcheck disagreed (issue 11, items 5 and
//! 11), run through the built binary under CPU and memory bounds.

use crate::common;

use common::bounded::{assert_exit, otelcheck_bounded, temp_file};

fn config(
    span_conditions: &[&str],
    trace_statements: &[&str],
    metric_statements: &[&str],
) -> String {
    let list = |items: &[&str]| -> String {
        items
            .iter()
            .map(|i| format!("        - {}\n", serde_json::to_string(i).expect("string")))
            .collect()
    };
    format!(
        "receivers:\n  otlp:\n    protocols: {{grpc: {{}}}}\nprocessors:\n  filter:\n    traces:\n      span:\n{}  transform:\n    trace_statements:\n{}    metric_statements:\n{}exporters:\n  debug: {{}}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter, transform]\n      exporters: [debug]\n",
        list(span_conditions),
        list(trace_statements).replace("        -", "      -"),
        list(metric_statements).replace("        -", "      -"),
    )
}

fn validate(yaml: &str) -> common::Run {
    let (dir, path) = temp_file("config.yaml", yaml.as_bytes());
    otelcheck_bounded(dir.path(), &["validate", path.to_str().expect("utf-8")])
}

#[test]
fn valid_ottl_the_collector_accepts_is_accepted() {
    let yaml = config(
        &[
            r#"IsMatch(name, "\\Q/api/*\\E")"#,
            r#"IsMatch(name, "a{1000}")"#,
        ],
        &[
            r#"set_semconv_span_name("1.37.0") where span.name != """#,
            r#"set(span.attributes["x"], ExtractPatterns(span.name, "(?P<0>a+)"))"#,
        ],
        &[r#"convert_sum_to_gauge() where metric.name == "system.cpu.time""#],
    );
    let run = validate(&yaml);
    assert_exit(&run, &[0]);
    assert!(!run.stdout.contains("invalid-ottl"), "{}", run.stdout);
}

#[test]
fn invalid_ottl_the_collector_rejects_is_rejected() {
    let cases = [
        (
            r#"IsMatch(name, ["a"])"#,
            "expected string but got []interface {}",
        ),
        (
            r#"IsMatch(name, "a{1001}")"#,
            "invalid repeat count: `{1001}`",
        ),
        (
            r#"IsMatch(name, "((a|b|c|d){1000}){1000}")"#,
            "invalid repeat count",
        ),
        (
            r#"IsMatch(name, "(a|b|c|d){1000}(a|b|c|d){1000}(a|b|c|d){1000}(a|b|c|d){1000}")"#,
            "",
        ),
    ];
    for (cond, want) in &cases[..3] {
        let run = validate(&config(&[cond], &[], &[]));
        assert_exit(&run, &[1]);
        assert!(
            run.stdout.contains("invalid-ottl") && run.stdout.contains(want),
            "{cond}: {}",
            run.stdout
        );
    }
    // Four sequential 1000-fold repeats are within Go's program size (36,000 < 3,355,443).
    let run = validate(&config(&[cases[3].0], &[], &[]));
    assert_exit(&run, &[0]);
    let big = format!("IsMatch(name, \"({}){{1000}}\")", "(a|b|c|d)".repeat(400));
    let run = validate(&config(&[&big], &[], &[]));
    assert_exit(&run, &[1]);
    assert!(
        run.stdout.contains("expression too large"),
        "{}",
        run.stdout
    );
    let run = validate(&config(
        &[],
        &[r#"replace_match(span.name, "[", "b")"#],
        &[],
    ));
    assert_exit(&run, &[1]);
    assert!(
        run.stdout.contains("unexpected end of input"),
        "{}",
        run.stdout
    );
}

#[test]
fn config_regexes_honour_go_limits_too() {
    let yaml = "receivers:\n  otlp:\n    protocols: {grpc: {}}\nprocessors:\n  filter:\n    spans:\n      exclude:\n        match_type: regexp\n        span_names: [\"a{1001}\"]\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter]\n      exporters: [debug]\n";
    let run = validate(yaml);
    assert_exit(&run, &[1, 2]);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("invalid repeat count: `{1001}`"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
