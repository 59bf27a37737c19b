//! The one seam between the engine and every emulated processor, and the observer through
//! which processors say what they did.
//!
//! A processor takes a request and pushes zero or more requests to its output; it may keep
//! state across requests and release it at [`Processor::flush`] (samplers hold traces). It
//! never builds report rows: it tells the [`Observer`] what happened, per rule and span, and
//! observers (the dry-run's counts, `--write-output`, `explain`, `diff`, `test`) keep whatever
//! they need. Compiled plans stay immutable; counters live in observers.

use crate::capture::model::{AnyValue, Batch, Resource, Scope, Span};
use crate::diag::Location;
use crate::ottl::runtime::{EvalItem, OperandSource, ReadKey};

/// A rule at run time: which pipeline (index into the config's pipelines), which processor
/// of that pipeline (position), which rule of that processor (its own numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    pub pipeline: usize,
    pub processor: usize,
    pub rule: usize,
}

/// A processor instance at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcRef {
    pub pipeline: usize,
    pub processor: usize,
}

impl ProcRef {
    pub fn rule(self, rule: usize) -> RuleRef {
        RuleRef {
            pipeline: self.pipeline,
            processor: self.processor,
            rule,
        }
    }
}

/// Where a drop took effect: a whole resource or scope takes every span below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropLevel {
    Resource,
    Scope,
    Span,
    SpanEvent,
}

/// What a rule does when it matches (the JSON report's `action`, spec "JSON report").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Drop,
    Keep,
    Sample,
    Redact,
    Hash,
    Set,
    Delete,
    Insert,
    Update,
    Upsert,
    Extract,
    Convert,
    Rename,
    Pass,
}

impl RuleAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Drop => "drop",
            RuleAction::Keep => "keep",
            RuleAction::Sample => "sample",
            RuleAction::Redact => "redact",
            RuleAction::Hash => "hash",
            RuleAction::Set => "set",
            RuleAction::Delete => "delete",
            RuleAction::Insert => "insert",
            RuleAction::Update => "update",
            RuleAction::Upsert => "upsert",
            RuleAction::Extract => "extract",
            RuleAction::Convert => "convert",
            RuleAction::Rename => "rename",
            RuleAction::Pass => "pass",
        }
    }
}

/// A value as an edit records it. A value a rule protects (deleted, hashed, redacted) is
/// masked here, when the change is recorded, so no observer or renderer ever holds it;
/// `--reveal` (carried in [`Ctx::reveal`]) is the one way to keep it.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// The field did not exist (before an insert, after a delete).
    Absent,
    Shown(AnyValue),
    /// The value's type and length in characters (for strings) survive; its content does not.
    Masked {
        type_name: &'static str,
        len: usize,
    },
}

impl Recorded {
    /// A value shown as it is (not protected by the rule that touched it).
    pub fn of(value: Option<&AnyValue>) -> Self {
        value.map_or(Recorded::Absent, |v| Recorded::Shown(v.clone()))
    }

    /// A value the rule protects: masked unless the run reveals.
    pub fn protected(value: Option<&AnyValue>, reveal: bool) -> Self {
        match value {
            None => Recorded::Absent,
            Some(v) if reveal => Recorded::Shown(v.clone()),
            Some(AnyValue::Str(s)) => Recorded::Masked {
                type_name: "string",
                len: s.chars().count(),
            },
            Some(v) => Recorded::Masked {
                type_name: v.type_name(),
                len: 0,
            },
        }
    }
}

/// One change a rewriting rule made to one field of a span, its resource, scope or an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub level: DropLevel,
    /// The field as an OTTL path names it: `attributes["http.url"]`, `name`, `status.code`.
    pub field: String,
    pub before: Recorded,
    pub after: Recorded,
}

/// Static facts about one rule of a processor, known before any span is seen.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// The rule as written in the config file.
    pub text: String,
    pub location: Location,
    pub action: RuleAction,
    /// Attribute keys the rule reads with literal keys (for carrier and dead-rule analysis).
    pub read_keys: Vec<ReadKey>,
    /// Whether example spans are taken when the rule matches (OTTL conditions) rather than
    /// when it drops (legacy include/exclude blocks, which drop on a miss).
    pub examples_on_match: bool,
    /// Whether data findings (catch-all by data, dead rule, evaluation errors) apply; the
    /// legacy include/exclude blocks only report counts.
    pub data_findings: bool,
    /// The compiled OTTL condition (a filter condition, a statement's `where`), for an
    /// observer that asks what each side of its comparisons was on a span (`explain` only:
    /// the replay itself never calls it). `None` for rules that are not OTTL.
    pub operands: Option<std::sync::Arc<dyn OperandSource>>,
}

