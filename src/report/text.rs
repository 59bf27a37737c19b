//! `--format text`: the per-pipeline tables (dry-run), then the diagnostics as
//! `file:line:col: severity[code] message` with a source snippet and a help line, then a
//! one-line summary. `quiet` keeps only the diagnostics.

use super::{table, Report};
use crate::diag::{render_text, Diagnostic, SourceMap};
use std::fmt::Write as _;

pub struct TextOptions {
    pub color: bool,
    pub quiet: bool,
    /// Columns available for tables.
    pub width: u16,
}

pub fn render(
    report: &Report,
    diags: &[Diagnostic],
    sources: &SourceMap,
    opts: &TextOptions,
) -> String {
    let mut out = String::new();
    if !opts.quiet {
        for pipeline in &report.pipelines {
            out.push_str(&table::render_pipeline(pipeline, opts.color, opts.width));
            out.push('\n');
        }
    }
    for d in diags {
        out.push_str(&render_text(d, sources, opts.color));
        out.push('\n');
    }
    if !opts.quiet {
        out.push_str(&summary_line(report));
    }
    out
}

fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = String::new();
    let _ = write!(
        line,
        "{}: {} error{}, {} warning{}",
        report.verdict,
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings)
    );
    if s.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", s.suppressed);
    }
    if report.configs.len() > 1 {
        let _ = write!(line, " in {} configs", report.configs.len());
    }
    if !report.captures.is_empty() {
        let spans: usize = report.captures.iter().map(|c| c.spans).sum();
        let _ = write!(
            line,
            "; replayed {spans} spans from {} capture(s)",
            report.captures.len()
        );
        let skipped: usize = report
            .captures
            .iter()
            .map(|c| c.skipped_other_signals)
            .sum();
        if skipped > 0 {
            let _ = write!(
                line,
                " ({skipped} OTLP JSON object(s) of other signals skipped)"
            );
        }
    }
    line.push('\n');
    line
}
