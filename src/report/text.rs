//! `--format text`: diagnostics as `file:line:col: severity[code] message` with a source
//! snippet and a help line, then the per-pipeline tables (dry-run), then a one-line summary.

use super::{table, Report};
use crate::diag::{render_text, Diagnostic, Severity, SourceMap};
use std::fmt::Write as _;

pub fn render(report: &Report, diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for pipeline in &report.pipelines {
        out.push_str(&table::render_pipeline(pipeline, color));
        out.push('\n');
    }
    for d in diags {
        out.push_str(&render_text(d, sources, color));
        out.push('\n');
    }
    out.push_str(&summary_line(report, diags));
    out
}

fn summary_line(report: &Report, diags: &[Diagnostic]) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let mut line = String::new();
    let _ = write!(
        line,
        "{}: {} error{}, {} warning{}",
        report.verdict,
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" }
    );
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
