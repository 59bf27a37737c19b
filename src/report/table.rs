//! The per-pipeline summary table of `dry-run` (comfy-table), fitted to `width` columns.
//!
//! The config file is named once, in the heading; locations in the table are `:line:col`
//! within it. Rule rows are indented under their processor, and the indent is kept on every
//! wrapped line because rule text is wrapped here, before the table sees it. Below the table,
//! each dropping rule lists example span names and services it dropped.

use super::{ConfigPipeline, JsonLocation, RuleReport};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write as _;

const HEADER: [&str; 8] = [
    "processor / rule",
    "at",
    "action",
    "eval",
    "match",
    "drop",
    "err",
    "out",
];
const INDENT: &str = "  ";

pub fn render_pipeline(p: &ConfigPipeline, color: bool, width: u16) -> String {
    let file = main_file(p);
    let rows = rows(p, file.as_deref());
    let text_width = text_column_width(&rows, width);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(HEADER);
    if !color {
        table.force_no_tty();
    }
    for row in &rows {
        let first = wrap(&row.label, row.indent, text_width);
        let mut cells = vec![Cell::new(first), Cell::new(&row.at), Cell::new(row.action)];
        cells.extend(row.numbers.iter().map(|n| match n {
            Some(n) => Cell::new(n).set_alignment(CellAlignment::Right),
            None => Cell::new(""),
        }));
        table.add_row(cells);
    }
    let mut out = format!(
        "pipeline {}{}: {} spans in, {} out; services in: {}; services out: {}\n{table}\n",
        p.id,
        file.as_deref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default(),
        p.spans_in,
        p.spans_out,
        join_or_none(&p.services_in),
        join_or_none(&p.services_out)
    );
    out.push_str(&trace_lines(p, file.as_deref()));
    out.push_str(&dropped_examples(p, file.as_deref(), usize::from(width)));
    out.push_str(&rewritten_fields(p, file.as_deref()));
    out
}

/// Per sampler (and `groupbytrace`): traces in and out, a tail sampler's decisions, and per
/// policy its verdicts and the kept traces it decided.
fn trace_lines(p: &ConfigPipeline, file: Option<&str>) -> String {
    let mut out = String::new();
    for proc in &p.processors {
        let (Some(tin), Some(tout)) = (proc.traces_in, proc.traces_out) else {
            continue;
        };
        let _ = write!(out, "  {}: {tin} traces in, {tout} out", proc.id);
        if let Some(d) = &proc.trace_decisions {
            let _ = write!(out, "; {}", super::decisions_text(d));
        }
        out.push('\n');
        for rule in &proc.rules {
            let Some(c) = &rule.policy else { continue };
            let at = rule
                .location
                .as_ref()
                .map(|l| short_location(l, file, true))
                .unwrap_or_default();
            let _ = writeln!(out, "    {} {at}: {}", rule.text, super::policy_text(c));
        }
    }
    out
}

struct Row {
    label: String,
    indent: bool,
    at: String,
    action: &'static str,
    numbers: [Option<u64>; 5],
}

fn rows(p: &ConfigPipeline, file: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    for proc in &p.processors {
        let status = if proc.emulated {
            ""
        } else {
            " (not emulated: passed through)"
        };
        rows.push(Row {
            // The id starts with the type (`filter/health`), so the type is not repeated.
            label: format!("{}{status}", proc.id),
            indent: false,
            at: proc
                .location
                .as_ref()
                .map(|l| short_location(l, file, false))
                .unwrap_or_default(),
            action: "",
            numbers: [
                Some(proc.spans_in as u64),
                None,
                Some(proc.spans_in.saturating_sub(proc.spans_out) as u64),
                None,
                Some(proc.spans_out as u64),
            ],
        });
        rows.extend(proc.rules.iter().map(|r| rule_row(r, file)));
    }
    rows
}

fn rule_row(rule: &RuleReport, file: Option<&str>) -> Row {
    Row {
        label: rule.text.clone(),
        indent: true,
        at: rule
            .location
            .as_ref()
            .map(|l| short_location(l, file, true))
            .unwrap_or_default(),
        action: rule.action,
        numbers: [
            Some(rule.evaluated),
            Some(rule.matched),
            Some(rule.dropped),
            Some(rule.errors),
            None,
        ],
    }
}

