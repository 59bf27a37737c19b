//! End-to-end: machine reports are complete documents in every case — several from one run
//! (`--report FMT=PATH`), for runs that could not complete (exit 2), and when a report cannot
//! be written. JSON is checked against the shipped schema (`docs/report.schema.json`), SARIF
//! against the official SARIF 2.1.0 schema, JUnit with a JUnit reader.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BROKEN: &str = "fixtures/seed/broken.yaml";
const FIXED: &str = "fixtures/seed/fixed.yaml";
const CAPTURE: &str = "fixtures/captures/orders-ddtrace-py-v04.msgpack";
const BAD_YAML: &str = "fixtures/validate/bad-yaml.yaml";

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DEPLOY_ENV")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("the otelcheck binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn schema(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(path)).expect("schema file");
    let value: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&value).expect("schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{doc:#}");
}

fn report_schema() -> jsonschema::Validator {
    schema("docs/report.schema.json")
}

fn sarif_schema() -> jsonschema::Validator {
    schema("tests/suite/schemas/sarif-schema-2.1.0.json")
}

fn junit(xml: &str) -> quick_junit::Report {
    quick_junit::Report::deserialize_from_str(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

#[test]
fn a_fatal_error_is_a_valid_document_in_every_format() {
    // json
    let r = otelcheck(&["validate", BAD_YAML, "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "json");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["findings"][0]["code"], "invalid-config");
    assert!(doc["findings"][0]["location"]["line"]
        .as_u64()
        .is_some_and(|l| l > 0));
    assert_eq!(doc["summary"]["errors"], 1);
    // The human reason still reaches the terminal, once, without a doubled severity.
    assert!(r.stderr.contains("error[invalid-config]"), "{}", r.stderr);
    assert!(!r.stderr.contains("otelcheck: error:"), "{}", r.stderr);
    assert!(
        r.stderr.contains(" | "),
        "YAML errors show a snippet: {}",
        r.stderr
    );

    // sarif
    let r = otelcheck(&["validate", BAD_YAML, "--format", "sarif"]);
    assert_eq!(r.code, 2);
    let doc = json(&r);
    assert_valid(&sarif_schema(), &doc, "sarif");
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    assert_eq!(result["ruleId"], "invalid-config");
    assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());

    // junit
    let r = otelcheck(&["validate", BAD_YAML, "--format", "junit"]);
    assert_eq!(r.code, 2);
    let report = junit(&r.stdout);
    assert_eq!(report.test_suites[0].failures, 1, "{}", r.stdout);

    // github and markdown
    let r = otelcheck(&["validate", BAD_YAML, "--format", "github"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .starts_with("::error file=fixtures/validate/bad-yaml.yaml,line="),
        "{}",
        r.stdout
    );
    let r = otelcheck(&["validate", BAD_YAML, "--format", "markdown"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("invalid-config"), "{}", r.stdout);
}

#[test]
fn an_unreadable_capture_is_a_finding_about_that_file() {
    let r = otelcheck(&["dry-run", FIXED, "no/such.msgpack", "--format", "sarif"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&sarif_schema(), &doc, "sarif");
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "invalid-capture");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "no/such.msgpack");
    assert!(loc.get("region").is_none(), "no made-up line: {loc}");
    // A missing file is not a format problem: no --capture-format hint.
    assert!(!r.stderr.contains("--capture-format"), "{}", r.stderr);

    let r = otelcheck(&["dry-run", FIXED, "no/such.msgpack", "--format", "json"]);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "json");
    assert_eq!(
        doc["findings"][0]["location"],
        serde_json::json!({"file": "no/such.msgpack"})
    );
}

#[test]
fn an_unreadable_config_has_no_made_up_position() {
    let r = otelcheck(&["validate", "no/such.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("no/such.yaml: error[invalid-config]"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(":1:1"), "{}", r.stderr);
}

#[test]
fn several_reports_come_from_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name).display().to_string();
    let (sarif, xml, js) = (at("o.sarif"), at("o.xml"), at("o.json"));
    let r = otelcheck(&[
        "dry-run",
        BROKEN,
        CAPTURE,
        "--format",
        "github",
        "--report",
        &format!("sarif={sarif}"),
        "--report",
        &format!("junit={xml}"),
        "--report",
        &format!("json={js}"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("::error "),
        "github on stdout: {}",
        r.stdout
    );
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let sarif_doc: Value = serde_json::from_str(&read(&sarif)).expect("sarif is JSON");
    assert_valid(&sarif_schema(), &sarif_doc, "sarif");
    let json_doc: Value = serde_json::from_str(&read(&js)).expect("json");
    assert_valid(&report_schema(), &json_doc, "json");
    assert_eq!(json_doc["verdict"], "fail");
    // One JUnit case per finding, plus one per pipeline.
    let findings = json_doc["findings"].as_array().map_or(0, Vec::len);
    let pipelines = json_doc["pipelines"].as_array().map_or(0, Vec::len);
    let report = junit(&read(&xml));
    assert_eq!(report.test_suites[0].test_cases.len(), findings + pipelines);
    // No temporary file is left beside the reports.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
}

#[test]
fn sarif_rules_carry_the_code_documentation() {
    let r = otelcheck(&["validate", BROKEN, "--format", "sarif"]);
    let doc = json(&r);
    assert_valid(&sarif_schema(), &doc, "sarif");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!rules.is_empty());
    for rule in rules {
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
        assert!(
            rule["help"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("Fix:")),
            "{rule}"
        );
    }
}

#[test]
fn a_report_that_cannot_be_written_is_exit_2_naming_the_path() {
    let r = otelcheck(&["validate", FIXED, "--report", "json=no/such/dir/out.json"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no/such/dir/out.json"), "{}", r.stderr);

    if Path::new("/dev/full").exists() {
        let r = otelcheck(&["validate", FIXED, "--report", "json=/dev/full"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("/dev/full"), "{}", r.stderr);
        // Standard output on a full device.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
            .args(["validate", FIXED, "--format", "json"])
            .current_dir(root())
            .stdout(full)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("standard output"), "{stderr}");
    }
}

#[test]
fn dry_run_json_follows_the_shipped_schema() {
    let r = otelcheck(&["dry-run", FIXED, CAPTURE, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "json");
    assert_eq!(doc["pipelines"][0]["config"], FIXED);
}

#[test]
fn github_annotations_are_capped_at_ten_per_level_and_keep_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut yaml =
        String::from("receivers:\n  otlp:\n    protocols:\n      grpc: {}\nprocessors:\n");
    for i in 0..12 {
        yaml.push_str(&format!("  batch/b{i}: {{}}\n"));
    }
    yaml.push_str("exporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n");
    std::fs::write(dir.path().join("c.yaml"), yaml).expect("write");
    let r = run_in(dir.path(), &["validate", "c.yaml", "--format", "github"]);
    let warnings = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning "))
        .count();
    assert_eq!(warnings, 10, "{}", r.stdout);
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(last.contains("left out 2 warnings"), "{last}");

    // The closest keys of a rule that is dead in the capture are a note: they stay in the
    // annotation (here on the seed rule's catch-all finding, which tells its whole story).
    let r = otelcheck(&["dry-run", BROKEN, CAPTURE, "--format", "github"]);
    let rule = r
        .stdout
        .lines()
        .find(|l| l.contains("title=catch-all-rule"))
        .unwrap_or_default();
    assert!(rule.contains("%0Anote: attribute"), "{rule}");
    assert!(
        rule.contains("closest keys that do occur: http.route"),
        "{rule}"
    );
}

#[test]
fn explain_and_inspect_json_are_documents_when_they_cannot_run() {
    let r = otelcheck(&[
        "explain",
        BAD_YAML,
        CAPTURE,
        "--trace-id",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "explain json");
    assert_eq!(doc["kind"], "explain");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["configs"], serde_json::json!([BAD_YAML]));
    assert_eq!(doc["findings"][0]["code"], "invalid-config");
    assert_eq!(doc["findings"][0]["location"]["file"], BAD_YAML);
    assert!(r.stderr.contains("error[invalid-config]"), "{}", r.stderr);

    // A capture explain cannot read is a finding about that file.
    let r = otelcheck(&[
        "explain",
        FIXED,
        BAD_YAML.replace(".yaml", ".bin").as_str(),
        "--trace-id",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "explain json");
    assert_eq!(doc["findings"][0]["code"], "invalid-capture");

    let r = otelcheck(&["inspect", BAD_YAML, "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_valid(&report_schema(), &doc, "inspect json");
    assert_eq!(doc["kind"], "inspect");
    assert_eq!(doc["verdict"], "error");
    assert_eq!(doc["findings"][0]["code"], "invalid-capture");
    assert_eq!(
        doc["findings"][0]["location"],
        serde_json::json!({"file": BAD_YAML})
    );
    // Text stays on standard error only.
    let r = otelcheck(&["inspect", BAD_YAML]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
}

#[test]
fn a_closed_standard_output_is_exit_2_not_a_lost_report() {
    // `exec ... >&-` closes the descriptor before otelcheck starts, as a shell user would.
    let closed = |args: &[&str]| {
        let out = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(env!("CARGO_BIN_EXE_otelcheck"))
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .expect("sh runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for format in ["json", "sarif", "junit", "text"] {
        let (code, stderr) = closed(&["validate", BROKEN, "--format", format]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert!(
            stderr.contains("cannot write the report to standard output: it is closed"),
            "{format}: {stderr}"
        );
    }
    // The same run into /dev/null is what the user asked for: not an error.
    let out = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(["validate", FIXED, "--format", "json"])
        .current_dir(root())
        .stdout(std::fs::File::create("/dev/null").expect("/dev/null"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    // A report file still works with standard output closed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.sarif").display().to_string();
    let (code, stderr) = closed(&[
        "validate",
        BROKEN,
        "--quiet",
        "--format",
        "json",
        "--report",
        &format!("sarif={path}"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json");
    assert_valid(&sarif_schema(), &sarif, "sarif");
}

#[test]
fn junit_has_one_case_per_finding_even_at_one_location() {
    // The fixed seed's pipeline exports both a card number and an e-mail address: two
    // sensitive-data-exported findings at the same line and column.
    let r = otelcheck(&[
        "dry-run",
        FIXED,
        CAPTURE,
        "--format",
        "json",
        "--select",
        "sensitive-data-exported",
    ]);
    let doc = json(&r);
    let locations: Vec<String> = doc["findings"]
        .as_array()
        .map(|fs| fs.iter().map(|f| f["location"].to_string()).collect())
        .unwrap_or_default();
    assert_eq!(locations.len(), 2, "{doc:#}");
    assert_eq!(locations[0], locations[1], "one location");

    let r = otelcheck(&[
        "dry-run",
        FIXED,
        CAPTURE,
        "--format",
        "junit",
        "--select",
        "sensitive-data-exported",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = junit(&r.stdout);
    let cases: Vec<&quick_junit::TestCase> = report.test_suites[0]
        .test_cases
        .iter()
        .filter(|c| c.classname.as_deref() == Some("otelcheck.sensitive-data-exported"))
        .collect();
    assert_eq!(cases.len(), 2, "{}", r.stdout);
    assert_ne!(cases[0].name, cases[1].name, "names stay unique");
    assert_eq!(report.test_suites[0].failures, 2, "{}", r.stdout);
    let messages: Vec<String> = cases
        .iter()
        .filter_map(|c| match &c.status {
            quick_junit::TestCaseStatus::NonSuccess { message, .. } => {
                message.as_ref().map(|m| m.to_string())
            }
            _ => None,
        })
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("card number")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("e-mail")),
        "{messages:?}"
    );
}

/// The done-when, as one matrix: for every command that writes machine reports and
/// every way a run can fail to start, SARIF validates against the official SARIF 2.1.0
/// schema, JUnit parses with a JUnit reader and has a failed case, JSON says `error`.
#[test]
fn every_fatal_error_of_every_command_is_valid_sarif_and_junit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbled = dir.path().join("garbled.msgpack");
    std::fs::write(&garbled, b"\xc1\xc1 this is not a capture").expect("write");
    let garbled = garbled.display().to_string();
    let test_file = dir.path().join("t.yaml");
    std::fs::write(&test_file, "config: missing.yaml\ntests: []\n").expect("write");
    let test_file = test_file.display().to_string();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("validate, bad YAML", vec!["validate", BAD_YAML]),
        ("validate, missing file", vec!["validate", "no/such.yaml"]),
        ("dry-run, bad YAML", vec!["dry-run", BAD_YAML, CAPTURE]),
        (
            "dry-run, missing capture",
            vec!["dry-run", FIXED, "no/such.msgpack"],
        ),
        ("dry-run, garbled capture", vec!["dry-run", FIXED, &garbled]),
        ("diff, bad YAML", vec!["diff", FIXED, BAD_YAML, CAPTURE]),
        (
            "diff, garbled capture",
            vec!["diff", FIXED, BROKEN, &garbled],
        ),
    ];
    let sarif_schema = sarif_schema();
    let report_schema = report_schema();
    for (what, args) in &cases {
        let with = |format: &'static str| {
            let mut a = args.clone();
            a.extend(["--format", format]);
            otelcheck(&a)
        };
        let r = with("sarif");
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        let doc = json(&r);
        assert_valid(&sarif_schema, &doc, what);
        let results = doc["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            results.iter().any(|x| x["level"] == "error"),
            "{what}: {doc:#}"
        );
        let r = with("junit");
        assert_eq!(r.code, 2, "{what}");
        let report = junit(&r.stdout);
        assert!(report.test_suites[0].failures >= 1, "{what}: {}", r.stdout);
        let r = with("json");
        assert_eq!(r.code, 2, "{what}");
        let doc = json(&r);
        assert_eq!(doc["verdict"], "error", "{what}");
        if args[0] != "diff" {
            assert_valid(&report_schema, &doc, what);
        }
    }
    // `test` writes JSON and JUnit.
    for format in ["junit", "json"] {
        let r = otelcheck(&["test", &test_file, "--format", format]);
        assert_eq!(r.code, 2, "test --format {format}: {}", r.stderr);
        if format == "junit" {
            assert!(
                junit(&r.stdout).test_suites[0].failures + junit(&r.stdout).test_suites[0].errors
                    >= 1,
                "{}",
                r.stdout
            );
        } else {
            assert!(json(&r).is_object());
        }
    }
}
