//! The diff for a terminal.

use std::fmt::Write as _;

use super::super::rules::{Change, RuleChange};
use super::super::{DiffReport, KeyCount, PipelineChange};
use super::{count, example_line, list, num, own_findings, spans_out_delta, verdict, BASE_REFUSED};

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
        out.push_str("\nsensitive values: not compared (a side could not be replayed)\n");
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
    let keys = |ks: &[KeyCount]| {
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
