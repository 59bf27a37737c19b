//! The observer behind `otelcheck explain`: it listens to the same replay as the dry-run and
//! keeps, for the spans of one trace (or one span), every rule they met, what each rule said,
//! what it changed and where the span ended. Everything else passes by without a copy.

use std::collections::BTreeMap;

use super::model::{
    Change, Operand, Outcome, RuleResult, RuleStep, SpanStory, StaticPipeline, Step, TraceQuery,
};
use crate::capture::model::{service_name, Batch, Resource, Scope, Span};
use crate::engine::Engine;
use crate::ottl::runtime::EvalItem;
use crate::processors::api::{
    DropLevel, Edit, Observer, ProcRef, RuleAction, RuleRef, TraceDecision,
};
use crate::report::JsonLocation;

/// Collects the journeys of the spans `query` selects.
pub struct ExplainObserver {
    query: TraceQuery,
    pipelines: BTreeMap<usize, StaticPipeline>,
    /// Keyed by span id: a span keeps its id through every processor.
    spans: BTreeMap<[u8; 8], SpanStory>,
    /// For each pipeline, the selected spans of the request now in it, with their resource as
    /// it entered (how a resource- or scope-level rule is tied to the spans below it).
    current: BTreeMap<usize, Vec<([u8; 8], Resource)>>,
    /// `--reveal`: operand values of a rule that protects what it touches are shown.
    reveal: bool,
}

impl ExplainObserver {
    pub fn new(query: TraceQuery, engine: &Engine) -> Self {
        Self {
            query,
            pipelines: engine
                .pipelines()
                .map(|p| (p.index, StaticPipeline::of(p)))
                .collect(),
            spans: BTreeMap::new(),
            current: BTreeMap::new(),
            reveal: false,
        }
    }

    /// Show the operand values of rules that protect values (`--reveal`).
    pub fn with_reveal(mut self, reveal: bool) -> Self {
        self.reveal = reveal;
        self
    }

    /// What each side of the rule's comparisons was on `item`, asked of the compiled OTTL
    /// condition (only here: the replay never computes operands). A rule that deletes or
    /// rewrites values protects them, so its operand values are masked unless `--reveal`.
    fn operands(&self, rule: RuleRef, item: &EvalItem<'_>) -> Vec<Operand> {
        let Some(info) = self
            .pipelines
            .get(&rule.pipeline)
            .and_then(|p| p.processors.get(rule.processor))
            .and_then(|p| p.rules.get(rule.rule))
        else {
            return Vec::new();
        };
        let Some(source) = &info.operands else {
            return Vec::new();
        };
        let protects = matches!(
            info.action,
            RuleAction::Delete | RuleAction::Redact | RuleAction::Hash
        );
        source
            .operands(item)
            .into_iter()
            .map(|o| Operand::of(o, protects && !self.reveal))
            .collect()
    }

    /// The spans found, in span-id order, with journeys cut where each span ended.
    pub fn into_stories(self) -> Vec<SpanStory> {
        self.spans
            .into_values()
            .map(|mut s| {
                s.finish();
                s
            })
            .collect()
    }

    fn selected(&self, span: &Span) -> bool {
        self.query.selects(span)
    }

    /// The step of `span` at processor `at`, created on first use.
    fn step(&mut self, span_id: [u8; 8], at: ProcRef) -> Option<&mut Step> {
        let story = self.spans.get_mut(&span_id)?;
        let pipeline = self.pipelines.get(&at.pipeline)?;
        story.step_mut(pipeline, at.processor)
    }

    /// Span ids a resource-level (`span: None`) event reaches: the selected spans of the
    /// request in that pipeline whose resource is this one.
    fn spans_under(&self, pipeline: usize, resource: &Resource) -> Vec<[u8; 8]> {
        self.current
            .get(&pipeline)
            .into_iter()
            .flatten()
            .filter(|(_, r)| r == resource)
            .map(|(id, _)| *id)
            .collect()
    }

    fn rule_step(&self, rule: RuleRef) -> RuleStep {
        let info = self
            .pipelines
            .get(&rule.pipeline)
            .and_then(|p| p.processors.get(rule.processor))
            .and_then(|p| p.rules.get(rule.rule));
        RuleStep {
            rule: rule.rule,
            text: info.map(|r| r.text.clone()).unwrap_or_default(),
            location: info.map(|r| JsonLocation::from(&r.location)),
            action: info.map_or("pass", |r| r.action.as_str()),
            result: RuleResult::Skipped,
            error: None,
            span_event: None,
            operands: Vec::new(),
            changes: Vec::new(),
        }
    }
}

