//! The diff as a pull-request comment.

use std::fmt::Write as _;

use super::super::rules::{Change, RuleChange};
use super::super::{DiffReport, PipelineChange};
use super::{count, list, own_findings, spans_out_delta, BASE_REFUSED};
use crate::report::markdown::{cell, code};
use crate::report::Example;

/// The Markdown document for a pull-request comment.
pub fn markdown(r: &DiffReport, base: &str, head: &str) -> String {
    let mut out = String::from("## otelcheck diff\n\n");
    let spans: usize = r.head.captures.iter().map(|c| c.spans).sum();
    let _ = writeln!(
        out,
        "**{}**: BASE {} → HEAD {}, {spans} spans from {} capture(s)\n",
        r.verdict,
        code(base),
        code(head),
        r.head.captures.len()
    );
    let _ = writeln!(out, "{}\n", own_findings(r));
    out.push_str(
        "| pipeline | spans out (BASE → HEAD) | newly dropped | newly kept | services lost | services gained |\n\
         |---|--:|--:|--:|---|---|\n",
    );
    for p in &r.changes.pipelines {
        let id = match p.only_in {
            Some("base") => format!("{} (removed)", code(&p.id)),
            Some(_) => format!("{} (added)", code(&p.id)),
            None => code(&p.id),
        };
        let _ = writeln!(
            out,
            "| {id} | {} | {} | {} | {} | {} |",
            cell(&spans_out_delta(p, "→")),
            p.spans_newly_dropped,
            p.spans_newly_kept,
            cell(&list(&p.services_lost)),
            cell(&list(&p.services_gained)),
        );
    }
    if !r.findings.is_empty() {
        out.push_str("\n### Findings\n\n");
        for f in &r.findings {
            let at = f
                .location
                .as_ref()
                .map(|l| format!("{} ", code(&l.to_string())))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {at}**{}** ({}): {}",
                f.code,
                f.severity.as_str(),
                cell(&f.message)
            );
        }
    }
    md_rules(&mut out, &r.changes.rules);
    md_attributes(&mut out, &r.changes.pipelines);
    md_examples(&mut out, &r.changes.pipelines);
    if r.base_refused {
        out.push_str(BASE_REFUSED);
    }
    if r.sensitive == "not-checked" {
        out.push_str("\n_Sensitive values were not compared: a side could not be replayed._\n");
    }
    out
}

fn md_rules(out: &mut String, rules: &[RuleChange]) {
    let moved: Vec<&RuleChange> = rules.iter().filter(|r| r.change != Change::Same).collect();
    let same = rules.len() - moved.len();
    if moved.is_empty() {
        let _ = writeln!(out, "\nRules: none changed ({same} unchanged).");
        return;
    }
    let _ = writeln!(
        out,
        "\n### Rules ({} changed or moved, {same} unchanged)\n",
        moved.len()
    );
    out.push_str("| change | pipeline | processor | rule | location | matched (BASE → HEAD) | dropped (BASE → HEAD) |\n|---|---|---|---|---|--:|--:|\n");
    for r in &moved {
        let at = r
            .location
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} → {} | {} → {} |",
            r.change.as_str(),
            code(&r.pipeline),
            code(&r.processor),
            code(&r.text),
            cell(&at),
            count(r.matched.base),
            count(r.matched.head),
            count(r.dropped.base),
            count(r.dropped.head),
        );
    }
    for r in moved.iter().filter(|r| r.text_diff.is_some()) {
        let diff = r.text_diff.as_deref().unwrap_or_default();
        let fence = "`".repeat(3.max(longest_backtick_run(diff) + 1));
        let _ = writeln!(
            out,
            "\n<details><summary>{} {}</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>",
            cell(&r.processor),
            cell(&r.pipeline),
        );
    }
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Attribute rows per pipeline and direction beyond which a comment only counts the rest (a
/// pull-request comment has a size limit; the JSON report lists them all).
const MAX_ATTRIBUTE_ROWS: usize = 15;

fn md_attributes(out: &mut String, pipelines: &[PipelineChange]) {
    let mut rows: Vec<String> = Vec::new();
    for p in pipelines {
        for (what, keys) in [
            ("newly exposed", &p.attributes_newly_exposed),
            ("newly removed", &p.attributes_newly_removed),
        ] {
            for k in keys.iter().take(MAX_ATTRIBUTE_ROWS) {
                rows.push(format!(
                    "| {} | {what} | {} | {} |",
                    code(&p.id),
                    code(&k.key),
                    k.spans
                ));
            }
            if keys.len() > MAX_ATTRIBUTE_ROWS {
                rows.push(format!(
                    "| {} | {what} | … and {} more (see `--format json`) | |",
                    code(&p.id),
                    keys.len() - MAX_ATTRIBUTE_ROWS
                ));
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    out.push_str("\n### Attributes at the exporters\n\n| pipeline | change | key | spans |\n|---|---|---|--:|\n");
    for row in rows {
        let _ = writeln!(out, "{row}");
    }
}

fn md_examples(out: &mut String, pipelines: &[PipelineChange]) {
    let rows: Vec<(&PipelineChange, &str, &Example)> = pipelines
        .iter()
        .flat_map(|p| {
            let d = p
                .examples_newly_dropped
                .iter()
                .map(move |e| (p, "dropped", e));
            let k = p.examples_newly_kept.iter().map(move |e| (p, "kept", e));
            d.chain(k)
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("\n### Example spans newly dropped or kept by HEAD\n\n| pipeline | newly | service | name | trace id | span id |\n|---|---|---|---|---|---|\n");
    for (p, what, e) in rows {
        let _ = writeln!(
            out,
            "| {} | {what} | {} | {} | {} | {} |",
            code(&p.id),
            cell(&e.service),
            code(&e.name),
            code(&e.trace_id),
            code(&e.span_id)
        );
    }
}
