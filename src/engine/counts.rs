//! The dry-run's counts: an observer that tallies, per pipeline, processor and rule, what the
//! replay did. Bounded memory: counters, three examples per rule, and one entry per service —
//! plus, for samplers and `groupbytrace` only, the set of trace ids in and out (16 bytes per
//! trace, like the capture summary's own trace count).

use std::collections::{BTreeMap, HashSet};

use super::Engine;
use crate::capture::model::{service_name, AnyValue, Batch, Resource, Scope, Span};
use crate::ottl::runtime::{AttrScope, EvalItem, ReadKey};
use crate::processors::api::{DropLevel, Edit, Example, Observer, ProcRef, RuleRef, TraceDecision};

/// How many example spans a rule keeps for the report.
const MAX_EXAMPLES: usize = 3;

/// Per-rule counters.
#[derive(Debug, Clone, Default)]
pub struct RuleStats {
    /// Items the rule was evaluated on.
    pub evaluated: u64,
    /// Items for which the rule alone was true.
    pub matched: u64,
    /// Spans this rule was the first to drop (spans inside a dropped resource/scope count).
    pub dropped: u64,
    /// Evaluation errors the collector would have hit (in its short-circuit order).
    pub errors: u64,
    pub first_error: Option<String>,
    /// Items carrying every attribute the rule reads, and how many of those it matched.
    pub carriers: u64,
    pub carriers_matched: u64,
    /// Per read key (same order as `RuleInfo::read_keys`): items on which that key was present.
    pub key_seen: Vec<u64>,
    pub examples: Vec<Example>,
    /// Changes a rewriting rule made (one per field per span, resource or event).
    pub edits: u64,
    /// The fields those changes touched, with how often (at most [`MAX_FIELDS`] distinct).
    pub fields: BTreeMap<String, u64>,
    /// Spans with at least one change by this rule (a transform statement's `where` may be
    /// true on spans it leaves as they were, so this is not `matched`).
    pub spans_changed: u64,
    /// The span of the latest change: a rule's changes to one span arrive together.
    last_changed: Option<([u8; 16], [u8; 8])>,
    /// Tail-sampling policies: kept traces this policy decided (the first to sample them).
    pub decided: u64,
}

/// Processor types whose report counts traces as well as spans.
pub fn counts_traces(ty: &str) -> bool {
    matches!(
        ty,
        "probabilistic_sampler" | "tail_sampling" | "groupbytrace"
    )
}

/// Distinct trace ids handed to a processor and released by it.
#[derive(Debug, Clone, Default)]
pub struct TraceSets {
    pub traces_in: HashSet<[u8; 16]>,
    pub traces_out: HashSet<[u8; 16]>,
}

/// A tail sampler's final decisions, one per trace it decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionCounts {
    pub sampled: u64,
    pub not_sampled: u64,
    pub dropped: u64,
    pub evicted: u64,
}

fn trace_ids(batch: &Batch, into: &mut HashSet<[u8; 16]>) {
    for rs in &batch.resource_spans {
        for ss in &rs.scope_spans {
            into.extend(ss.spans.iter().map(|s| s.trace_id));
        }
    }
}

/// How many distinct touched fields a rule keeps for the report (a redaction allow-list can
/// touch hundreds of keys; the count of edits stays exact).
pub const MAX_FIELDS: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct ProcCounts {
    pub spans_in: usize,
    pub spans_out: usize,
    /// Requests failed with `error_mode: propagate`, and the spans they held.
    pub failed_requests: u64,
    pub failed_spans: u64,
    pub rules: Vec<RuleStats>,
    /// Samplers and `groupbytrace` (see [`counts_traces`]).
    pub traces: Option<TraceSets>,
    /// Tail samplers: their final decisions.
    pub decisions: DecisionCounts,
    read_keys: Vec<Vec<ReadKey>>,
    examples_on_match: Vec<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct PipelineCounts {
    pub requests: u64,
    pub spans_in: usize,
    pub spans_out: usize,
    pub services_in: BTreeMap<String, usize>,
    pub services_out: BTreeMap<String, usize>,
    pub processors: Vec<ProcCounts>,
}

/// Counts for every pipeline of an engine, keyed by pipeline index.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub pipelines: BTreeMap<usize, PipelineCounts>,
}

