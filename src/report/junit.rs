//! `--format junit`: JUnit XML (via `quick-junit`) for CI systems that chart test reports.
//!
//! One test suite per command run. One test case per finding (two findings at one location
//! are two cases; a `#2` suffix keeps their names unique and stable across runs). A case fails when its severity is at or above the `--fail-on`
//! threshold, matching the exit code; findings below it are passing cases whose output
//! carries the message, so nothing is hidden. A dry run adds one passing case per replayed
//! pipeline, so a clean run still shows what was checked.

use super::{Finding, JsonLocation, PipelineReport, Report};
use crate::diag::Severity;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

/// `command` names the suite (`validate`, `dry-run`); `fail_on` is the exit-code threshold.
pub fn render(report: &Report, command: &str, fail_on: Severity) -> String {
    let mut suite = TestSuite::new(format!("otelcheck {command}"));
    for p in &report.pipelines {
        suite.add_test_case(pipeline_case(p));
    }
    let mut seen: Vec<String> = Vec::new();
    for f in &report.findings {
        let base = case_name(f.code, f.location.as_ref());
        let n = seen.iter().filter(|s| **s == base).count();
        seen.push(base.clone());
        let name = if n == 0 {
            base
        } else {
            format!("{base} #{}", n + 1)
        };
        suite.add_test_case(finding_case(f, name, fail_on));
    }
    // Findings removed by --ignore/--select, inline comments or .otelcheck.yaml.
    suite.add_property(quick_junit::Property::new(
        "suppressed",
        report.summary.suppressed.to_string(),
    ));
    let mut junit = quick_junit::Report::new("otelcheck");
    junit.add_test_suite(suite);
    // Serialising into a String only fails on I/O, which a String cannot have.
    junit
        .to_string()
        .map(|mut s| {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        })
        .unwrap_or_else(|e| format!("<!-- otelcheck: cannot write JUnit XML: {e} -->\n"))
}

fn pipeline_case(p: &PipelineReport) -> TestCase {
    let mut case = TestCase::new(format!("pipeline {}", p.id), TestCaseStatus::success());
    case.set_classname("otelcheck.pipeline");
    let mut out = format!("spans in: {}, spans out: {}\n", p.spans_in, p.spans_out);
    for proc in &p.processors {
        out.push_str(&format!(
            "{}: {} in, {} out{}\n",
            proc.id,
            proc.spans_in,
            proc.spans_out,
            if proc.emulated { "" } else { " (not emulated)" }
        ));
    }
    case.set_system_out(out);
    case
}

fn finding_case(f: &Finding, name: String, fail_on: Severity) -> TestCase {
    let details = details(f);
    let status = if f.severity >= fail_on {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(f.message.as_str())
            .set_type(f.severity.as_str())
            .set_description(details.clone());
        s
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(format!("otelcheck.{}", f.code));
    case.set_system_out(format!("{}: {details}\n", f.severity));
    case
}

fn case_name(code: &str, location: Option<&JsonLocation>) -> String {
    match location {
        Some(l) => format!("{code} at {l}"),
        None => code.to_owned(),
    }
}

fn details(f: &Finding) -> String {
    let mut text = f.message.clone();
    for note in &f.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str, severity: Severity, line: u32) -> Finding {
        Finding {
            config: None,
            code,
            severity,
            message: format!("{code} <&> here"),
            location: Some(JsonLocation {
                file: "c.yaml".into(),
                line,
                column: 3,
            }),
            help: Some("fix".into()),
            notes: vec![],
        }
    }

    fn parsed(xml: &str) -> quick_junit::Report {
        quick_junit::Report::deserialize_from_str(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn sample() -> Report {
        let mut report = Report::new(vec!["c.yaml".into()]);
        report.findings = vec![
            finding("catch-all-rule", Severity::Error, 22),
            finding("catch-all-rule", Severity::Error, 22),
            finding("dead-rule", Severity::Warning, 22),
        ];
        report
    }

    #[test]
    fn errors_fail_warnings_pass_by_default() {
        let xml = render(&sample(), "validate", Severity::Error);
        let junit = parsed(&xml);
        let suite = &junit.test_suites[0];
        assert_eq!(suite.name.as_str(), "otelcheck validate");
        assert_eq!(suite.test_cases.len(), 3, "one case per finding");
        assert_eq!(suite.failures, 2);
        assert_eq!(
            suite.test_cases[1].name.as_str(),
            "catch-all-rule at c.yaml:22:3 #2"
        );
        assert_eq!(
            suite.test_cases[0].name.as_str(),
            "catch-all-rule at c.yaml:22:3"
        );
        assert!(matches!(
            suite.test_cases[2].status,
            TestCaseStatus::Success { .. }
        ));
        assert!(xml.contains("&lt;&amp;&gt;"), "message is XML-escaped");
    }

    #[test]
    fn fail_on_warning_makes_warnings_fail() {
        let junit = parsed(&render(&sample(), "validate", Severity::Warning));
        assert_eq!(junit.test_suites[0].failures, 3);
    }

    #[test]
    fn pipelines_are_passing_cases() {
        let mut report = Report::new(vec![]);
        report.pipelines = vec![crate::report::ConfigPipeline {
            config: None,
            pipeline: PipelineReport {
                id: "traces/x".into(),
                spans_in: 10,
                spans_out: 7,
                services_in: vec![],
                services_out: vec![],
                processors: vec![],
                exporters: vec![],
            },
        }];
        let junit = parsed(&render(&report, "dry-run", Severity::Error));
        let case = &junit.test_suites[0].test_cases[0];
        assert_eq!(case.name.as_str(), "pipeline traces/x");
        assert_eq!(
            case.system_out.as_ref().map(|s| s.as_str().trim_end()),
            Some("spans in: 10, spans out: 7")
        );
        assert_eq!(junit.test_suites[0].failures, 0);
    }
}
