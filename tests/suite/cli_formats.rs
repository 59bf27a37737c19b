//! End-to-end: every `--format` on the broken seed, for `validate` and `dry-run`. The exit
//! code must not depend on the format; each format must carry the catch-all finding at the
//! seed's line 22, column 41.

use crate::common;
use common::*;
use std::path::Path;
use std::process::Command;

const CONFIG: &str = "fixtures/seed/broken.yaml";
const CAPTURE: &str = "fixtures/captures/orders-ddtrace-py-v04.msgpack";
const FORMATS: &[&str] = &["text", "json", "sarif", "junit", "github", "markdown"];

/// Run from the repository root with relative paths (so outputs hold no absolute path), with
/// `$GITHUB_STEP_SUMMARY` set to `summary` or removed (a CI runner's own must not leak in).
fn run(args: &[&str], summary: Option<&Path>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otelcheck"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("DEPLOY_ENV")
        .env_remove("GITHUB_STEP_SUMMARY");
    if let Some(path) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", path);
    }
    let out = cmd.output().expect("the otelcheck binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn dry_run(format: &str) -> Run {
    run(&["dry-run", CONFIG, CAPTURE, "--format", format], None)
}

fn validate(format: &str) -> Run {
    run(&["validate", CONFIG, "--format", format], None)
}

#[test]
fn exit_code_is_1_in_every_format() {
    for format in FORMATS {
        for (command, r) in [("dry-run", dry_run(format)), ("validate", validate(format))] {
            assert_eq!(
                r.code, 1,
                "{command} --format {format}: {}{}",
                r.stdout, r.stderr
            );
            assert!(!r.stdout.is_empty(), "{command} --format {format}");
        }
    }
}

#[test]
fn sarif_has_the_catch_all_result_at_22_41() {
    for r in [dry_run("sarif"), validate("sarif")] {
        let doc = json(&r);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let results = run["results"].as_array().cloned().unwrap_or_default();
        let catch_all = results
            .iter()
            .find(|r| r["ruleId"] == "catch-all-rule")
            .unwrap_or_else(|| panic!("no catch-all result: {doc}"));
        assert_eq!(catch_all["level"], "error");
        let loc = &catch_all["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], CONFIG);
        assert_eq!(loc["region"]["startLine"], 22);
        assert_eq!(loc["region"]["startColumn"], 41);
        let rules = run["tool"]["driver"]["rules"].as_array().cloned();
        let rule_ids: Vec<String> = rules
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect();
        for result in &results {
            let id = result["ruleId"].as_str().unwrap_or_default();
            assert!(rule_ids.iter().any(|r| r == id), "{id} not in rules");
        }
    }
}

#[test]
fn junit_parses_and_fails_the_catch_all_case() {
    let r = dry_run("junit");
    let report = quick_junit::Report::deserialize_from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JUnit XML ({e}):\n{}", r.stdout));
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "otelcheck dry-run");
    let case = |name: &str| {
        suite
            .test_cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("no case {name}:\n{}", r.stdout))
    };
    let catch_all = case("catch-all-rule at fixtures/seed/broken.yaml:22:41");
    assert!(matches!(
        catch_all.status,
        quick_junit::TestCaseStatus::NonSuccess { .. }
    ));
    let pipeline = case("pipeline traces");
    assert!(matches!(
        pipeline.status,
        quick_junit::TestCaseStatus::Success { .. }
    ));
    // 2 errors fail; the 2 warnings pass unless --fail-on warning (the dead-rule half of the
    // seed rule's story is part of its catch-all finding).
    assert_eq!(suite.failures, 2);
    let strict = run(
        &[
            "dry-run",
            CONFIG,
            CAPTURE,
            "--format",
            "junit",
            "--fail-on",
            "warning",
        ],
        None,
    );
    assert!(
        // 2 errors + 2 warnings (the probabilistic_sampler is emulated, so it no longer warns).
        strict.stdout.matches("<failure").count() == 4,
        "{}",
        strict.stdout
    );
}

#[test]
fn github_annotates_the_catch_all_and_fills_the_step_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step output\n").expect("write summary");
    let r = run(
        &["dry-run", CONFIG, CAPTURE, "--format", "github"],
        Some(&summary),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "::error file=fixtures/seed/broken.yaml,line=22,col=41,title=catch-all-rule::"
        ),
        "{}",
        r.stdout
    );
    let written = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        written.starts_with("earlier step output\n"),
        "appended, not replaced"
    );
    assert!(
        written.contains("| processor | rule | location |"),
        "{written}"
    );
    assert!(written.contains("**catch-all-rule**"), "{written}");
}

#[test]
fn markdown_has_the_table_and_the_finding() {
    let r = dry_run("markdown");
    assert!(r.stdout.contains(
        "| processor | rule | location | action | evaluated | matched | dropped | errors |"
    ));
    assert!(
        r.stdout
            .contains("- `fixtures/seed/broken.yaml:22:41` **catch-all-rule**:"),
        "{}",
        r.stdout
    );
    // validate has no pipelines to show, but still the verdict and findings.
    let v = validate("markdown");
    assert!(v.stdout.contains("**fail**: 2 errors"), "{}", v.stdout);
    assert!(!v.stdout.contains("| processor |"));
}

#[test]
fn inspect_rejects_report_formats() {
    for format in ["sarif", "junit", "github", "markdown"] {
        let r = run(&["inspect", CAPTURE, "--format", format], None);
        assert_eq!(r.code, 2, "{format}");
        assert!(r.stdout.is_empty());
        // The flag only offers what inspect can do (its --help lists the same two).
        assert!(
            r.stderr.contains("[possible values: text, json]"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(run(&["inspect", CAPTURE, "--format", "json"], None).code, 0);
}

#[test]
fn snapshots_of_markdown_and_github() {
    insta::assert_snapshot!("broken_seed_markdown", dry_run("markdown").stdout);
    insta::assert_snapshot!("broken_seed_github", dry_run("github").stdout);
}
