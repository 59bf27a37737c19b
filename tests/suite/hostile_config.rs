//! Hostile configs (issue 11, item 3): `${env:...}` references that grow without end. The
//! collector expands them until memory runs out; otelcheck refuses them with exit 2 and a
//! message naming the value, in bounded time and memory (`common::bounded`).

use crate::common;

use common::bounded::{assert_exit, otelcheck_bounded, temp_file};

const CONFIG: &str = "receivers:\n  otlp:\n    protocols: {grpc: {endpoint: \"${env:A}\"}}\n\
exporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";

fn validate_with(value: &str) -> common::Run {
    let (dir, path) = temp_file("config.yaml", CONFIG.as_bytes());
    let set = format!("A={value}");
    otelcheck_bounded(
        dir.path(),
        &["validate", path.to_str().expect("utf-8"), "--set", &set],
    )
}

#[test]
fn a_doubling_self_reference_is_refused() {
    let run = validate_with("${env:A}${env:A}");
    assert_exit(&run, &[2]);
    assert!(run.stderr.contains("config.yaml:3:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("does a variable refer to itself?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_list_or_map_of_itself_is_refused() {
    for value in [
        "[${env:A}, ${env:A}, ${env:A}]",
        "{a: ${env:A}, b: ${env:A}}",
    ] {
        let run = validate_with(value);
        assert_exit(&run, &[2]);
        assert!(
            run.stderr.contains("cannot resolve the configuration"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_growing_self_reference_stops_at_the_round_limit() {
    let run = validate_with("x${env:A}");
    assert_exit(&run, &[2]);
    assert!(
        run.stderr.contains("too many recursive expansions"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_ordinary_value_still_expands() {
    let run = validate_with("localhost:4317");
    assert_exit(&run, &[0]);
}
