//! Findings that need data: catch-all rules (by what they matched), dead rules, evaluation
//! errors, lost services, pipelines that export nothing, and processors we could not emulate.

use super::{PipelineRun, ProcRun};
use crate::capture::model::Batch;
use crate::capture::Capture;
use crate::diag::{codes, Diagnostic};
use crate::ottl::runtime::AttrScope;
use crate::processors::rule::Rule;
use crate::processors::Emulation;
use crate::report::{JsonLocation, ProcessorReport, RuleReport};
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeSet;

/// Spans scanned for the attribute-key vocabulary of dead-rule hints.
const VOCABULARY_SAMPLE: usize = 20_000;

/// Fewer spans than this is too little evidence for a data-driven catch-all verdict.
const MIN_EVIDENCE: u64 = 10;

pub fn processor_report(p: &ProcRun) -> ProcessorReport {
    let rules = match &p.emulation {
        Emulation::Filter(f) => f
            .rules
            .iter()
            .map(rule_report)
            .chain(f.legacy.iter().flat_map(|l| l.reports()))
            .collect(),
        Emulation::PassThrough { .. } => Vec::new(),
    };
    ProcessorReport {
        id: p.id.clone(),
        ty: p.ty.clone(),
        emulated: p.emulated,
        location: Some(JsonLocation::from(&p.location)),
        spans_in: p.spans_in,
        spans_out: p.spans_out,
        rules,
    }
}

fn rule_report(r: &Rule) -> RuleReport {
    RuleReport {
        text: r.text.clone(),
        location: Some(JsonLocation::from(&r.location)),
        action: "drop",
        evaluated: r.stats.evaluated,
        matched: r.stats.matched,
        dropped: r.stats.dropped,
        errors: r.stats.errors,
        examples: r.stats.examples.clone(),
    }
}

pub fn collect(pipelines: &[PipelineRun], keys: &KeyCatalog, ratio: f64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in pipelines {
        for proc in &p.processors {
            if !proc.emulated {
                out.push(unsupported(proc, p));
            }
            if let Emulation::Filter(f) = &proc.emulation {
                for rule in &f.rules {
                    out.extend(rule_findings(rule, ratio, keys, proc));
                }
                if proc.failed_batches > 0 {
                    out.push(propagate_failure(proc));
                }
            }
        }
        out.extend(pipeline_findings(p));
    }
    out
}

fn rule_findings(rule: &Rule, ratio: f64, keys: &KeyCatalog, proc: &ProcRun) -> Vec<Diagnostic> {
    let s = &rule.stats;
    let mut out = Vec::new();
    let all = s.evaluated >= MIN_EVIDENCE && s.matched as f64 >= ratio * s.evaluated as f64;
    let carriers = !rule.read_keys().is_empty()
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
                .read_keys()
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
        out.push(dead_rule(rule, keys, proc));
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

fn dead_rule(rule: &Rule, keys: &KeyCatalog, proc: &ProcRun) -> Diagnostic {
    let mut d = Diagnostic::warning(
        codes::DEAD_RULE,
        format!(
            "`{}` in {} matched none of the {} spans it was evaluated on",
            rule.text, proc.id, rule.stats.evaluated
        ),
    )
    .at(rule.location.clone());
    let missing: Vec<_> = rule
        .read_keys()
        .iter()
        .zip(&rule.stats.key_seen)
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

fn propagate_failure(proc: &ProcRun) -> Diagnostic {
    Diagnostic::error(
        codes::EVALUATION_ERROR,
        format!(
            "{} failed {} request(s) with error_mode: propagate; the collector drops each such request entirely",
            proc.id, proc.failed_batches
        ),
    )
    .at(proc.location.clone())
    .with_help("guard the erroring condition or set error_mode: ignore")
}

fn unsupported(proc: &ProcRun, p: &PipelineRun) -> Diagnostic {
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

fn pipeline_findings(p: &PipelineRun) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if p.spans_in > 0 && p.spans_out == 0 {
        out.push(
            Diagnostic::error(
                codes::PIPELINE_DROPS_EVERYTHING,
                format!("pipeline {} exports no span at all: all {} spans replayed into it were dropped", p.id, p.spans_in),
            )
            .at(p.location.clone())
            .with_help("look at the processor whose `out` column drops to 0 in the table above"),
        );
        return out;
    }
    for (service, n) in &p.services_in {
        if !p.services_out.contains_key(service) {
            let culprit = p
                .processors
                .iter()
                .find(|proc| proc.spans_out < proc.spans_in)
                .map(|proc| format!(" (spans were removed by {})", proc.id))
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

/// Attribute keys present in the captures, by where they live: the vocabulary for "closest
/// keys" hints. Whether a key occurred at all is counted exactly by each rule; the hints only
/// need the vocabulary, so a bounded sample of spans is scanned.
pub struct KeyCatalog {
    span: BTreeSet<String>,
    resource: BTreeSet<String>,
    scope: BTreeSet<String>,
    event: BTreeSet<String>,
}

impl KeyCatalog {
    pub fn new(captures: &[Capture]) -> Self {
        // Borrow while scanning (a hash probe per key, no allocation), own only distinct keys.
        let mut sets: [HashSet<&str>; 4] = Default::default();
        let mut scanned = 0;
        for b in captures.iter().flat_map(|c| &c.payloads) {
            if scanned >= VOCABULARY_SAMPLE {
                break;
            }
            Self::scan(b, &mut sets);
            scanned += b.span_count();
        }
        let own = |s: &HashSet<&str>| s.iter().map(|k| (*k).to_owned()).collect();
        Self {
            span: own(&sets[0]),
            resource: own(&sets[1]),
            scope: own(&sets[2]),
            event: own(&sets[3]),
        }
    }

    fn scan<'a>(b: &'a Batch, sets: &mut [HashSet<&'a str>; 4]) {
        for rs in &b.resource_spans {
            sets[1].extend(rs.resource.attributes.iter().map(|(k, _)| k));
            for ss in &rs.scope_spans {
                sets[2].extend(ss.scope.attributes.iter().map(|(k, _)| k));
                for s in &ss.spans {
                    sets[0].extend(s.attributes.iter().map(|(k, _)| k));
                    for e in &s.events {
                        sets[3].extend(e.attributes.iter().map(|(k, _)| k));
                    }
                }
            }
        }
    }

    fn set(&self, scope: AttrScope) -> &BTreeSet<String> {
        match scope {
            AttrScope::Span => &self.span,
            AttrScope::Resource => &self.resource,
            AttrScope::Scope => &self.scope,
            AttrScope::Event => &self.event,
        }
    }

    /// Up to three existing keys closest to `key` (Jaro-Winkler, plus shared last segment).
    fn closest(&self, scope: AttrScope, key: &str) -> Vec<String> {
        let last = key.rsplit('.').next().unwrap_or(key);
        let mut scored: Vec<(f64, &String)> = self
            .set(scope)
            .iter()
            .map(|k| {
                let bonus = if k.rsplit('.').next() == Some(last) {
                    0.2
                } else {
                    0.0
                };
                (strsim::jaro_winkler(key, k) + bonus, k)
            })
            .filter(|(s, _)| *s >= 0.75)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
    }
}
