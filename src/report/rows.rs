//! The dry-run's per-pipeline, per-processor and per-rule rows, from the engine's static
//! facts and the counts observer.

use super::{JsonLocation, PipelineReport, ProcessorReport, RuleReport};
use crate::engine::counts::{Counts, ProcCounts};
use crate::engine::{Engine, PipelineRt, ProcSlot};

/// One row per instantiated pipeline, in config order.
pub fn pipelines(engine: &Engine, counts: &Counts) -> Vec<PipelineReport> {
    engine.pipelines().map(|p| pipeline(p, counts)).collect()
}

fn pipeline(p: &PipelineRt, counts: &Counts) -> PipelineReport {
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
            .map(|(slot, pc)| processor(slot, pc))
            .collect(),
        exporters: p.exporters.clone(),
    }
}

fn processor(slot: &ProcSlot, c: &ProcCounts) -> ProcessorReport {
    ProcessorReport {
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
            .map(|(info, s)| RuleReport {
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
            })
            .collect(),
    }
}
