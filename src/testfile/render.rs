//! Test results as text (a line per test, expected vs actual under each failure), JSON
//! (spec: `{"schema": 1, "kind": "test", "files": [...]}`) and JUnit (one test case per
//! test; a file that could not run is one failed case carrying its errors).

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::run::FileOutcome;
use crate::diag::render_text;
use crate::report::{Finding, Tool, SCHEMA_VERSION};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    /// Files that could not run.
    pub errors: usize,
}

pub fn totals(files: &[FileOutcome]) -> Totals {
    let mut t = Totals::default();
    for f in files {
        t.tests += f.tests.len();
        t.passed += f.tests.iter().filter(|t| t.passed).count();
        t.errors += usize::from(!f.errors.is_empty());
    }
    t.failed = t.tests - t.passed;
    t
}

pub fn text(files: &[FileOutcome], color: bool) -> String {
    let mut out = String::new();
    for f in files {
        let _ = writeln!(out, "{}", f.path);
        for t in &f.tests {
            let mark = if t.passed { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "  {mark}  {}", t.name);
            for fail in &t.failures {
                let _ = writeln!(
                    out,
                    "        expected  {}   ({})",
                    fail.expectation, fail.location
                );
                for (i, line) in fail.message.lines().enumerate() {
                    let label = if i == 0 { "actual  " } else { "        " };
                    let _ = writeln!(out, "        {label}  {line}");
                }
            }
        }
        for d in &f.errors {
            out.push_str(&render_text(d, &f.sources, color));
        }
    }
    let t = totals(files);
    let _ = write!(
        out,
        "{} test(s) in {} file(s): {} passed, {} failed",
        t.tests,
        files.len(),
        t.passed,
        t.failed
    );
    if t.errors > 0 {
        let _ = write!(out, "; {} file(s) could not run", t.errors);
    }
    out.push('\n');
    out
}

#[derive(serde::Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    tests: &'a [super::run::TestOutcome],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Finding>,
}

pub fn json(files: &[FileOutcome]) -> String {
    let t = totals(files);
    let doc = serde_json::json!({
        "schema": SCHEMA_VERSION,
        "kind": "test",
        "tool": Tool::default(),
        "files": files.iter().map(|f| JsonFile {
            path: &f.path,
            tests: &f.tests,
            errors: f.errors.iter().map(Finding::from).collect(),
        }).collect::<Vec<_>>(),
        "summary": t,
        "verdict": verdict(t),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

pub fn verdict(t: Totals) -> &'static str {
    if t.errors > 0 {
        "error"
    } else if t.failed > 0 {
        "fail"
    } else {
        "pass"
    }
}

pub fn junit(files: &[FileOutcome]) -> String {
    let mut report = quick_junit::Report::new("otelcheck test");
    for f in files {
        let mut suite = TestSuite::new(f.path.as_str());
        for t in &f.tests {
            let status = if t.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let first = &t.failures[0];
                let detail: String = t
                    .failures
                    .iter()
                    .map(|x| {
                        format!(
                            "{}: expected {}\n{}\n",
                            x.location, x.expectation, x.message
                        )
                    })
                    .collect();
                s.set_message(format!("expected {}", first.expectation))
                    .set_type("test-failed")
                    .set_description(detail);
                s
            };
            let mut case = TestCase::new(t.name.as_str(), status);
            case.set_classname(f.path.as_str());
            suite.add_test_case(case);
        }
        if !f.errors.is_empty() {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            let detail: String = f
                .errors
                .iter()
                .map(|d| format!("{}\n", Finding::from(d).message))
                .collect();
            s.set_message(f.errors[0].message.as_str())
                .set_type(f.errors[0].code)
                .set_description(detail);
            let mut case = TestCase::new(format!("{} could not run", f.path), s);
            case.set_classname(f.path.as_str());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map(|mut s| {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        })
        .unwrap_or_else(|e| format!("<!-- otelcheck: cannot write JUnit XML: {e} -->\n"))
}
