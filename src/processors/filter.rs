//! The `filter` processor (contrib v0.156.0) for traces, in dry-run form.
//!
//! Both OTTL styles reduce to *stages*: ORed condition lists at resource, scope, span and
//! span-event level, evaluated top-down exactly as upstream's `processSkipExpression` and
//! `TracesConsumer.ConsumeTraces` do (a resource that matches is removed without looking at
//! its spans; a span whose condition errored is kept and its events are not examined; empty
//! scopes and resources are pruned). `traces.*` is one stage; each `trace_conditions` group
//! is one stage, run in order. The legacy `spans.include/exclude` matcher is a span-level
//! predicate. With `error_mode: propagate` an evaluation error fails the whole request: the
//! collector drops the batch, and so do we.

use super::legacy_match::LegacySpanFilter;
use super::rule::{example, Rule};
use super::{BatchOutcome, ErrorMode};
use crate::capture::model::{Batch, Event, Resource, Scope, Span};
use crate::ottl::runtime::EvalItem;

/// Rules of one stage, as indexes into `FilterEmulator::rules`.
#[derive(Debug)]
pub struct Stage {
    pub resource: Vec<usize>,
    pub scope: Vec<usize>,
    pub span: Vec<usize>,
    pub spanevent: Vec<usize>,
    pub error_mode: ErrorMode,
}

pub struct FilterEmulator {
    pub rules: Vec<Rule>,
    pub stages: Vec<Stage>,
    pub legacy: Option<LegacySpanFilter>,
}

/// Result of one ORed condition list on one item.
enum SeqResult {
    Keep,
    /// Dropped by the rule at this index (the first true one).
    Drop(usize),
    /// An error with `propagate`: the item is kept and the request fails.
    Failed,
}

impl FilterEmulator {
    pub fn process(&mut self, batch: &mut Batch) -> BatchOutcome {
        let mut failed = false;
        for stage in &self.stages {
            failed |= run_stage(&mut self.rules, stage, batch);
        }
        if let Some(legacy) = &mut self.legacy {
            legacy.process(batch);
        }
        batch.prune_empty();
        if failed {
            BatchOutcome::Failed
        } else {
            BatchOutcome::Ok
        }
    }
}

/// One stage over the batch; returns whether a `propagate` error failed the request.
fn run_stage(rules: &mut [Rule], stage: &Stage, batch: &mut Batch) -> bool {
    let mut failed = false;
    batch.resource_spans.retain_mut(|rs| {
        let empty_scope = Scope::default();
        let item = EvalItem {
            resource: &rs.resource,
            scope: &empty_scope,
            span: None,
            event: None,
        };
        match eval_seq(rules, &stage.resource, stage.error_mode, &item) {
            SeqResult::Drop(i) => {
                let spans = rs
                    .scope_spans
                    .iter()
                    .flat_map(|s| s.spans.iter().map(move |sp| (&s.scope, sp)));
                credit_drop(&mut rules[i], &rs.resource, spans);
                return false;
            }
            SeqResult::Failed => failed = true,
            SeqResult::Keep => {}
        }
        let resource = &rs.resource;
        rs.scope_spans.retain_mut(|ss| {
            let item = EvalItem {
                resource,
                scope: &ss.scope,
                span: None,
                event: None,
            };
            match eval_seq(rules, &stage.scope, stage.error_mode, &item) {
                SeqResult::Drop(i) => {
                    credit_drop(
                        &mut rules[i],
                        resource,
                        ss.spans.iter().map(|sp| (&ss.scope, sp)),
                    );
                    return false;
                }
                SeqResult::Failed => failed = true,
                SeqResult::Keep => {}
            }
            let scope = &ss.scope;
            ss.spans.retain_mut(|span| {
                let (keep, f) = span_level(rules, stage, resource, scope, span);
                failed |= f;
                keep
            });
            !ss.spans.is_empty()
        });
        !rs.scope_spans.is_empty()
    });
    failed
}

/// Span conditions, then (if kept and error-free) span-event conditions. Returns (keep, failed).
fn span_level(
    rules: &mut [Rule],
    stage: &Stage,
    resource: &Resource,
    scope: &Scope,
    span: &mut Span,
) -> (bool, bool) {
    let item = EvalItem {
        resource,
        scope,
        span: Some(span),
        event: None,
    };
    match eval_seq(rules, &stage.span, stage.error_mode, &item) {
        SeqResult::Drop(i) => {
            rules[i].stats.dropped += 1;
            return (false, false);
        }
        // Upstream returns before looking at the events when the span condition errored.
        SeqResult::Failed => return (true, true),
        SeqResult::Keep => {}
    }
    if stage.spanevent.is_empty() || span.events.is_empty() {
        return (true, false);
    }
    let mut failed = false;
    let events = std::mem::take(&mut span.events);
    let mut kept: Vec<Event> = Vec::with_capacity(events.len());
    for (idx, event) in events.into_iter().enumerate() {
        let item = EvalItem {
            resource,
            scope,
            span: Some(span),
            event: Some((&event, idx)),
        };
        match eval_seq(rules, &stage.spanevent, stage.error_mode, &item) {
            SeqResult::Drop(i) => rules[i].stats.dropped += 1,
            SeqResult::Failed => {
                failed = true;
                kept.push(event);
            }
            SeqResult::Keep => kept.push(event),
        }
    }
    span.events = kept;
    (true, failed)
}

/// Evaluate an ORed list the way upstream's condition sequence does, while also evaluating
/// the rules upstream would have skipped so each rule's own `matched` count is known.
fn eval_seq(rules: &mut [Rule], list: &[usize], mode: ErrorMode, item: &EvalItem<'_>) -> SeqResult {
    let mut outcome: Option<SeqResult> = None;
    for &i in list {
        let r = rules[i].eval(item);
        if outcome.is_some() {
            continue; // upstream short-circuited; the result above only feeds `matched`
        }
        match r {
            Ok(true) => outcome = Some(SeqResult::Drop(i)),
            Ok(false) => {}
            Err(e) => {
                rules[i].record_error(&e);
                if mode == ErrorMode::Propagate {
                    outcome = Some(SeqResult::Failed);
                }
            }
        }
    }
    outcome.unwrap_or(SeqResult::Keep)
}

/// A resource- or scope-level drop removes every span below it: count them for the rule.
fn credit_drop<'a>(
    rule: &mut Rule,
    resource: &Resource,
    spans: impl Iterator<Item = (&'a Scope, &'a Span)>,
) {
    for (scope, span) in spans {
        rule.stats.dropped += 1;
        if rule.stats.examples.len() < 3 {
            rule.stats.examples.push(example(resource, scope, span));
        }
    }
}
