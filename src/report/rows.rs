//! The dry-run's per-pipeline, per-processor and per-rule rows, from the engine's static
//! facts and the counts observer.

use super::dropped::DropTally;
use super::{
    JsonLocation, PipelineReport, PolicyCounts, ProcessorReport, RuleReport, TraceDecisions,
};
use crate::engine::counts::{Counts, ProcCounts, RuleStats};
use crate::engine::{Engine, PipelineRt, ProcSlot};
use crate::processors::api::{RuleRef, TracePolicy};

/// One row per instantiated pipeline, in config order; `drops` names what each rule dropped.
pub fn pipelines(engine: &Engine, counts: &Counts, drops: &DropTally) -> Vec<PipelineReport> {
    engine
        .pipelines()
        .map(|p| pipeline(p, counts, drops))
        .collect()
}

fn pipeline(p: &PipelineRt, counts: &Counts, drops: &DropTally) -> PipelineReport {
    let c = counts.pipelines.get(&p.index).cloned().unwrap_or_default();
    PipelineReport {
        id: p.id.clone(),
        spans_in: c.spans_in,
        spans_out: c.spans_out,
        services_in: c.services_in.keys().cloned().collect(),
        services_out: c.services_out.keys().cloned().collect(),
        processors: p
            .processors
            .iter()
            .zip(c.processors.iter())
            .enumerate()
            .map(|(at, (slot, pc))| {
                let mut row = processor(slot, pc);
                for (i, rule) in row.rules.iter_mut().enumerate() {
                    let r = RuleRef {
                        pipeline: p.index,
                        processor: at,
                        rule: i,
                    };
                    (rule.dropped_names, rule.dropped_services) = drops.top(r);
                }
                row
            })
            .collect(),
        exporters: p.exporters.clone(),
    }
}

fn processor(slot: &ProcSlot, c: &ProcCounts) -> ProcessorReport {
    let d = &c.decisions;
    ProcessorReport {
        traces_in: c.traces.as_ref().map(|t| t.traces_in.len() as u64),
        traces_out: c.traces.as_ref().map(|t| t.traces_out.len() as u64),
        trace_decisions: (!slot.policies.is_empty()).then_some(TraceDecisions {
            sampled: d.sampled,
            not_sampled: d.not_sampled,
            dropped: d.dropped,
            evicted: d.evicted,
        }),
        id: slot.id.clone(),
        ty: slot.ty.clone(),
        emulated: slot.emulated,
        location: Some(JsonLocation::from(&slot.location)),
        spans_in: c.spans_in,
        spans_out: c.spans_out,
        rules: slot
            .rules
            .iter()
            .zip(c.rules.iter())
            .enumerate()
            .map(|(i, (info, s))| RuleReport {
                text: info.text.clone(),
                location: Some(JsonLocation::from(&info.location)),
                action: info.action.as_str(),
                evaluated: s.evaluated,
                matched: s.matched,
                dropped: s.dropped,
                errors: s.errors,
                examples: s.examples.clone(),
                edits: s.edits,
                spans_changed: s.spans_changed,
                fields: s.fields.clone(),
                policy: slot
                    .policies
                    .iter()
                    .find(|p| p.rule == i)
                    .map(|p| policy_counts(p, s)),
                ..RuleReport::default()
            })
            .collect(),
    }
}

/// A policy's verdicts from its counters: every trace it evaluated was sampled (dropped, for
/// a drop policy), not sampled, or an evaluation error.
fn policy_counts(p: &TracePolicy, s: &RuleStats) -> PolicyCounts {
    let not_sampled = s.evaluated.saturating_sub(s.matched + s.errors);
    PolicyCounts {
        traces_sampled: if p.drop { 0 } else { s.matched },
        traces_not_sampled: not_sampled,
        traces_inverted: if p.inverts { not_sampled } else { 0 },
        traces_dropped: if p.drop { s.matched } else { 0 },
        traces_decided: s.decided,
    }
}
