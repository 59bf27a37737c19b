//! The diff as text (a terminal) and as Markdown (a pull-request comment or job summary).
//! Both lead with what a reviewer must act on: the per-pipeline deltas, the rules that
//! changed with a unified diff of their text, and example spans HEAD newly drops; rules that
//! stayed the same are only counted.

use std::fmt::Write as _;

use super::rules::{Change, RuleChange};
use super::{DiffReport, PipelineChange};
use crate::report::markdown::{cell, code};
use crate::report::Example;

const BASE_REFUSED: &str =
    "\nBASE would be refused by the collector at start (see its findings), so it \
     exports nothing in reality: the changes above compare with BASE as otelcheck emulates it, \
     and none of them counts as a regression.\n";

fn num(n: Option<usize>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

fn spans_out_delta(p: &PipelineChange, arrow: &str) -> String {
    let (b, h) = (p.spans_out.base, p.spans_out.head);
    let mut s = format!("{} {arrow} {}", num(b), num(h));
    if let (Some(b), Some(h)) = (b, h) {
        if b != h {
            let delta = h as i64 - b as i64;
            let pct = if b == 0 {
                String::new()
            } else {
                format!(", {:+.1}%", 100.0 * delta as f64 / b as f64)
            };
            let _ = write!(s, " ({delta:+}{pct})");
        }
    }
    s
}

fn example_line(e: &Example) -> String {
    format!(
        "{} {:?} trace {} span {}",
        if e.service.is_empty() {
            "<no service>"
        } else {
            &e.service
        },
        e.name,
        e.trace_id,
        e.span_id
    )
}

/// The text document; `findings` is the rendered findings block (diag renderer).
pub fn text(r: &DiffReport, base: &str, head: &str, findings: &str) -> String {
    let mut out = format!("otelcheck diff: BASE {base} -> HEAD {head}\n");
    let spans: usize = r.head.captures.iter().map(|c| c.spans).sum();
    let _ = writeln!(
        out,
        "replayed {spans} spans from {} capture(s) through both configs",
        r.head.captures.len()
    );
    let _ = writeln!(out, "{}", own_findings(r));
    for p in &r.changes.pipelines {
        out.push('\n');
        text_pipeline(&mut out, p);
    }
    text_rules(&mut out, &r.changes.rules);
    if r.base_refused {
        out.push_str(BASE_REFUSED);
    }
    if r.sensitive == "not-checked" {
        out.push_str(
            "\nsensitive values: not compared (the sensitive-value scanner is not part of this build)\n",
        );
    }
    if !findings.is_empty() {
        out.push('\n');
        out.push_str(findings);
    }
    let _ = writeln!(out, "\n{}", verdict(r));
    out
}

fn text_pipeline(out: &mut String, p: &PipelineChange) {
    match p.only_in {
        Some("base") => {
            let _ = writeln!(out, "pipeline {}: only in BASE (removed by HEAD)", p.id);
            return;
        }
        Some(_) => {
            let _ = writeln!(out, "pipeline {}: only in HEAD (added)", p.id);
            return;
        }
        None => {}
    }
    if p.is_unchanged() {
        let _ = writeln!(
            out,
            "pipeline {}: no change ({} spans out on both sides)",
            p.id,
            num(p.spans_out.head)
        );
        return;
    }
    let _ = writeln!(out, "pipeline {}", p.id);
    let _ = writeln!(out, "  spans out        {}", spans_out_delta(p, "->"));
    let _ = writeln!(out, "  newly dropped    {} span(s)", p.spans_newly_dropped);
    let _ = writeln!(out, "  newly kept       {} span(s)", p.spans_newly_kept);
    let _ = writeln!(out, "  services lost    {}", list(&p.services_lost));
    let _ = writeln!(out, "  services gained  {}", list(&p.services_gained));
    let keys = |ks: &[super::KeyCount]| {
        let v: Vec<String> = ks
            .iter()
            .map(|k| format!("{} ({})", k.key, k.spans))
            .collect();
        list(&v)
    };
    let _ = writeln!(
        out,
        "  attributes newly exposed  {}",
        keys(&p.attributes_newly_exposed)
    );
    let _ = writeln!(
        out,
        "  attributes newly removed  {}",
        keys(&p.attributes_newly_removed)
    );
    for (what, examples) in [
        ("newly dropped", &p.examples_newly_dropped),
        ("newly kept", &p.examples_newly_kept),
    ] {
        if !examples.is_empty() {
            let _ = writeln!(out, "  e.g. {what}:");
            for e in examples {
                let _ = writeln!(out, "    {}", example_line(e));
            }
        }
    }
}

fn text_rules(out: &mut String, rules: &[RuleChange]) {
    let same = rules.iter().filter(|r| r.change == Change::Same).count();
    let moved: Vec<&RuleChange> = rules.iter().filter(|r| r.change != Change::Same).collect();
    let _ = writeln!(
        out,
        "\nrules: {} changed, {} added, {} removed, {same} unchanged",
        moved.iter().filter(|r| r.change == Change::Changed).count(),
        moved.iter().filter(|r| r.change == Change::Added).count(),
        moved.iter().filter(|r| r.change == Change::Removed).count(),
    );
    for r in moved {
        let at = r
            .location
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}  {at}\n    matched {} -> {}, dropped {} -> {}",
            r.change.as_str(),
            r.pipeline,
            r.processor,
            count(r.matched.base),
            count(r.matched.head),
            count(r.dropped.base),
            count(r.dropped.head),
        );
        match &r.text_diff {
            Some(d) => {
                for line in d.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            None => {
                let _ = writeln!(out, "    {}", r.text);
            }
        }
    }
}

/// Each side's own dry-run verdict: context, not the diff's exit code.
fn own_findings(r: &DiffReport) -> String {
    let side = |rep: &crate::report::Report| {
        format!(
            "{} ({} error(s), {} warning(s))",
            rep.verdict, rep.summary.errors, rep.summary.warnings
        )
    };
    format!(
        "own dry-run findings: BASE {}, HEAD {} (`otelcheck dry-run` lists them; they do not decide this exit code)",
        side(&r.base),
        side(&r.head)
    )
}

fn verdict(r: &DiffReport) -> String {
    let s = &r.summary;
    let regressed = r.verdict != "pass";
    let unchanged = r.changes.pipelines.iter().all(PipelineChange::is_unchanged)
        && r.changes.rules.iter().all(|c| c.change == Change::Same);
    let what = if unchanged {
        "no change: HEAD exports exactly what BASE exports"
    } else if regressed {
        "HEAD loses data BASE kept"
    } else {
        "changes, none beyond the thresholds"
    };
    format!(
        "diff {}: {what} ({} error(s), {} warning(s), {} info, {} suppressed)",
        r.verdict, s.errors, s.warnings, s.infos, s.suppressed
    )
}

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
        out.push_str("\n_Sensitive values were not compared: the sensitive-value scanner is not part of this build._\n");
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
