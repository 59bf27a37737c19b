//! The one table of processor types: for each, how the dry run emulates it. Settings decoding
//! lives in `config::settings` (by type name), planning in `analyze`; this is where a planned
//! processor becomes a running instance. A type not listed passes data through unchanged and
//! is reported `unsupported-component` — never silently.

use super::{PipelineRt, ProcSlot};
use crate::analyze::{Analysis, AnalyzedProcessor};
use crate::config::model::{CollectorConfig, ComponentId};
use crate::config::node::Node;
use crate::config::settings::ProcessorSettings;
use crate::diag::Location;
use crate::processors::api::{PassThrough, Processor};

/// How the dry run treats one processor type.
#[derive(Clone, Copy)]
pub enum Emulation {
    /// Replayed with upstream semantics by its own module.
    Exact(fn(&AnalyzedProcessor) -> Option<Box<dyn Processor>>),
    /// Passes span content unchanged by nature (batching, memory limits, regrouping): exact.
    PassThroughExact,
    /// Replayed by its own module from the processor's config node (settings otelcheck does
    /// not otherwise decode).
    FromNode(fn(&Node, &Location) -> Option<Box<dyn Processor>>),
    /// Not modelled: spans pass unchanged and the report says so.
    NotEmulated,
}

/// One row per processor type otelcheck knows how to run.
const TABLE: &[(&str, Emulation)] = &[
    ("filter", Emulation::Exact(filter)),
    ("batch", Emulation::PassThroughExact),
    ("memory_limiter", Emulation::PassThroughExact),
    ("groupbytrace", Emulation::FromNode(groupbytrace)),
    ("attributes", Emulation::Exact(attributes)),
    ("resource", Emulation::Exact(resource)),
    ("span", Emulation::Exact(span)),
    ("redaction", Emulation::Exact(redaction)),
    (
        "probabilistic_sampler",
        Emulation::Exact(probabilistic_sampler),
    ),
    ("tail_sampling", Emulation::Exact(tail_sampling)),
    ("transform", Emulation::Exact(transform)),
];

fn groupbytrace(node: &Node, location: &Location) -> Option<Box<dyn Processor>> {
    use crate::processors::groupbytrace::{GroupByTrace, GroupSettings};
    let settings = GroupSettings::decode(node).ok()?;
    Some(Box::new(GroupByTrace::new(settings, location)))
}

fn redaction(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::Redaction(s)) => {
            crate::processors::redaction::RedactionProcessor::new(s, &a.location)
                .map(|p| Box::new(p) as Box<dyn Processor>)
        }
        _ => None,
    }
}

fn span(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::Span(s)) => {
            crate::processors::span::SpanProcessor::new(s, a.location.clone())
                .map(|p| Box::new(p) as Box<dyn Processor>)
        }
        _ => None,
    }
}

fn attributes(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::Attributes(s)) => Some(Box::new(
            crate::processors::attributes::AttributesProcessor::new(s),
        )),
        _ => None,
    }
}

fn resource(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::Resource(s)) => Some(Box::new(
            crate::processors::resource::ResourceProcessor::new(s),
        )),
        _ => None,
    }
}

fn transform(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    a.transform
        .as_ref()
        .map(|plan| Box::new(plan.instantiate()) as Box<dyn Processor>)
}

fn filter(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    a.filter
        .as_ref()
        .map(|plan| Box::new(plan.instantiate()) as Box<dyn Processor>)
}

fn probabilistic_sampler(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::ProbabilisticSampler(s)) => Some(Box::new(
            crate::processors::probabilistic_sampler::ProbabilisticSampler::new(s, &a.location),
        )),
        _ => None,
    }
}

fn tail_sampling(a: &AnalyzedProcessor) -> Option<Box<dyn Processor>> {
    match &a.settings {
        Some(ProcessorSettings::TailSampling(s)) => {
            let plan = a.tail_ottl.as_ref();
            let ottl = |p: &crate::config::settings::tail_sampling::Policy| {
                plan.and_then(|plan| plan.compile(&p.loc))
            };
            crate::processors::tail_sampling::TailSampler::new(s, &a.location, &ottl)
                .map(|p| Box::new(p) as Box<dyn Processor>)
        }
        _ => None,
    }
}

/// How processor type `ty` is emulated.
pub fn emulation(ty: &str) -> Emulation {
    TABLE
        .iter()
        .find(|(name, _)| *name == ty)
        .map_or(Emulation::NotEmulated, |(_, e)| *e)
}

/// Fresh processor instances for pipeline `index`.
pub fn instantiate_pipeline(
    analysis: &Analysis,
    cfg: &CollectorConfig,
    index: usize,
) -> PipelineRt {
    let p = &cfg.pipelines[index];
    PipelineRt {
        index,
        id: p.id_text.clone(),
        location: p.loc.clone(),
        exporters: p.exporters.iter().map(|e| e.id.to_string()).collect(),
        processors: p
            .processors
            .iter()
            .map(|r| instantiate(analysis, cfg, &r.id, &r.loc))
            .collect(),
    }
}

fn instantiate(
    analysis: &Analysis,
    cfg: &CollectorConfig,
    id: &ComponentId,
    reference: &Location,
) -> ProcSlot {
    let analyzed = analysis.processors.get(&id.to_string());
    let location = analyzed.map_or_else(|| reference.clone(), |a| a.location.clone());
    let (instance, emulated): (Box<dyn Processor>, bool) = match emulation(&id.ty) {
        // A processor whose settings did not decode has no plan: it is reported invalid, and
        // replayed as a pass-through that says it is not emulated.
        Emulation::Exact(make) => match analyzed.and_then(make) {
            Some(p) => (p, true),
            None => (Box::new(PassThrough), false),
        },
        Emulation::FromNode(make) => {
            let component = cfg.processors.iter().find(|c| &c.id == id);
            match component.and_then(|c| make(&c.settings, &location)) {
                Some(p) => (p, true),
                None => (Box::new(PassThrough), false),
            }
        }
        Emulation::PassThroughExact => (Box::new(PassThrough), true),
        Emulation::NotEmulated => (Box::new(PassThrough), false),
    };
    ProcSlot {
        id: id.to_string(),
        ty: id.ty.clone(),
        location,
        emulated,
        rules: instance.rules(),
        policies: instance.trace_policies(),
        instance,
    }
}
