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

use super::api::{Ctx, DropLevel, Failed, Processor, RuleInfo};
use super::legacy_match::LegacySpanFilter;
use super::rule::Rule;
use super::ErrorMode;
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

/// One filter processor instance. Rules are numbered by their index in `rules`; the legacy
/// include/exclude blocks come after them.
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

impl Processor for FilterEmulator {
    fn process(
        &mut self,
        mut batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        let mut failed = false;
        for stage in &self.stages {
            failed |= run_stage(&self.rules, stage, &mut batch, ctx);
        }
        if let Some(legacy) = &self.legacy {
            legacy.process(&mut batch, self.rules.len(), ctx);
        }
        batch.prune_empty();
        if failed {
            return Err(Failed);
        }
        out.push(batch);
        Ok(())
    }

    fn rules(&self) -> Vec<RuleInfo> {
        let mut out: Vec<RuleInfo> = self.rules.iter().map(Rule::info).collect();
        if let Some(l) = &self.legacy {
            out.extend(l.rules());
        }
        out
    }
}

/// One stage over the batch; returns whether a `propagate` error failed the request.
fn run_stage(rules: &[Rule], stage: &Stage, batch: &mut Batch, ctx: &mut Ctx<'_>) -> bool {
    let mut failed = false;
    batch.resource_spans.retain_mut(|rs| {
        let empty_scope = Scope::default();
        let item = EvalItem {
            resource: &rs.resource,
            scope: &empty_scope,
            span: None,
            event: None,
        };
        match eval_seq(rules, &stage.resource, stage.error_mode, &item, ctx) {
            SeqResult::Drop(i) => {
                for ss in &rs.scope_spans {
                    for sp in &ss.spans {
                        ctx.observer.dropped(
                            ctx.at.rule(i),
                            DropLevel::Resource,
                            &rs.resource,
                            &ss.scope,
                            sp,
                        );
                    }
                }
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
            match eval_seq(rules, &stage.scope, stage.error_mode, &item, ctx) {
                SeqResult::Drop(i) => {
                    for sp in &ss.spans {
                        ctx.observer.dropped(
                            ctx.at.rule(i),
                            DropLevel::Scope,
                            resource,
                            &ss.scope,
                            sp,
                        );
                    }
                    return false;
                }
                SeqResult::Failed => failed = true,
                SeqResult::Keep => {}
            }
            let scope = &ss.scope;
            ss.spans.retain_mut(|span| {
                let (keep, f) = span_level(rules, stage, resource, scope, span, ctx);
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
    rules: &[Rule],
    stage: &Stage,
    resource: &Resource,
    scope: &Scope,
    span: &mut Span,
    ctx: &mut Ctx<'_>,
) -> (bool, bool) {
    let item = EvalItem {
        resource,
        scope,
        span: Some(span),
        event: None,
    };
    match eval_seq(rules, &stage.span, stage.error_mode, &item, ctx) {
        SeqResult::Drop(i) => {
            ctx.observer
                .dropped(ctx.at.rule(i), DropLevel::Span, resource, scope, span);
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
        match eval_seq(rules, &stage.spanevent, stage.error_mode, &item, ctx) {
            SeqResult::Drop(i) => {
                ctx.observer
                    .dropped(ctx.at.rule(i), DropLevel::SpanEvent, resource, scope, span);
            }
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
fn eval_seq(
    rules: &[Rule],
    list: &[usize],
    mode: ErrorMode,
    item: &EvalItem<'_>,
    ctx: &mut Ctx<'_>,
) -> SeqResult {
    let mut outcome: Option<SeqResult> = None;
    for &i in list {
        let r = rules[i].eval(item);
        let rule = ctx.at.rule(i);
        ctx.observer
            .evaluated(rule, item, r.as_ref().map(|m| *m).map_err(String::as_str));
        if outcome.is_some() {
            continue; // upstream short-circuited; the result above only feeds `matched`
        }
        match r {
            Ok(true) => outcome = Some(SeqResult::Drop(i)),
            Ok(false) => {}
            Err(e) => {
                ctx.observer.error_hit(rule, &e);
                if mode == ErrorMode::Propagate {
                    outcome = Some(SeqResult::Failed);
                }
            }
        }
    }
    outcome.unwrap_or(SeqResult::Keep)
}
