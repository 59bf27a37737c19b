//! `--format sarif`: the findings as one SARIF 2.1.0 log, for code-scanning uploads
//! (GitHub's `upload-sarif`, GitLab, IDE viewers).
//!
//! Invariants: exactly one run; `tool.driver.rules` lists every finding code the run used,
//! once, in first-use order, and each result's `ruleIndex` points into that list; a finding
//! without a location yields a result without `locations` (allowed by the schema) rather
//! than a made-up position. Built with `serde_json::json!` because the document is small and
//! its field names are fixed by the standard, not by our Rust types.

use super::{Finding, Report};
use crate::diag::{codes, Severity};
use serde_json::{json, Value};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report) -> String {
    let doc = document(report);
    // A `Value` of strings and numbers always serialises.
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The SARIF log as a JSON value (tests inspect it without re-parsing text).
pub fn document(report: &Report) -> Value {
    let rule_ids = used_codes(&report.findings);
    let rules: Vec<Value> = rule_ids.iter().map(|code| rule(code)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, rule_ids.iter().position(|c| *c == f.code)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "rules": rules,
                }
            },
            "results": results,
        }]
    })
}

/// Every code the findings use, once, in order of first use.
fn used_codes(findings: &[Finding]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for f in findings {
        if !out.contains(&f.code) {
            out.push(f.code);
        }
    }
    out
}

fn rule(code: &str) -> Value {
    json!({
        "id": code,
        "name": code,
        "shortDescription": { "text": describe(code) },
    })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": message_text(f) },
    });
    if let (Some(i), Some(obj)) = (rule_index, r.as_object_mut()) {
        obj.insert("ruleIndex".into(), json!(i));
    }
    if let (Some(loc), Some(obj)) = (&f.location, r.as_object_mut()) {
        obj.insert(
            "locations".into(),
            json!([{
                "physicalLocation": {
                    "artifactLocation": { "uri": file_uri(&loc.file) },
                    // SARIF regions are 1-based like ours; 0 would be invalid, so clamp.
                    "region": { "startLine": loc.line.max(1), "startColumn": loc.column.max(1) },
                }
            }]),
        );
    }
    r
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The message, then the help and notes on their own lines: viewers show only this text.
fn message_text(f: &Finding) -> String {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    for note in &f.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    text
}

/// A relative URI reference for a path as the user typed it: forward slashes, and the few
/// characters that cannot appear raw in a URI percent-encoded.
fn file_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(c),
        }
    }
    out
}

/// One line per finding code: what it means, for the rule list of code-scanning viewers.
pub fn describe(code: &str) -> &'static str {
    match code {
        codes::INVALID_OTTL => "OTTL the collector's parser would reject",
        codes::NON_UPSTREAM_SYNTAX => "syntax otelcheck accepts but the collector does not",
        codes::CATCH_ALL_RULE => "a drop or sample rule that matches every span it tests",
        codes::SERVICE_LOST => "a service in the capture has no span left after a pipeline",
        codes::PIPELINE_DROPS_EVERYTHING => "a pipeline exports no span from a non-empty capture",
        codes::DEAD_RULE => "a rule that matched no span",
        codes::UNKNOWN_COMPONENT => "a component type the collector does not know",
        codes::UNDEFINED_COMPONENT => "a pipeline names a component that is not defined",
        codes::UNUSED_COMPONENT => "a component defined but used by no pipeline",
        codes::UNSUPPORTED_COMPONENT => "a component otelcheck cannot emulate; spans pass through",
        codes::EVALUATION_ERROR => "a rule raised errors on some spans",
        codes::SENSITIVE_DATA_EXPORTED => "exported spans still carry values that look sensitive",
        codes::INVALID_CONFIG => "a file that is not a readable collector config",
        codes::INVALID_SETTING => "component settings the collector rejects",
        codes::INVALID_PIPELINE => "pipeline wiring the collector rejects",
        codes::UNSET_VARIABLE => "an ${env:VAR} reference to a variable that is not set",
        codes::UNROUTED_CAPTURE => "a capture that reaches no pipeline of its kind",
        codes::FILTER_WRONG_SIGNAL => "a filter with no rules for the signal of its pipeline",
        _ => "an otelcheck finding",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::JsonLocation;

    fn finding(code: &'static str, severity: Severity, at: Option<(u32, u32)>) -> Finding {
        Finding {
            code,
            severity,
            message: format!("{code} here"),
            location: at.map(|(line, column)| JsonLocation {
                file: "dir with space/c.yaml".into(),
                line,
                column,
            }),
            help: Some("do this".into()),
            notes: vec![],
        }
    }

    fn sample() -> Value {
        let mut report = Report::new(vec!["c.yaml".into()]);
        report.findings = vec![
            finding(codes::CATCH_ALL_RULE, Severity::Error, Some((22, 41))),
            finding(codes::DEAD_RULE, Severity::Warning, Some((22, 12))),
            finding(codes::CATCH_ALL_RULE, Severity::Error, Some((30, 5))),
            finding(codes::UNROUTED_CAPTURE, Severity::Info, None),
        ];
        document(&report)
    }

    #[test]
    fn has_the_required_sarif_keys() {
        let doc = sample();
        assert_eq!(doc["version"], "2.1.0");
        assert!(doc["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
        let runs = doc["runs"].as_array().map(Vec::len);
        assert_eq!(runs, Some(1));
        assert_eq!(doc["runs"][0]["tool"]["driver"]["name"], "otelcheck");
    }

    #[test]
    fn rules_are_the_used_codes_once_with_descriptions() {
        let doc = sample();
        let rules = doc["runs"][0]["tool"]["driver"]["rules"].clone();
        let ids: Vec<&str> = rules
            .as_array()
            .map(|r| r.iter().filter_map(|r| r["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ids, ["catch-all-rule", "dead-rule", "unrouted-capture"]);
        assert_eq!(
            rules[0]["shortDescription"]["text"],
            describe(codes::CATCH_ALL_RULE)
        );
        // Every contract code has its own description, not the fallback.
        assert_ne!(describe(codes::SENSITIVE_DATA_EXPORTED), describe("nope"));
    }

    #[test]
    fn results_map_levels_locations_and_rule_indexes() {
        let doc = sample();
        let results = &doc["runs"][0]["results"];
        let levels: Vec<&str> = (0..4)
            .filter_map(|i| results[i]["level"].as_str())
            .collect();
        assert_eq!(levels, ["error", "warning", "error", "note"]);
        assert_eq!(results[2]["ruleIndex"], 0);
        assert_eq!(results[1]["ruleIndex"], 1);
        let loc = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "dir%20with%20space/c.yaml");
        assert_eq!(loc["region"]["startLine"], 22);
        assert_eq!(loc["region"]["startColumn"], 41);
        assert_eq!(
            results[0]["message"]["text"],
            "catch-all-rule here\nhelp: do this"
        );
        assert!(results[3].get("locations").is_none());
    }
}