/// One span's identity for reports (ids in hex, service, name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Example {
    pub trace_id: String,
    pub span_id: String,
    pub service: String,
    pub name: String,
}

impl Example {
    pub fn of(resource: &Resource, span: &Span) -> Self {
        Self {
            trace_id: hex::encode(span.trace_id),
            span_id: hex::encode(span.span_id),
            service: crate::capture::model::service_name(resource).unwrap_or_default(),
            name: span.name.clone(),
        }
    }
}

/// A tail sampler's final decision on one whole trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceDecision {
    Sampled,
    NotSampled,
    /// A `drop` policy matched.
    Dropped,
    /// Pushed out of the sampler's buffer (`num_traces`) before any decision.
    Evicted,
}

/// A top-level tail-sampling policy, for the report's per-policy counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracePolicy {
    /// The policy's rule number (`RuleRef::rule`).
    pub rule: usize,
    /// Whether it is a drop policy (its matches drop rather than sample).
    pub drop: bool,
    /// Whether it sets `invert_match` (string, numeric or boolean attribute): its "not
    /// sampled" verdicts are inverted matches.
    pub inverts: bool,
}

/// What happened during a replay, told as it happens. Every method is a no-op by default, so
/// an observer implements only what it needs.
pub trait Observer {
    /// A rule was evaluated on an item: `Ok(matched)` or the evaluation error's message.
    fn evaluated(&mut self, _rule: RuleRef, _item: &EvalItem<'_>, _result: Result<bool, &str>) {}
    /// An evaluation error the collector would actually hit (its short-circuit order).
    fn error_hit(&mut self, _rule: RuleRef, _message: &str) {}
    /// A span (or, at `SpanEvent` level, one of its events) was removed by `rule`.
    fn dropped(
        &mut self,
        _rule: RuleRef,
        _level: DropLevel,
        _resource: &Resource,
        _scope: &Scope,
        _span: &Span,
    ) {
    }
    /// A rule changed one field. `span` is `None` for a change to a resource or scope as a
    /// whole (it reaches every span below it).
    fn edited(
        &mut self,
        _rule: RuleRef,
        _resource: &Resource,
        _scope: &Scope,
        _span: Option<&Span>,
        _edit: &Edit,
    ) {
    }
    /// A request entered a pipeline (after fan-out or a connector).
    fn entered(&mut self, _pipeline: usize, _batch: &Batch) {}
    /// A processor passed `spans_out` of the `spans_in` spans it was handed for one request.
    fn processed(&mut self, _at: ProcRef, _spans_in: usize, _spans_out: usize) {}
    /// A processor failed a request (`error_mode: propagate`): the collector drops it whole.
    fn request_failed(&mut self, _at: ProcRef, _spans: usize) {}
    /// A request is handed to a processor (before it runs on it).
    fn handed(&mut self, _at: ProcRef, _batch: &Batch) {}
    /// A processor released a request to the rest of its pipeline (on a request or at flush).
    fn released(&mut self, _at: ProcRef, _batch: &Batch) {}
    /// A request left a pipeline for its exporters.
    fn exported(&mut self, _pipeline: usize, _batch: &Batch) {}
    /// A sampler decided a whole trace of `spans` spans; `policy` is the rule of the policy
    /// that decided it (the first that sampled it, or the drop policy), if one did.
    fn decided(
        &mut self,
        _at: ProcRef,
        _trace_id: &[u8; 16],
        _decision: TraceDecision,
        _policy: Option<RuleRef>,
        _spans: usize,
    ) {
    }
}

/// Several observers told the same story, in order.
pub struct Observers<'a>(pub Vec<&'a mut dyn Observer>);

