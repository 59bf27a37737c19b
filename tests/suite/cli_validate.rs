//! End-to-end: `otelcheck validate` — exit codes, the text and JSON contracts, and snapshots
//! of the diagnostics for a set of broken configs (`fixtures/validate/*.yaml`).

use crate::common;
use common::*;

#[test]
fn broken_seed_fails_with_catch_all_and_non_upstream_syntax() {
    let run = otelcheck(&["validate", "fixtures/seed/broken.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("fixtures/seed/broken.yaml:22:38: error[non-upstream-syntax]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("rewrite as: IsMatch(attributes[\"http.target\"], \"/.*\")"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("fixtures/seed/broken.yaml:22:41: error[catch-all-rule]"),
        "{}",
        run.stdout
    );
}

#[test]
fn fixed_seed_passes() {
    let run = otelcheck(&["validate", "fixtures/seed/fixed.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("pass: 0 errors"), "{}", run.stdout);
}

#[test]
fn fail_on_warning_is_stricter() {
    let run = otelcheck(&[
        "validate",
        "fixtures/validate/wiring.yaml",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(run.code, 1);
    let run = otelcheck(&["validate", "fixtures/validate/env-expansion.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = otelcheck(&[
        "validate",
        "fixtures/validate/env-expansion.yaml",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(
        run.code, 1,
        "an unset variable is a warning: {}",
        run.stdout
    );
}

#[test]
fn json_findings_follow_the_contract() {
    let run = otelcheck(&["validate", "fixtures/seed/broken.yaml", "--format", "json"]);
    assert_eq!(run.code, 1);
    let r = json(&run);
    assert_eq!(r["schema"], 1);
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["configs"][0], "fixtures/seed/broken.yaml");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "catch-all-rule")
        .unwrap();
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["file"], "fixtures/seed/broken.yaml");
    assert_eq!(f["location"]["line"], 22);
    assert_eq!(f["location"]["column"], 41);
    assert!(f["help"].as_str().unwrap().contains("== \"/health\""));
}

#[test]
fn an_error_in_the_third_statement_points_at_its_line_and_column() {
    let run = otelcheck(&[
        "validate",
        "fixtures/validate/ottl-third-statement.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    let r = json(&run);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "invalid-ottl")
        .unwrap();
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("undefined function \"redact\""),
        "{f}"
    );
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(15), Some(13))
    );
}

#[test]
fn set_supplies_variables_and_several_configs_merge() {
    let dir = tempfile::tempdir().unwrap();
    let over = dir.path().join("over.yaml");
    std::fs::write(&over, "processors:\n  filter/health:\n    traces:\n      span:\n        - 'attributes[\"http.route\"] == \"${env:ROUTE}\"'\n").unwrap();
    let run = otelcheck(&[
        "validate",
        "--config",
        "fixtures/seed/broken.yaml",
        "--config",
        over.to_str().unwrap(),
        "--set",
        "ROUTE=/health",
    ]);
    // The later file replaces the broken rule list: nothing is wrong any more.
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("unset-variable"), "{}", run.stdout);
    let run = otelcheck(&[
        "validate",
        "--config",
        "fixtures/seed/broken.yaml",
        "--config",
        over.to_str().unwrap(),
    ]);
    assert!(
        run.stdout.contains("warning[unset-variable]"),
        "{}",
        run.stdout
    );
}

#[test]
fn unreadable_inputs_exit_2_with_one_clear_message() {
    for (args, needle) in [
        (
            vec!["validate", "fixtures/validate/bad-yaml.yaml"],
            "bad-yaml.yaml:",
        ),
        (
            vec!["validate", "fixtures/validate/not-a-config.yaml"],
            "not-a-config.yaml",
        ),
        (
            vec!["validate", "no/such/config.yaml"],
            "no/such/config.yaml",
        ),
        (vec!["validate"], "CONFIG"),
        (vec!["dry-run", "fixtures/seed/fixed.yaml"], "capture"),
        (
            vec!["validate", "fixtures/seed/fixed.yaml", "--format", "xml"],
            "xml",
        ),
    ] {
        let run = otelcheck(&args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}: no partial report");
    }
}

#[test]
fn help_and_version_exit_0() {
    let run = otelcheck(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("dry-run") && run.stdout.contains("Exit codes"),
        "{}",
        run.stdout
    );
    let run = otelcheck(&["dry-run", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("--max-match-ratio"), "{}", run.stdout);
    assert_eq!(otelcheck(&["--version"]).code, 0);
}

#[test]
fn broken_config_diagnostics() {
    insta::glob!("../../fixtures/validate", "*.yaml", |path| {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let run = otelcheck(&["validate", &rel]);
        let trimmed: Vec<&str> = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .map(str::trim_end)
            .collect();
        insta::assert_snapshot!(format!("exit {}\n{}", run.code, trimmed.join("\n")));
    });
}