impl Observer for ExplainObserver {
    fn entered(&mut self, pipeline: usize, batch: &Batch) {
        let mut here = Vec::new();
        for rs in &batch.resource_spans {
            for ss in &rs.scope_spans {
                for span in ss.spans.iter().filter(|s| self.query.selects(s)) {
                    here.push((span.span_id, rs.resource.clone()));
                    let story = self
                        .spans
                        .entry(span.span_id)
                        .or_insert_with(|| SpanStory::new(span, &rs.resource));
                    if let Some(p) = self.pipelines.get(&pipeline) {
                        story.enter(p);
                    }
                }
            }
        }
        self.current.insert(pipeline, here);
    }

    fn evaluated(&mut self, rule: RuleRef, item: &EvalItem<'_>, result: Result<bool, &str>) {
        let targets = match item.span {
            Some(span) if self.selected(span) => vec![span.span_id],
            Some(_) => return,
            None => self.spans_under(rule.pipeline, item.resource),
        };
        if targets.is_empty() {
            return;
        }
        let mut step = self.rule_step(rule);
        match result {
            Ok(true) => step.result = RuleResult::Matched,
            Ok(false) => step.result = RuleResult::NotMatched,
            Err(message) => {
                step.result = RuleResult::Error;
                step.error = Some(message.to_owned());
            }
        }
        step.span_event = item.event.map(|(event, index)| (index, event.name.clone()));
        step.operands = self.operands(rule, item);
        let at = ProcRef {
            pipeline: rule.pipeline,
            processor: rule.processor,
        };
        for id in targets {
            if let Some(s) = self.step(id, at) {
                s.rules.push(step.clone());
            }
        }
    }

    fn dropped(
        &mut self,
        rule: RuleRef,
        level: DropLevel,
        _resource: &Resource,
        _scope: &Scope,
        span: &Span,
    ) {
        if !self.selected(span) {
            return;
        }
        let at = ProcRef {
            pipeline: rule.pipeline,
            processor: rule.processor,
        };
        let template = self.rule_step(rule);
        let Some(step) = self.step(span.span_id, at) else {
            return;
        };
        if level == DropLevel::SpanEvent {
            // The span goes on without one of its events: a change, not an end.
            step.mark(Outcome::Changed);
            step.changes_for(template).push(Change::event_removed());
        } else {
            step.mark(Outcome::Dropped);
            step.dropped_by = Some(template.text);
        }
    }

    fn edited(
        &mut self,
        rule: RuleRef,
        resource: &Resource,
        _scope: &Scope,
        span: Option<&Span>,
        edit: &Edit,
    ) {
        let targets = match span {
            Some(s) if self.selected(s) => vec![s.span_id],
            Some(_) => return,
            None => self.spans_under(rule.pipeline, resource),
        };
        let at = ProcRef {
            pipeline: rule.pipeline,
            processor: rule.processor,
        };
        let template = self.rule_step(rule);
        for id in targets {
            if let Some(step) = self.step(id, at) {
                step.mark(Outcome::Changed);
                step.changes_for(template.clone()).push(Change::of(edit));
            }
        }
    }

    fn decided(
        &mut self,
        at: ProcRef,
        trace_id: &[u8; 16],
        decision: TraceDecision,
        policy: Option<RuleRef>,
        _spans: usize,
    ) {
        // A tail sampler decides a whole trace: every followed span of it that reached this
        // sampler carries the policy that decided (a drop shows up as `dropped` as well).
        let Some(policy) = policy else {
            return;
        };
        let mut step = self.rule_step(policy);
        step.result = match decision {
            TraceDecision::Sampled | TraceDecision::Dropped => RuleResult::Matched,
            TraceDecision::NotSampled | TraceDecision::Evicted => RuleResult::NotMatched,
        };
        let ids: Vec<[u8; 8]> = self
            .spans
            .iter()
            .filter(|(_, s)| s.trace_id == hex::encode(trace_id))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(s) = self.step(id, at) {
                s.rules.push(step.clone());
            }
        }
    }

    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        let Some(id) = self.pipelines.get(&pipeline).map(|p| p.id.clone()) else {
            return;
        };
        for rs in &batch.resource_spans {
            for ss in &rs.scope_spans {
                for span in ss.spans.iter().filter(|s| self.query.selects(s)) {
                    if let Some(story) = self.spans.get_mut(&span.span_id) {
                        story.exported(&id);
                        if story.service.is_empty() {
                            story.service = service_name(&rs.resource).unwrap_or_default();
                        }
                    }
                }
            }
        }
    }
}