impl Counts {
    /// Zeroed counters shaped like `engine`'s pipelines and rules.
    pub fn for_engine(engine: &Engine) -> Self {
        let pipelines = engine
            .pipelines()
            .map(|p| {
                let processors = p
                    .processors
                    .iter()
                    .map(|slot| ProcCounts {
                        rules: slot
                            .rules
                            .iter()
                            .map(|r| RuleStats {
                                key_seen: vec![0; r.read_keys.len()],
                                ..RuleStats::default()
                            })
                            .collect(),
                        read_keys: slot.rules.iter().map(|r| r.read_keys.clone()).collect(),
                        examples_on_match: slot.rules.iter().map(|r| r.examples_on_match).collect(),
                        traces: counts_traces(&slot.ty).then(TraceSets::default),
                        ..ProcCounts::default()
                    })
                    .collect();
                (
                    p.index,
                    PipelineCounts {
                        processors,
                        ..PipelineCounts::default()
                    },
                )
            })
            .collect();
        Self { pipelines }
    }

    pub fn processor(&self, at: ProcRef) -> Option<&ProcCounts> {
        self.pipelines
            .get(&at.pipeline)?
            .processors
            .get(at.processor)
    }

    fn proc_mut(&mut self, at: ProcRef) -> Option<&mut ProcCounts> {
        self.pipelines
            .get_mut(&at.pipeline)?
            .processors
            .get_mut(at.processor)
    }

    fn rule_mut(&mut self, r: RuleRef) -> Option<(&mut RuleStats, &[ReadKey], bool)> {
        let p = self
            .pipelines
            .get_mut(&r.pipeline)?
            .processors
            .get_mut(r.processor)?;
        let stats = p.rules.get_mut(r.rule)?;
        let keys = p.read_keys.get(r.rule)?;
        let on_match = p.examples_on_match.get(r.rule).copied().unwrap_or(true);
        Some((stats, keys.as_slice(), on_match))
    }
}

/// Whether the item carries every attribute the rule reads; counts each key's presence on the
/// way (the dead-rule finding names the keys that never occurred).
fn carries_all_keys(keys: &[ReadKey], seen: &mut [u64], item: &EvalItem<'_>) -> bool {
    let mut all = true;
    for (k, seen) in keys.iter().zip(seen.iter_mut()) {
        let attrs = match k.scope {
            AttrScope::Span => item.span.map(|s| &s.attributes),
            AttrScope::Resource => Some(&item.resource.attributes),
            AttrScope::Scope => Some(&item.scope.attributes),
            AttrScope::Event => item.event.map(|(e, _)| &e.attributes),
        };
        let present =
            attrs.is_some_and(|a| a.get(&k.key).is_some_and(|v| !matches!(v, AnyValue::Empty)));
        *seen += u64::from(present);
        all &= present;
    }
    all
}

fn push_example(stats: &mut RuleStats, resource: &Resource, span: &Span) {
    if stats.examples.len() < MAX_EXAMPLES {
        stats.examples.push(Example::of(resource, span));
    }
}

fn count_services(batch: &Batch, into: &mut BTreeMap<String, usize>) {
    for rs in &batch.resource_spans {
        let n: usize = rs.scope_spans.iter().map(|s| s.spans.len()).sum();
        let name = service_name(&rs.resource).unwrap_or_else(|| "<nil-service-name>".to_owned());
        *into.entry(name).or_default() += n;
    }
}

impl Observer for Counts {
    fn evaluated(&mut self, rule: RuleRef, item: &EvalItem<'_>, result: Result<bool, &str>) {
        let Some((stats, keys, on_match)) = self.rule_mut(rule) else {
            return;
        };
        stats.evaluated += 1;
        let carrier = !keys.is_empty() && carries_all_keys(keys, &mut stats.key_seen, item);
        stats.carriers += u64::from(carrier);
        if result == Ok(true) {
            stats.matched += 1;
            stats.carriers_matched += u64::from(carrier);
            if on_match {
                if let Some(span) = item.span {
                    push_example(stats, item.resource, span);
                }
            }
        }
    }

