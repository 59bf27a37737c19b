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
            // Findings removed by --ignore/--select, inline comments or .otelcheck.yaml:
            // counted so that nothing disappears silently.
            "properties": { "suppressed": report.summary.suppressed },
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

/// A rule's metadata, from the code table: what code-scanning viewers show beside a result.
fn rule(code: &str) -> Value {
    let Some(doc) = codes::lookup(code) else {
        return json!({ "id": code, "name": code, "shortDescription": { "text": "an otelcheck finding" } });
    };
    let help_text = format!("Example:\n{}\n\nFix: {}", doc.example, doc.fix);
    let help_markdown = format!(
        "{}\n\nExample:\n\n```yaml\n{}\n```\n\n**Fix:** {}\n\nRun `otelcheck rule {}` for more.",
        doc.why, doc.example, doc.fix, doc.code
    );
    json!({
        "id": code,
        "name": code,
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.why },
        "help": { "text": help_text, "markdown": help_markdown },
        "defaultConfiguration": { "level": level(doc.severity) },
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
        let mut physical = json!({ "artifactLocation": { "uri": file_uri(&loc.file) } });
        // A finding about a whole file (it cannot be read) has no region: none is made up.
        if loc.has_position() {
            physical["region"] = json!({ "startLine": loc.line, "startColumn": loc.column.max(1) });
        }
        obj.insert(
            "locations".into(),
            json!([{ "physicalLocation": physical }]),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::JsonLocation;

    fn finding(code: &'static str, severity: Severity, at: Option<(u32, u32)>) -> Finding {
        Finding {
            config: None,
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
        let doc = codes::lookup(codes::CATCH_ALL_RULE).map(|d| d.summary);
        assert_eq!(rules[0]["shortDescription"]["text"].as_str(), doc);
        assert!(rules[0]["fullDescription"]["text"].as_str().is_some());
        assert!(rules[0]["help"]["markdown"]
            .as_str()
            .is_some_and(|h| h.contains("Fix")));
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
