//! End-to-end: accepting findings — `--ignore`/`--select`, inline `# otelcheck: ignore[...]`
//! comments, `.otelcheck.yaml` (flag defaults, per-file ignores, discovery up to the
//! repository root, `--no-config-file`) — and the count of what was suppressed.

use crate::common;
use common::*;
use std::path::Path;
use std::process::Command;

const BROKEN: &str = "fixtures/seed/broken.yaml";
const FIXED: &str = "fixtures/seed/fixed.yaml";

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_otelcheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DEPLOY_ENV")
        .output()
        .expect("the otelcheck binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A project directory (a repository root: it has `.git`) holding `files`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).expect("seed")
}

#[test]
fn ignore_and_select_filter_codes_and_count_what_they_removed() {
    let all = json(&otelcheck(&["validate", BROKEN, "--format", "json"]));
    let total = all["findings"].as_array().map_or(0, Vec::len);
    let r = otelcheck(&[
        "validate",
        BROKEN,
        "--format",
        "json",
        "--ignore",
        "non-upstream-syntax",
        "--ignore",
        "catch-all-rule",
    ]);
    assert_eq!(r.code, 0, "only warnings are left: {}", r.stdout);
    let doc = json(&r);
    let left = codes(&doc);
    assert!(!left
        .iter()
        .any(|c| c == "catch-all-rule" || c == "non-upstream-syntax"));
    assert_eq!(
        doc["summary"]["suppressed"].as_u64(),
        Some((total - left.len()) as u64)
    );
    assert_eq!(doc["verdict"], "pass");

    let r = otelcheck(&[
        "validate",
        BROKEN,
        "--format",
        "json",
        "--select",
        "catch-all-rule",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(codes(&json(&r)), ["catch-all-rule"]);

    let text = otelcheck(&["validate", BROKEN, "--ignore", "catch-all-rule"]);
    assert!(text.stdout.contains("suppressed"), "{}", text.stdout);
}

#[test]
fn every_format_counts_what_was_suppressed() {
    let args = |format: &'static str| {
        [
            "validate",
            BROKEN,
            "--ignore",
            "catch-all-rule",
            "--format",
            format,
        ]
    };
    let doc = json(&otelcheck(&args("json")));
    let n = doc["summary"]["suppressed"].as_u64().unwrap_or(0);
    assert!(n > 0, "{doc:#}");
    let md = otelcheck(&args("markdown")).stdout;
    assert!(md.contains(&format!(", {n} suppressed in ")), "{md}");
    let gh = otelcheck(&args("github")).stdout;
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::notice ") && l.contains(&format!("{n} finding"))),
        "{gh}"
    );
    let sarif = json(&otelcheck(&args("sarif")));
    assert_eq!(
        sarif["runs"][0]["properties"]["suppressed"].as_u64(),
        Some(n)
    );
    let xml = otelcheck(&args("junit")).stdout;
    let junit = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit parses");
    let prop = junit.test_suites[0]
        .properties
        .iter()
        .find(|p| p.name.as_str() == "suppressed")
        .map(|p| p.value.to_string());
    assert_eq!(prop, Some(n.to_string()), "{xml}");
    let text = otelcheck(&args("text")).stdout;
    assert!(text.contains(&format!("{n} suppressed")), "{text}");
}