impl Observer for Observers<'_> {
    fn evaluated(&mut self, rule: RuleRef, item: &EvalItem<'_>, result: Result<bool, &str>) {
        for o in &mut self.0 {
            o.evaluated(rule, item, result);
        }
    }
    fn error_hit(&mut self, rule: RuleRef, message: &str) {
        for o in &mut self.0 {
            o.error_hit(rule, message);
        }
    }
    fn dropped(
        &mut self,
        rule: RuleRef,
        level: DropLevel,
        resource: &Resource,
        scope: &Scope,
        span: &Span,
    ) {
        for o in &mut self.0 {
            o.dropped(rule, level, resource, scope, span);
        }
    }
    fn edited(
        &mut self,
        rule: RuleRef,
        resource: &Resource,
        scope: &Scope,
        span: Option<&Span>,
        edit: &Edit,
    ) {
        for o in &mut self.0 {
            o.edited(rule, resource, scope, span, edit);
        }
    }
    fn entered(&mut self, pipeline: usize, batch: &Batch) {
        for o in &mut self.0 {
            o.entered(pipeline, batch);
        }
    }
    fn processed(&mut self, at: ProcRef, spans_in: usize, spans_out: usize) {
        for o in &mut self.0 {
            o.processed(at, spans_in, spans_out);
        }
    }
    fn request_failed(&mut self, at: ProcRef, spans: usize) {
        for o in &mut self.0 {
            o.request_failed(at, spans);
        }
    }
    fn handed(&mut self, at: ProcRef, batch: &Batch) {
        for o in &mut self.0 {
            o.handed(at, batch);
        }
    }
    fn released(&mut self, at: ProcRef, batch: &Batch) {
        for o in &mut self.0 {
            o.released(at, batch);
        }
    }
    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        for o in &mut self.0 {
            o.exported(pipeline, batch);
        }
    }
    fn decided(
        &mut self,
        at: ProcRef,
        trace_id: &[u8; 16],
        decision: TraceDecision,
        policy: Option<RuleRef>,
        spans: usize,
    ) {
        for o in &mut self.0 {
            o.decided(at, trace_id, decision, policy, spans);
        }
    }
}

/// What a processor is handed with each request: who it is, and whom to tell.
pub struct Ctx<'a> {
    pub at: ProcRef,
    pub observer: &'a mut dyn Observer,
    /// `--reveal`: record protected values as they are instead of masked.
    pub reveal: bool,
}

/// The processor failed the request (`error_mode: propagate`); the collector drops it whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

/// One emulated processor instance inside one pipeline.
pub trait Processor {
    /// Process one request, pushing what continues down the pipeline to `out`.
    fn process(
        &mut self,
        batch: Batch,
        ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed>;

    /// The next request arrived at `received_unix_nano` (recorded in the capture's sidecar).
    /// Processors that keep time (tail sampling) run on it; others ignore it.
    fn arrival(&mut self, _received_unix_nano: u64) {}

    /// End of input: release anything held back.
    fn flush(&mut self, _ctx: &mut Ctx<'_>, _out: &mut Vec<Batch>) {}

    /// End of input for a processor that releases on its own clock (`groupbytrace`): like
    /// [`Processor::flush`], plus the recorded arrival-clock time at which each request it
    /// pushed leaves (one per request, or none), so the processors after it run on that time.
    fn flush_timed(&mut self, ctx: &mut Ctx<'_>, out: &mut Vec<Batch>) -> Vec<u64> {
        self.flush(ctx, out);
        Vec::new()
    }

    /// The rules this instance evaluates, in its own numbering (`RuleRef::rule`).
    fn rules(&self) -> Vec<RuleInfo> {
        Vec::new()
    }

    /// Its top-level tail-sampling policies (samplers only).
    fn trace_policies(&self) -> Vec<TracePolicy> {
        Vec::new()
    }

    /// Findings only the instance can know after the replay (e.g. a tail sampler's split
    /// traces).
    fn findings(&self) -> Vec<crate::diag::Diagnostic> {
        Vec::new()
    }
}

/// A processor that passes every request on unchanged.
pub struct PassThrough;

impl Processor for PassThrough {
    fn process(
        &mut self,
        batch: Batch,
        _ctx: &mut Ctx<'_>,
        out: &mut Vec<Batch>,
    ) -> Result<(), Failed> {
        out.push(batch);
        Ok(())
    }
}