    fn error_hit(&mut self, rule: RuleRef, message: &str) {
        if let Some((stats, _, _)) = self.rule_mut(rule) {
            stats.errors += 1;
            if stats.first_error.is_none() {
                stats.first_error = Some(message.to_owned());
            }
        }
    }

    fn dropped(
        &mut self,
        rule: RuleRef,
        level: DropLevel,
        resource: &Resource,
        _scope: &Scope,
        span: &Span,
    ) {
        let Some((stats, _, on_match)) = self.rule_mut(rule) else {
            return;
        };
        stats.dropped += 1;
        // A span-level drop by an OTTL rule already took its example when it matched.
        let bulk = matches!(level, DropLevel::Resource | DropLevel::Scope);
        if bulk || (!on_match && level == DropLevel::Span) {
            push_example(stats, resource, span);
        }
    }

    fn edited(
        &mut self,
        rule: RuleRef,
        _resource: &Resource,
        _scope: &Scope,
        span: Option<&Span>,
        edit: &Edit,
    ) {
        let Some((stats, _, _)) = self.rule_mut(rule) else {
            return;
        };
        stats.edits += 1;
        if let Some(span) = span {
            let id = (span.trace_id, span.span_id);
            if stats.last_changed != Some(id) {
                stats.spans_changed += 1;
                stats.last_changed = Some(id);
            }
        }
        if let Some(n) = stats.fields.get_mut(&edit.field) {
            *n += 1;
        } else if stats.fields.len() < MAX_FIELDS {
            stats.fields.insert(edit.field.clone(), 1);
        }
    }

    fn entered(&mut self, pipeline: usize, batch: &Batch) {
        if let Some(p) = self.pipelines.get_mut(&pipeline) {
            p.requests += 1;
            p.spans_in += batch.span_count();
            count_services(batch, &mut p.services_in);
        }
    }

    fn processed(&mut self, at: ProcRef, spans_in: usize, spans_out: usize) {
        if let Some(p) = self.proc_mut(at) {
            p.spans_in += spans_in;
            p.spans_out += spans_out;
        }
    }

    fn request_failed(&mut self, at: ProcRef, spans: usize) {
        if let Some(p) = self.proc_mut(at) {
            p.failed_requests += 1;
            p.failed_spans += spans as u64;
        }
    }

    fn handed(&mut self, at: ProcRef, batch: &Batch) {
        if let Some(t) = self.proc_mut(at).and_then(|p| p.traces.as_mut()) {
            trace_ids(batch, &mut t.traces_in);
        }
    }

    fn released(&mut self, at: ProcRef, batch: &Batch) {
        if let Some(t) = self.proc_mut(at).and_then(|p| p.traces.as_mut()) {
            trace_ids(batch, &mut t.traces_out);
        }
    }

    fn decided(
        &mut self,
        at: ProcRef,
        _trace_id: &[u8; 16],
        decision: TraceDecision,
        policy: Option<RuleRef>,
        _spans: usize,
    ) {
        if let Some(p) = self.proc_mut(at) {
            let d = &mut p.decisions;
            match decision {
                TraceDecision::Sampled => d.sampled += 1,
                TraceDecision::NotSampled => d.not_sampled += 1,
                TraceDecision::Dropped => d.dropped += 1,
                TraceDecision::Evicted => d.evicted += 1,
            }
        }
        if let (TraceDecision::Sampled, Some(r)) = (decision, policy) {
            if let Some((stats, _, _)) = self.rule_mut(r) {
                stats.decided += 1;
            }
        }
    }

    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        if let Some(p) = self.pipelines.get_mut(&pipeline) {
            p.spans_out += batch.span_count();
            count_services(batch, &mut p.services_out);
        }
    }
}
