//! Findings that need data: catch-all rules (by what they matched), dead rules, evaluation
//! errors, lost services, pipelines that export nothing, processors and connectors we could
//! not emulate, and captures the collector would route differently. They are computed from the
//! counts observer and the engine's static facts after a replay; nothing here looks at spans.

mod routing;

pub use routing::routing_findings;

use crate::diag::{codes, Diagnostic};
use crate::engine::counts::{Counts, PipelineCounts, ProcCounts, RuleStats};
use crate::engine::keys::KeyCatalog;
use crate::engine::{Engine, PipelineRt, ProcSlot};
use crate::processors::api::RuleInfo;

/// Fewer spans than this is too little evidence for a data-driven catch-all verdict.
const MIN_EVIDENCE: u64 = 10;

/// Data findings of a finished replay.
pub fn collect(engine: &Engine, counts: &Counts, keys: &KeyCatalog, ratio: f64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in engine.pipelines() {
        let Some(pc) = counts.pipelines.get(&p.index) else {
            continue;
        };
        for (slot, c) in p.processors.iter().zip(&pc.processors) {
            if !slot.emulated {
                out.push(unsupported(slot, p));
            }
            out.extend(slot.findings());
            for (info, s) in slot.rules.iter().zip(&c.rules) {
                if info.data_findings {
                    out.extend(rule_findings(info, s, ratio, keys, slot));
                }
            }
            if c.failed_requests > 0 {
                out.push(propagate_failure(slot, c));
            }
        }
        out.extend(pipeline_findings(p, pc));
    }
    out
}

fn rule_findings(
    rule: &RuleInfo,
    s: &RuleStats,
    ratio: f64,
    keys: &KeyCatalog,
    proc: &ProcSlot,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let all = s.evaluated >= MIN_EVIDENCE && s.matched as f64 >= ratio * s.evaluated as f64;
    let carriers = !rule.read_keys.is_empty()
        && s.carriers >= MIN_EVIDENCE
        && s.carriers_matched as f64 >= ratio * s.carriers as f64;
    if all || carriers {
        // Real counts and the ratio: with --max-match-ratio below 1 "all" would be false.
        let pct = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
        let what = if all {
            format!(
                "it matched {} of the {} spans it was evaluated on ({:.1}%, at or above --max-match-ratio {ratio})",
                s.matched,
                s.evaluated,
                pct(s.matched, s.evaluated)
            )
        } else {
            let keys: Vec<String> = rule
                .read_keys
                .iter()
                .map(|k| format!("{:?}", k.key))
                .collect();
            format!(
                "it matched {} of the {} spans that carry {} ({:.1}%, at or above --max-match-ratio {ratio}; {} spans evaluated in all)",
                s.carriers_matched,
                s.carriers,
                keys.join(", "),
                pct(s.carriers_matched, s.carriers),
                s.evaluated
            )
        };
        out.push(
            Diagnostic::error(codes::CATCH_ALL_RULE, format!("`{}` in {} is a catch-all: {what}", rule.text, proc.id))
                .at(rule.location.clone())
                .with_help("narrow the condition to the spans you mean to drop (anchor regexes, compare exact values)"),
        );
    } else if s.evaluated > 0 && s.matched == 0 {
        out.push(dead_rule(rule, s, keys, proc));
    }
    if s.errors > 0 {
        out.push(
            Diagnostic::warning(
                codes::EVALUATION_ERROR,
                format!(
                    "`{}` raised {} evaluation error(s) in {}; first: {}",
                    rule.text,
                    s.errors,
                    proc.id,
                    s.first_error.as_deref().unwrap_or("?")
                ),
            )
            .at(rule.location.clone())
            .with_help("with error_mode ignore/silent the span is kept; with propagate the whole request is dropped. Guard the condition, e.g. `attributes[\"x\"] != nil and ...`"),
        );
    }
    out
}

fn dead_rule(rule: &RuleInfo, s: &RuleStats, keys: &KeyCatalog, proc: &ProcSlot) -> Diagnostic {
    let mut d = Diagnostic::warning(
        codes::DEAD_RULE,
        format!(
            "`{}` in {} matched none of the {} spans it was evaluated on",
            rule.text, proc.id, s.evaluated
        ),
    )
    .at(rule.location.clone());
    let missing: Vec<_> = rule
        .read_keys
        .iter()
        .zip(&s.key_seen)
        .filter(|(_, seen)| **seen == 0)
        .map(|(k, _)| k)
        .collect();
    if missing.is_empty() {
        return d
            .with_help("check the values it compares against; no span in the capture has them");
    }
    for k in &missing {
        let near = keys.closest(k.scope, &k.key);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!("; closest keys that do occur: {}", near.join(", "))
        };
        d = d.with_note(format!(
            "attribute {:?} never occurs on the spans this rule saw{hint}",
            k.key
        ));
    }
    d.with_help("use the attribute names the collector actually sees (the datadog receiver renames DataDog tags, e.g. http.url → url.full)")
}

fn propagate_failure(proc: &ProcSlot, c: &ProcCounts) -> Diagnostic {
    Diagnostic::error(
        codes::EVALUATION_ERROR,
        format!(
            "{} failed {} request(s) with error_mode: propagate; the collector drops each such request entirely ({} spans)",
            proc.id, c.failed_requests, c.failed_spans
        ),
    )
    .at(proc.location.clone())
    .with_help("guard the erroring condition or set error_mode: ignore")
}

fn unsupported(proc: &ProcSlot, p: &PipelineRt) -> Diagnostic {
    Diagnostic::warning(
        codes::UNSUPPORTED_COMPONENT,
        format!(
            "otelcheck does not emulate the `{}` processor yet: in pipeline {} spans pass through {} unchanged, so this dry run does not show what it would change",
            proc.ty, p.id, proc.id
        ),
    )
    .at(proc.location.clone())
    .with_help("its effect (edits, drops, sampling) is not in the counts or the --write-output of this run; check it in a staging collector")
}

fn pipeline_findings(p: &PipelineRt, c: &PipelineCounts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if c.spans_in > 0 && c.spans_out == 0 {
        out.push(
            Diagnostic::error(
                codes::PIPELINE_DROPS_EVERYTHING,
                format!("pipeline {} exports no span at all: all {} spans replayed into it were dropped", p.id, c.spans_in),
            )
            .at(p.location.clone())
            .with_help("look at the processor whose `out` column drops to 0 in the table above"),
        );
        return out;
    }
    for (service, n) in &c.services_in {
        if !c.services_out.contains_key(service) {
            let culprit = p
                .processors
                .iter()
                .zip(&c.processors)
                .find(|(_, pc)| pc.spans_out < pc.spans_in)
                .map(|(slot, _)| format!(" (spans were removed by {})", slot.id))
                .unwrap_or_default();
            out.push(
                Diagnostic::error(
                    codes::SERVICE_LOST,
                    format!("service {service:?} has no span left after pipeline {}: all {n} of its spans were dropped{culprit}", p.id),
                )
                .at(p.location.clone())
                .with_help("check the rules that dropped its spans (per-rule counts and examples above)"),
            );
        }
    }
    out
}
