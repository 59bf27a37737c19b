//! The per-pipeline summary table of `dry-run` (comfy-table).

use super::{PipelineReport, RuleReport};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};

pub fn render_pipeline(p: &PipelineReport, color: bool) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        table.force_no_tty();
    }
    table.set_header([
        "processor / rule",
        "location",
        "action",
        "evaluated",
        "matched",
        "dropped",
        "errors",
        "out",
    ]);
    for proc in &p.processors {
        let status = if proc.emulated {
            String::new()
        } else {
            " (not emulated: passed through)".to_owned()
        };
        table.add_row(vec![
            Cell::new(format!("{} [{}]{status}", proc.id, proc.ty)),
            Cell::new(
                proc.location
                    .as_ref()
                    .map(|l| format!("{}:{}", l.file, l.line))
                    .unwrap_or_default(),
            ),
            Cell::new(""),
            num(proc.spans_in as u64),
            Cell::new(""),
            num(proc.spans_in.saturating_sub(proc.spans_out) as u64),
            Cell::new(""),
            num(proc.spans_out as u64),
        ]);
        for rule in &proc.rules {
            table.add_row(rule_row(rule));
        }
    }
    format!(
        "pipeline {}: {} spans in, {} out; services in: {}; services out: {}\n{table}\n",
        p.id,
        p.spans_in,
        p.spans_out,
        join_or_none(&p.services_in),
        join_or_none(&p.services_out)
    )
}

fn rule_row(rule: &RuleReport) -> Vec<Cell> {
    let text = if rule.text.chars().count() > 90 {
        format!("  {}…", rule.text.chars().take(89).collect::<String>())
    } else {
        format!("  {}", rule.text)
    };
    vec![
        Cell::new(text),
        Cell::new(
            rule.location
                .as_ref()
                .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
                .unwrap_or_default(),
        ),
        Cell::new(rule.action),
        num(rule.evaluated),
        num(rule.matched),
        num(rule.dropped),
        num(rule.errors),
        Cell::new(""),
    ]
}

fn num(n: u64) -> Cell {
    Cell::new(n).set_alignment(CellAlignment::Right)
}

fn join_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.join(", ")
    }
}
