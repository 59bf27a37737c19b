//! Findings that need data: catch-all rules (by what they matched), dead rules, evaluation
//! errors, lost services, pipelines that export nothing, processors and connectors we could
//! not emulate, and captures the collector would route differently. They are computed from the
//! counts observer and the engine's static facts after a replay; nothing here looks at spans.

mod routing;
pub mod sensitive;

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
                } else {
                    out.extend(evaluation_errors(info, s, slot));
                }
            }
            if c.failed_requests > 0 {
                out.push(propagate_failure(slot, c));
            }
            for (info, s) in slot.rules.iter().zip(&c.rules) {
                out.extend(strips_most_keys(info, s, keys, slot));
                out.extend(dead_rewrite(info, s, keys, slot));
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
    out.extend(evaluation_errors(rule, s, proc));
    out
}

/// `evaluation-error` for any rule that raised errors the collector would hit — also for rules
/// without the other data findings (a transform statement, a tail policy's OTTL).
fn evaluation_errors(rule: &RuleInfo, s: &RuleStats, proc: &ProcSlot) -> Option<Diagnostic> {
    (s.errors > 0).then(|| {
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
        .with_help(
            "with error_mode ignore/silent the item is left as it is (a filter keeps the span, a \
             transform statement skips it); with propagate the whole request is dropped. Guard \
             the condition, e.g. `attributes[\"x\"] != nil and ...`",
        )
    })
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
    if proc.ty == "span" {
        return span_panic(proc, c);
    }
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

/// `dead-rule` for a rewriting rule that changed nothing because a key it needs never occurs
/// (hashing `user.email` where the tracer writes `usr.email`). Rules whose keys occur but that
/// changed nothing (a convert of values already of the type) are not reported.
fn dead_rewrite(
    rule: &RuleInfo,
    s: &RuleStats,
    keys: &KeyCatalog,
    proc: &ProcSlot,
) -> Option<Diagnostic> {
    let rewriting = !rule.data_findings && !rule.read_keys.is_empty();
    let missing = s.key_seen.contains(&0);
    (rewriting && s.evaluated > 0 && s.matched == 0 && missing)
        .then(|| dead_rule(rule, s, keys, proc))
}

/// A deleting rule (a redaction allow-list, a delete with a pattern) that removed at least this
/// share of the distinct span attribute keys the capture carries "strips nearly everything".
const NEAR_ALL_KEYS: f64 = 0.8;

/// `catch-all-rule` by data for rewriting: a delete that took most of the span keys away.
fn strips_most_keys(
    rule: &RuleInfo,
    s: &RuleStats,
    keys: &KeyCatalog,
    proc: &ProcSlot,
) -> Option<Diagnostic> {
    if rule.action != crate::processors::api::RuleAction::Delete || s.edits == 0 {
        return None;
    }
    let vocabulary = keys.count(crate::ottl::runtime::AttrScope::Span);
    let deleted = s
        .fields
        .keys()
        .filter(|f| f.starts_with("attributes["))
        .count();
    let share = deleted as f64 / vocabulary.max(1) as f64;
    if vocabulary < 5 || share < NEAR_ALL_KEYS {
        return None;
    }
    Some(
        Diagnostic::error(
            codes::CATCH_ALL_RULE,
            format!(
                "`{}` in {} is a catch-all: it deleted {deleted} of the {vocabulary} distinct span attribute keys in the capture ({:.0}%) on {} spans",
                rule.text,
                proc.id,
                100.0 * share,
                s.matched
            ),
        )
        .at(rule.location.clone())
        .with_help("keep the keys people query (service, route, status, ids): add them to `allowed_keys`, or narrow the pattern"),
    )
}

/// The span processor fails a request only where upstream panics (a `to_attributes` rule).
fn span_panic(proc: &ProcSlot, c: &ProcCounts) -> Diagnostic {
    let at = proc
        .rules
        .iter()
        .zip(&c.rules)
        .find(|(_, s)| s.errors > 0)
        .map_or_else(|| proc.location.clone(), |(r, _)| r.location.clone());
    Diagnostic::error(
        codes::EVALUATION_ERROR,
        format!(
            "{} would panic on {} request(s): {}; {} spans lost",
            proc.id,
            c.failed_requests,
            crate::processors::span::PANIC,
            c.failed_spans
        ),
    )
    .at(at)
    .with_help("make every capture group take part in the match and do not nest groups, e.g. use (?:...) for optional or outer groups")
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
            // No processor removed spans: a rewrite took the service name off them.
            let renamed = p
                .processors
                .iter()
                .zip(&c.processors)
                .all(|(_, pc)| pc.spans_out >= pc.spans_in);
            if renamed {
                out.push(
                    Diagnostic::error(
                        codes::SERVICE_LOST,
                        format!("service {service:?} has no span left after pipeline {}: its {n} spans are exported, but a processor removed or changed their resource's service.name", p.id),
                    )
                    .at(p.location.clone())
                    .with_help("keep `service.name` (e.g. add it to a redaction allow-list, or do not delete/hash it)"),
                );
                continue;
            }
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