#[test]
fn an_unknown_code_in_a_filter_is_an_error() {
    let r = otelcheck(&["validate", FIXED, "--ignore", "catch-all"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `catch-all-rule`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_inline_comment_accepts_a_finding_on_its_value() {
    let accepted = seed(BROKEN).replace(
        "        - 'attributes[\"http.target\"] =~ \"/.*\"'",
        "        # otelcheck: ignore[catch-all-rule]\n        - 'attributes[\"http.target\"] =~ \"/.*\"'  # otelcheck: ignore[non-upstream-syntax]",
    );
    assert_ne!(
        accepted,
        seed(BROKEN),
        "the seed's rule line is where the test expects it"
    );
    let dir = project(&[("c.yaml", &accepted)]);
    let r = run_in(dir.path(), &["validate", "c.yaml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let doc = json(&r);
    assert_eq!(doc["summary"]["suppressed"], 2);
    // A comment names codes: others on the same value stay.
    let r = run_in(
        dir.path(),
        &[
            "validate",
            "c.yaml",
            "--select",
            "catch-all-rule",
            "--format",
            "json",
        ],
    );
    assert_eq!(codes(&json(&r)), Vec::<String>::new());
}

#[test]
fn the_project_file_sets_defaults_and_per_file_ignores() {
    let unused = seed(FIXED).replace("processors:\n", "processors:\n  batch/unused: {}\n");
    let dir = project(&[
        (
            ".otelcheck.yaml",
            "fail-on: warning\nper-file-ignores:\n  'legacy/*.yaml': [catch-all-rule]\n",
        ),
        ("legacy/old.yaml", &seed(BROKEN)),
        ("new.yaml", &seed(BROKEN)),
        ("warn.yaml", &unused),
        ("sub/dir/.keep", ""),
    ]);
    // fail-on: warning from the file makes an unused component fail; the flag wins over it.
    let r = run_in(dir.path(), &["validate", "warn.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("unused-component"), "{}", r.stdout);
    let r = run_in(dir.path(), &["validate", "warn.yaml", "--fail-on", "error"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // The legacy file's catch-all is accepted; its other error is not.
    let r = run_in(
        dir.path(),
        &["validate", "legacy/old.yaml", "--format", "json"],
    );
    let doc = json(&r);
    assert_eq!(codes(&doc), ["non-upstream-syntax"]);
    assert_eq!(doc["summary"]["suppressed"], 1);
    // Other files are not covered by the glob.
    let r = run_in(dir.path(), &["validate", "new.yaml", "--format", "json"]);
    assert!(codes(&json(&r)).contains(&"catch-all-rule".to_owned()));
    // Found from a subdirectory too, with paths relative to where otelcheck runs.
    let sub = dir.path().join("sub/dir");
    let r = run_in(
        &sub,
        &["validate", "../../legacy/old.yaml", "--format", "json"],
    );
    assert_eq!(json(&r)["summary"]["suppressed"], 1, "{}", r.stdout);
    // --no-config-file skips it.
    let r = run_in(
        dir.path(),
        &[
            "validate",
            "legacy/old.yaml",
            "--no-config-file",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&r)["summary"]["suppressed"], 0);
    // Discovery stops at the repository root: a project file above it is not read.
    let inner = dir.path().join("inner");
    std::fs::create_dir_all(inner.join(".git")).expect("mkdir");
    std::fs::write(inner.join("warn.yaml"), &unused).expect("write");
    let r = run_in(&inner, &["validate", "warn.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_broken_project_file_is_a_clear_error() {
    let dir = project(&[
        (".otelcheck.yaml", "fail_on: warning\n"),
        ("c.yaml", &seed(FIXED)),
    ]);
    let r = run_in(dir.path(), &["validate", "c.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".otelcheck.yaml"), "{}", r.stderr);
    assert!(r.stderr.contains("--no-config-file"), "{}", r.stderr);
}

#[test]
fn a_broken_project_file_is_a_finding_in_every_report() {
    let dir = project(&[
        (
            ".otelcheck.yaml",
            "ignore: [unused-component]\nfail-on: warnings\n",
        ),
        ("c.yaml", &seed(BROKEN)),
        ("sub/.keep", ""),
    ]);
    // Text: file:line:col at the value, with a snippet, on standard error.
    let r = run_in(dir.path(), &["validate", "c.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            ".otelcheck.yaml:2:10: error[invalid-project-file] `fail-on: warnings` is not one of error, warning"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(" 2 | fail-on: warnings"), "{}", r.stderr);
    assert!(!r.stderr.contains("otelcheck: error:"), "{}", r.stderr);

    // Machine formats: a document carrying it, from a subdirectory too.
    let sub = dir.path().join("sub");
    let out = sub.join("r.sarif").display().to_string();
    let r = run_in(
        &sub,
        &[
            "validate",
            "../c.yaml",
            "--format",
            "json",
            "--report",
            &format!("sarif={out}"),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let doc = json(&r);
    assert_eq!(doc["verdict"], "error");
    assert_eq!(codes(&doc), ["invalid-project-file"]);
    assert_eq!(
        doc["findings"][0]["location"],
        serde_json::json!({"file": "../.otelcheck.yaml", "line": 2, "column": 10})
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("sarif report"))
            .expect("sarif is JSON");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "invalid-project-file"
    );

    // An unknown key is named (once, without the YAML library's "expected one of").
    std::fs::write(dir.path().join(".otelcheck.yaml"), "fail_on: warning\n").expect("write");
    let r = run_in(dir.path(), &["validate", "c.yaml", "--format", "junit"]);
    assert_eq!(r.code, 2);
    let junit = quick_junit::Report::deserialize_from_str(&r.stdout).expect("JUnit parses");
    assert_eq!(junit.test_suites[0].failures, 1);
    assert!(
        r.stderr.starts_with(
            ".otelcheck.yaml:1:1: error[invalid-project-file] invalid project file .otelcheck.yaml: unknown key `fail_on`"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("expected one of"), "{}", r.stderr);

    // A code that does not exist is pointed at where it is written.
    std::fs::write(
        dir.path().join(".otelcheck.yaml"),
        "per-file-ignores:\n  'legacy/*.yaml': [dead-rules]\n",
    )
    .expect("write");
    let r = run_in(
        dir.path(),
        &[
            "dry-run",
            "c.yaml",
            &fixture("captures/orders-ddtrace-py-v04.msgpack"),
            "--format",
            "github",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.starts_with(
            "::error file=.otelcheck.yaml,line=2,col=21,title=invalid-project-file::per-file-ignores: unknown finding code `dead-rules`; did you mean `dead-rule`?"
        ),
        "{}",
        r.stdout
    );
    // diff's document carries it as well.
    let r = run_in(
        dir.path(),
        &[
            "diff",
            "c.yaml",
            "c.yaml",
            &fixture("captures/orders-ddtrace-py-v04.msgpack"),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 2);
    let doc = json(&r);
    assert_eq!(
        (doc["kind"].as_str(), doc["verdict"].as_str()),
        (Some("diff"), Some("error"))
    );
    assert_eq!(codes(&doc), ["invalid-project-file"]);
    // --no-config-file skips it.
    let r = run_in(dir.path(), &["validate", "c.yaml", "--no-config-file"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn a_fatal_error_is_never_suppressed() {
    let r = otelcheck(&[
        "validate",
        "fixtures/validate/bad-yaml.yaml",
        "--ignore",
        "invalid-config",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(codes(&json(&r)), ["invalid-config"]);
}
