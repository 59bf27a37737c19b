//! `--format markdown`: a report meant to be pasted as a pull-request comment (or appended to
//! `$GITHUB_STEP_SUMMARY`): a verdict line, one table per replayed pipeline, then the findings
//! grouped by severity with their `file:line:col` and help.
//!
//! Everything that comes from the config or the capture (rule text, ids, messages) is user
//! data: table cells escape `|` and fold newlines so a rule cannot break the table, and code
//! spans pick a backtick fence longer than any run inside the text.

use super::{Finding, PipelineReport, ProcessorReport, Report, RuleReport};
use crate::diag::Severity;
use std::fmt::Write as _;

const HEADER: &str =
    "| processor | rule | location | action | evaluated | matched | dropped | errors |\n\
                      |---|---|---|---|--:|--:|--:|--:|\n";

pub fn render(report: &Report) -> String {
    let mut out = String::from("## otelcheck\n\n");
    out.push_str(&verdict_line(report));
    for p in &report.pipelines {
        out.push('\n');
        out.push_str(&pipeline(p));
    }
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if !group.is_empty() {
            out.push('\n');
            out.push_str(&findings(severity, &group));
        }
    }
    out
}

fn verdict_line(report: &Report) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let mut line = format!(
        "**{}**: {errors} error{}, {warnings} warning{}",
        report.verdict,
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    if report.summary.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", report.summary.suppressed);
    }
    if !report.configs.is_empty() {
        let configs: Vec<String> = report.configs.iter().map(|c| code(c)).collect();
        let _ = write!(line, " in {}", configs.join(", "));
    }
    if !report.captures.is_empty() {
        let spans: usize = report.captures.iter().map(|c| c.spans).sum();
        let _ = write!(
            line,
            "; replayed {spans} spans from {} capture(s)",
            report.captures.len()
        );
    }
    line.push('\n');
    line
}

fn pipeline(p: &PipelineReport) -> String {
    let mut out = format!(
        "### Pipeline `{}`: {} spans in, {} out\n\n",
        p.id.replace('`', "'"),
        p.spans_in,
        p.spans_out
    );
    out.push_str(HEADER);
    for proc in &p.processors {
        out.push_str(&processor_row(proc));
        for rule in &proc.rules {
            out.push_str(&rule_row(rule));
        }
    }
    out.push_str(&trace_list(p));
    out
}

/// Below the table: per sampler (and `groupbytrace`) traces in and out, a tail sampler's
/// decisions, and per policy its verdicts.
fn trace_list(p: &PipelineReport) -> String {
    let mut out = String::new();
    for proc in &p.processors {
        let (Some(tin), Some(tout)) = (proc.traces_in, proc.traces_out) else {
            continue;
        };
        if out.is_empty() {
            out.push('\n');
        }
        let _ = write!(out, "- {}: {tin} traces in, {tout} out", code(&proc.id));
        if let Some(d) = &proc.trace_decisions {
            let _ = write!(out, "; {}", super::decisions_text(d));
        }
        out.push('\n');
        for rule in &proc.rules {
            if let Some(c) = &rule.policy {
                let _ = writeln!(out, "  - {}: {}", code(&rule.text), super::policy_text(c));
            }
        }
    }
    out
}

/// The processor as a whole: spans it saw and how many it removed.
fn processor_row(proc: &ProcessorReport) -> String {
    let mut name = format!("{} [{}]", proc.id, proc.ty);
    if !proc.emulated {
        name.push_str(" (not emulated: passed through)");
    }
    let location = proc
        .location
        .as_ref()
        .map(|l| code(&format!("{}:{}", l.file, l.line)))
        .unwrap_or_default();
    row(&[
        cell(&name),
        String::new(),
        location,
        String::new(),
        proc.spans_in.to_string(),
        String::new(),
        proc.spans_in.saturating_sub(proc.spans_out).to_string(),
        String::new(),
    ])
}

fn rule_row(rule: &RuleReport) -> String {
    let location = rule
        .location
        .as_ref()
        .map(|l| code(&format!("{}:{}:{}", l.file, l.line, l.column)))
        .unwrap_or_default();
    row(&[
        String::new(),
        code(&rule.text),
        location,
        cell(rule.action),
        rule.evaluated.to_string(),
        rule.matched.to_string(),
        rule.dropped.to_string(),
        rule.errors.to_string(),
    ])
}

fn row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn findings(severity: Severity, group: &[&Finding]) -> String {
    let title = match severity {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Notes",
    };
    let mut out = format!("### {title} ({})\n\n", group.len());
    for f in group {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{} ", code(&l.to_string())))
            .unwrap_or_default();
        let _ = writeln!(out, "- {at}**{}**: {}", f.code, one_line(&f.message));
        for note in &f.notes {
            let _ = writeln!(out, "  - note: {}", one_line(note));
        }
        if let Some(help) = &f.help {
            let _ = writeln!(out, "  - help: {}", one_line(help));
        }
    }
    out
}

/// Plain text for a table cell: `|` escaped, newlines folded.
pub(crate) fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// A code span safe inside a table cell. GFM splits table rows on `|` even inside code
/// spans, and `\|` there renders as `|`, so the escape is needed in both places.
pub(crate) fn code(s: &str) -> String {
    let text = one_line(s).replace('|', "\\|");
    let longest_run = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest_run + 1);
    // A space on each side keeps a leading or trailing backtick out of the fence.
    if longest_run > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_escape_pipes_and_outgrow_backticks() {
        assert_eq!(code("a | b"), "`a \\| b`");
        assert_eq!(code("x `y` z"), "`` x `y` z ``");
        assert_eq!(code("two\nlines"), "`two lines`");
    }

    #[test]
    fn rule_rows_keep_the_table_shape() {
        let rule = RuleReport {
            text: "attributes[\"a\"] == \"x|y\"".into(),
            location: None,
            action: "drop",
            evaluated: 10,
            matched: 3,
            dropped: 2,
            errors: 1,
            examples: vec![],
            edits: 0,
            spans_changed: 0,
            fields: std::collections::BTreeMap::new(),
            policy: None,
            ..RuleReport::default()
        };
        let r = rule_row(&rule);
        // 8 columns → 9 unescaped pipes.
        let unescaped = r.matches('|').count() - r.matches("\\|").count();
        assert_eq!(unescaped, 9, "{r}");
        assert!(r.ends_with("| drop | 10 | 3 | 2 | 1 |\n"), "{r}");
    }

    #[test]
    fn clean_report_has_a_verdict_and_no_finding_sections() {
        let report = Report::new(vec!["c.yaml".into()]);
        let out = render(&report);
        assert!(out.contains("**pass**: 0 errors, 0 warnings in `c.yaml`"));
        assert!(!out.contains("### Errors"));
    }
}
