//! End-to-end `otelcheck test`: every fixture under fixtures/replay/ passes (the project's
//! own processor tests are test files), and wrong expectations fail with an account of what
//! was expected and what happened.

use crate::common::{json, otelcheck, root};

#[test]
fn every_replay_fixture_passes() {
    // The project's own processor tests: fixtures/replay/<processor>/*.test.yaml, each run
    // through `otelcheck test` (other files there are collector configs and inputs).
    let mut files = 0;
    insta::glob!("../../fixtures/replay", "**/*.test.yaml", |path| {
        files += 1;
        let file = path.display().to_string();
        let run = otelcheck(&["test", &file, "--format", "json"]);
        let doc = json(&run);
        assert_eq!(
            run.code,
            0,
            "{file}: {}",
            otelcheck(&["test", &file]).stdout
        );
        assert_eq!(doc["verdict"], "pass", "{file}");
        let tests = doc["files"][0]["tests"].as_array().map_or(0, Vec::len);
        assert!(tests > 0, "{file} has no test");
    });
    assert!(files >= 6, "only {files} replay fixtures found");
}

/// A test file in a temporary directory, its config and captures named by absolute path.
fn test_file(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.yaml");
    let text = body.replace("ROOT", &root().display().to_string());
    std::fs::write(&path, text).expect("write test file");
    (dir, path.display().to_string())
}

const WRONG: &str = r#"config: ROOT/fixtures/replay/filter/collector/span-conditions.yml
tests:
  - name: right
    spans:
      - {service: orders-api, name: GET /health, kind: server, attributes: {http.route: /health}}
    expect:
      - dropped: [{name: GET /health}]
  - name: health checks are kept (wrong on purpose)
    spans:
      - {service: orders-api, name: GET /health, kind: server, attributes: {http.route: /health}}
      - {service: orders-api, name: POST /orders, kind: server, attributes: {http.route: /orders}}
    expect:
      - kept: [{name: GET /health}]
        spans_out: 2
        attributes:
          - span: {name: POST /orders}
            equals: {http.route: /order}
"#;

#[test]
fn a_wrong_expectation_fails_saying_what_was_expected_and_what_happened() {
    let (_dir, path) = test_file(WRONG);
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains("  ok    right\n"), "{out}");
    assert!(
        out.contains("  FAIL  health checks are kept (wrong on purpose)\n"),
        "{out}"
    );
    // kept: which span, and which rule dropped it, with its location in the config.
    assert!(
        out.contains("expected  kept: [{name: GET /health}]"),
        "{out}"
    );
    assert!(
        out.contains(
            "1 of 1 were dropped:\n                    - orders-api \"GET /health\" (kind server, trace \
             00000000000000000000000000000001, span 0000000000000001): dropped by filter/noise rule \
             `attributes[\"http.route\"] == \"/health\"` at "
        ),
        "{out}"
    );
    assert!(out.contains("span-conditions.yml:12:12"), "{out}");
    assert!(out.contains("expected  spans_out: 2"), "{out}");
    assert!(
        out.contains("pipeline traces exported 1 of the 2 span(s) that entered it"),
        "{out}"
    );
    assert!(
        out.contains("expected `http.route` = \"/order\", actual \"/orders\""),
        "{out}"
    );
    assert!(
        out.contains("2 test(s) in 1 file(s): 1 passed, 1 failed"),
        "{out}"
    );
}

#[test]
fn json_and_junit_give_one_entry_per_test() {
    let (_dir, path) = test_file(WRONG);
    let run = otelcheck(&["test", &path, "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc = json(&run);
    assert_eq!(doc["kind"], "test");
    let tests = doc["files"][0]["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0]["passed"], true);
    assert_eq!(tests[1]["passed"], false);
    let failures = tests[1]["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 3);
    assert_eq!(failures[0]["expectation"], "kept: [{name: GET /health}]");
    assert!(failures[0]["location"]
        .as_str()
        .unwrap_or_default()
        .ends_with("t.yaml:13:9"));

    let run = otelcheck(&["test", &path, "--format", "junit"]);
    assert_eq!(run.code, 1);
    let xml = &run.stdout;
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(
        xml.contains("name=\"health checks are kept (wrong on purpose)\""),
        "{xml}"
    );
}

#[test]
fn findings_expectations_check_the_config_run() {
    let (_dir, path) = test_file(
        r#"config: ROOT/fixtures/seed/broken.yaml
tests:
  - name: the broken seed is a catch-all and uses =~
    spans: [{service: orders-api, name: GET /x, kind: server}]
    expect:
      - findings: [{code: catch-all-rule}, {code: non-upstream-syntax, message: "=~"}]
  - name: wrong on purpose
    spans: [{service: orders-api, name: GET /x, kind: server}]
    expect:
      - no_findings: [non-upstream-syntax]
"#,
    );
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("  ok    the broken seed is a catch-all and uses =~"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("expected  no_findings: [non-upstream-syntax]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("broken.yaml:22:38: the \"=~\" operator is not OTTL"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_malformed_test_file_is_exit_2_at_its_line_and_column() {
    let (_dir, path) = test_file(
        "config: ROOT/fixtures/seed/fixed.yaml\ntests:\n  - name: x\n    spans: [{name: a}]\n    expect:\n      - droped: [{name: a}]\n",
    );
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains(
            "t.yaml:6:9: error[invalid-test-file] invalid test file: unknown field `droped`"
        ),
        "{}",
        run.stdout
    );
    let run = otelcheck(&["test", &path, "--format", "junit"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("<error "), "{}", run.stdout);
    let run = otelcheck(&["test", "fixtures/replay/missing.yaml"]);
    assert_eq!(run.code, 2);
    // A test that could not fail is refused.
    let (_dir, path) = test_file(
        "config: ROOT/fixtures/seed/fixed.yaml\ntests:\n  - name: vacuous\n    spans: [{name: a}]\n",
    );
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("test \"vacuous\" has no expectations"),
        "{}",
        run.stdout
    );
}

#[test]
fn with_several_pipelines_an_expectation_must_name_one() {
    let (_dir, path) = test_file(
        r#"config: ROOT/fixtures/replay/filter/collector/fan-out.yml
tests:
  - name: no pipeline named
    spans: [{service: a, name: x}]
    expect:
      - spans_out: 1
  - name: a pipeline that does not exist
    spans: [{service: a, name: x}]
    expect:
      - pipeline: traces
        spans_out: 1
"#,
    );
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "the config has 2 traces pipelines (traces/filtered, traces/everything): name one with `pipeline:`"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the config has no traces pipeline `traces`; it has: traces/filtered, traces/everything"),
        "{}",
        run.stdout
    );
}

#[test]
fn inline_span_ids_must_be_hex_of_the_right_length() {
    let (_dir, path) = test_file(
        "config: ROOT/fixtures/replay/filter/collector/fan-out.yml\ntests:\n  - name: bad id\n    spans: [{name: x, trace_id: abc}]\n    expect: [{pipeline: traces/filtered, spans_out: 1}]\n",
    );
    let run = otelcheck(&["test", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("t.yaml:3:5: error[invalid-test-file] test \"bad id\": span 1 (\"x\"): trace_id \"abc\""),
        "{}",
        run.stdout
    );
}