/// `:line:col` in the heading's file; the full location when it is another file.
fn short_location(l: &JsonLocation, file: Option<&str>, with_column: bool) -> String {
    let tail = if with_column {
        format!(":{}:{}", l.line, l.column)
    } else {
        format!(":{}", l.line)
    };
    if file == Some(l.file.as_str()) {
        tail
    } else {
        format!("{}{tail}", l.file)
    }
}

/// The file most processor locations point into.
fn main_file(p: &ConfigPipeline) -> Option<String> {
    p.processors
        .iter()
        .find_map(|proc| proc.location.as_ref().map(|l| l.file.clone()))
}

/// Width left for the first column once the others take what their widest cell needs.
fn text_column_width(rows: &[Row], width: u16) -> usize {
    let mut others = 0;
    for (i, head) in HEADER.iter().enumerate().skip(1) {
        let widest = rows
            .iter()
            .map(|r| match i {
                1 => r.at.chars().count(),
                2 => r.action.len(),
                n => r.numbers[n - 3].map_or(0, |v| v.to_string().len()),
            })
            .max()
            .unwrap_or(0)
            .max(head.len());
        others += widest + 3; // a border and one space each side
    }
    (usize::from(width)).saturating_sub(others + 4).max(16)
}

/// Wrap `text` to `width` characters; rule rows keep their indent on every line.
fn wrap(text: &str, indent: bool, width: usize) -> String {
    let lead = if indent { INDENT } else { "" };
    let room = width.saturating_sub(lead.len()).max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let mut word = word.to_owned();
        loop {
            let len = current.chars().count();
            let wlen = word.chars().count();
            if len == 0 && wlen > room {
                // A word longer than a line is cut.
                let head: String = word.chars().take(room).collect();
                lines.push(head);
                word = word.chars().skip(room).collect();
                continue;
            }
            if len > 0 && len + 1 + wlen > room {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            if len > 0 {
                current.push(' ');
            }
            current.push_str(&word);
            break;
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
        .iter()
        .map(|l| format!("{lead}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Per dropping rule: the most frequent span names and services among the spans it dropped,
/// as many as fit in `width` columns (at least the first of each).
fn dropped_examples(p: &ConfigPipeline, file: Option<&str>, width: usize) -> String {
    let mut out = String::new();
    for proc in &p.processors {
        for rule in proc
            .rules
            .iter()
            .filter(|r| r.dropped > 0 && !r.dropped_names.is_empty())
        {
            let at = rule
                .location
                .as_ref()
                .map(|l| short_location(l, file, true))
                .unwrap_or_default();
            let line = |names: usize, services: usize| {
                format!(
                    "  {} {at} dropped {}: {}; services: {}",
                    proc.id,
                    rule.dropped,
                    counted(&rule.dropped_names[..names]),
                    counted(&rule.dropped_services[..services])
                )
            };
            let (mut names, mut services) = (rule.dropped_names.len(), rule.dropped_services.len());
            let mut text = line(names, services);
            while text.chars().count() > width && (names > 1 || services > 1) {
                if names >= services && names > 1 {
                    names -= 1;
                } else {
                    services -= 1;
                }
                text = line(names, services);
            }
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

/// `flask.request ×20, GET /health ×4`: values with how many dropped spans had each.
fn counted(values: &[super::DroppedValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} ×{}", v.value, v.spans))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per rewriting rule that changed something: spans changed and the fields it touched.
fn rewritten_fields(p: &ConfigPipeline, file: Option<&str>) -> String {
    let mut out = String::new();
    for proc in &p.processors {
        for rule in proc.rules.iter().filter(|r| r.edits > 0) {
            let at = rule
                .location
                .as_ref()
                .map(|l| short_location(l, file, true))
                .unwrap_or_default();
            let mut fields: Vec<(&String, &u64)> = rule.fields.iter().collect();
            fields.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
            let shown: Vec<String> = fields
                .iter()
                .take(5)
                .map(|(f, n)| format!("{f} ×{n}"))
                .collect();
            let more = fields.len().saturating_sub(5);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} {at} {} changed {}: {}{more}",
                proc.id,
                rule.action,
                if rule.spans_changed > 0 {
                    format!("{} span(s)", rule.spans_changed)
                } else {
                    "resources".to_owned()
                },
                shown.join(", ")
            );
        }
    }
    out
}

fn join_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_the_indent_on_every_line() {
        let w = wrap("aaaa bbbb cccc dddd", true, 12);
        assert_eq!(w, "  aaaa bbbb\n  cccc dddd");
        assert!(wrap(&"x".repeat(30), true, 12)
            .lines()
            .all(|l| l.starts_with("  ")));
    }
}
