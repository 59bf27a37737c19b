//! What `explain` reports about one span: the spec's `explain` JSON, field for field.

use serde::Serialize;

use crate::capture::model::{service_name, AnyValue, Resource, Span};
use crate::engine::PipelineRt;
use crate::ottl::runtime::{Operand as RtOperand, OperandValue};
use crate::processors::api::{Edit, Recorded, RuleInfo};
use crate::report::JsonLocation;

/// Which spans to explain: a trace id (all 128 bits, or the low 64 bits as DataDog shows
/// them) and optionally one span id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceQuery {
    pub trace: TraceIdQuery,
    pub span_id: Option<[u8; 8]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceIdQuery {
    Full([u8; 16]),
    /// The low 64 bits (a DataDog trace id, which the receiver puts in the low half).
    Low([u8; 8]),
}

impl TraceQuery {
    pub fn selects(&self, span: &Span) -> bool {
        let trace = match self.trace {
            TraceIdQuery::Full(id) => span.trace_id == id,
            TraceIdQuery::Low(low) => span.trace_id[8..] == low,
        };
        trace && self.span_id.is_none_or(|id| span.span_id == id)
    }
}

/// A processor as configured, for naming steps.
#[derive(Debug, Clone)]
pub struct StaticProcessor {
    pub id: String,
    pub ty: String,
    pub emulated: bool,
    pub rules: Vec<RuleInfo>,
}

/// A pipeline as configured.
#[derive(Debug, Clone)]
pub struct StaticPipeline {
    pub id: String,
    pub processors: Vec<StaticProcessor>,
}

impl StaticPipeline {
    pub fn of(p: &PipelineRt) -> Self {
        Self {
            id: p.id.clone(),
            processors: p
                .processors
                .iter()
                .map(|s| StaticProcessor {
                    id: s.id.clone(),
                    ty: s.ty.clone(),
                    emulated: s.emulated,
                    rules: s.rules.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleResult {
    Matched,
    NotMatched,
    Error,
    Skipped,
}

impl RuleResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleResult::Matched => "matched",
            RuleResult::NotMatched => "not matched",
            RuleResult::Error => "error",
            RuleResult::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    Dropped,
    SampledOut,
    Changed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Dropped => "dropped",
            Outcome::SampledOut => "sampled out",
            Outcome::Changed => "changed",
        }
    }
}

/// One side of a comparison of the rule and the value it had on the span, asked of the OTTL
/// runtime by the explain observer. `value` is the value as JSON (`null` for Go's `nil`),
/// a string for other Go types (times, durations, ids), `{"error": ...}` when the side failed,
/// or a masked placeholder when the rule protects values and the run does not reveal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operand {
    pub expr: String,
    pub value: serde_json::Value,
}

impl Operand {
    pub fn of(o: RtOperand, mask: bool) -> Self {
        let value = match o.value {
            OperandValue::Error(e) => serde_json::json!({ "error": e }),
            OperandValue::Value(AnyValue::Empty) => serde_json::Value::Null,
            OperandValue::Value(v) if mask => recorded_json(&Recorded::protected(Some(&v), false)),
            OperandValue::Value(v) => any_json(&v),
            OperandValue::Text(t) if mask => recorded_json(&Recorded::protected(
                Some(&AnyValue::Str(t.as_str().into())),
                false,
            )),
            OperandValue::Text(t) => serde_json::Value::String(t),
        };
        Self {
            expr: o.expr,
            value,
        }
    }
}

/// One field a rule changed; protected values arrive masked (`Recorded::protected`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl Change {
    pub fn of(edit: &Edit) -> Self {
        Self {
            field: edit.field.clone(),
            before: recorded_json(&edit.before),
            after: recorded_json(&edit.after),
        }
    }

    pub fn event_removed() -> Self {
        Self {
            field: "events".to_owned(),
            before: serde_json::Value::String("a span event".to_owned()),
            after: serde_json::Value::Null,
        }
    }
}

/// A value as the report shows it: JSON for what may be shown, a placeholder that keeps only
/// type and length for what a rule protects, `null` for absent.
pub fn recorded_json(r: &Recorded) -> serde_json::Value {
    match r {
        Recorded::Absent => serde_json::Value::Null,
        Recorded::Shown(v) => any_json(v),
        Recorded::Masked { type_name, len } if *type_name == "string" => {
            serde_json::Value::String(format!("<masked string, {len} chars>"))
        }
        Recorded::Masked { type_name, .. } => {
            serde_json::Value::String(format!("<masked {type_name}>"))
        }
    }
}

fn any_json(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AnyValue::Empty => Value::Null,
        AnyValue::Str(s) => Value::String(s.to_string()),
        AnyValue::Bool(b) => Value::Bool(*b),
        AnyValue::Int(i) => Value::from(*i),
        AnyValue::Double(d) => serde_json::Number::from_f64(*d)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(d.to_string())),
        AnyValue::Bytes(b) => Value::String(hex::encode(b)),
        AnyValue::Slice(items) => Value::Array(items.iter().map(any_json).collect()),
        AnyValue::Map(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.to_owned(), any_json(v))).collect())
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleStep {
    #[serde(skip)]
    pub rule: usize,
    pub text: String,
    pub location: Option<JsonLocation>,
    pub result: RuleResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set when the rule ran on one of the span's events: (index, event name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span_event: Option<(usize, String)>,
    pub operands: Vec<Operand>,
    pub action: &'static str,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub pipeline: String,
    pub processor: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// False where otelcheck passes the span on unchanged because it cannot emulate the type.
    pub emulated: bool,
    pub rules: Vec<RuleStep>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped_by: Option<String>,
    /// Which entry into the pipeline (a request can reach one pipeline more than once).
    #[serde(skip)]
    pub entry: usize,
    #[serde(skip)]
    pub processor_index: usize,
}

impl Step {
    pub fn mark(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Dropped if is_sampler(&self.ty) => self.outcome = Outcome::SampledOut,
            Outcome::Dropped => self.outcome = Outcome::Dropped,
            Outcome::Changed if self.outcome == Outcome::Passed => self.outcome = outcome,
            _ => {}
        }
    }

    /// The change list of `rule`'s latest evaluation on this step, or of a new entry for a
    /// rule that acts without a condition (it matched by acting).
    pub fn changes_for(&mut self, mut rule: RuleStep) -> &mut Vec<Change> {
        let index = match self.rules.iter().rposition(|r| r.rule == rule.rule) {
            Some(i) => i,
            None => {
                rule.result = RuleResult::Matched;
                self.rules.push(rule);
                self.rules.len() - 1
            }
        };
        &mut self.rules[index].changes
    }
}

fn is_sampler(ty: &str) -> bool {
    matches!(ty, "probabilistic_sampler" | "tail_sampling")
}

#[derive(Debug, Clone, Serialize)]
pub struct SpanStory {
    pub span_id: String,
    #[serde(skip)]
    pub trace_id: String,
    pub name: String,
    pub service: String,
    pub journey: Vec<Step>,
    pub exported_by: Vec<String>,
    #[serde(skip)]
    entries: usize,
}

impl SpanStory {
    pub fn new(span: &Span, resource: &Resource) -> Self {
        Self {
            span_id: hex::encode(span.span_id),
            trace_id: hex::encode(span.trace_id),
            name: span.name.clone(),
            service: service_name(resource).unwrap_or_default(),
            journey: Vec::new(),
            exported_by: Vec::new(),
            entries: 0,
        }
    }

    /// The span entered `p`: one step per processor, each `passed` until told otherwise.
    pub fn enter(&mut self, p: &StaticPipeline) {
        self.entries += 1;
        for (i, proc) in p.processors.iter().enumerate() {
            self.journey.push(Step {
                pipeline: p.id.clone(),
                processor: proc.id.clone(),
                ty: proc.ty.clone(),
                emulated: proc.emulated,
                rules: Vec::new(),
                outcome: Outcome::Passed,
                dropped_by: None,
                entry: self.entries,
                processor_index: i,
            });
        }
    }

    /// The step at processor `index` of `p` in the latest entry into `p`.
    pub fn step_mut(&mut self, p: &StaticPipeline, index: usize) -> Option<&mut Step> {
        self.journey
            .iter_mut()
            .rev()
            .find(|s| s.pipeline == p.id && s.processor_index == index)
    }

    pub fn exported(&mut self, pipeline: &str) {
        if !self.exported_by.iter().any(|p| p == pipeline) {
            self.exported_by.push(pipeline.to_owned());
        }
    }

    /// Cut each pipeline entry after the step where the span ended: it met nothing later.
    /// In a filter, the conditions after the one that dropped the span are marked skipped:
    /// the collector ORs them and stops at the first that matches.
    pub fn finish(&mut self) {
        for step in &mut self.journey {
            if step.ty == "filter" && step.outcome == Outcome::Dropped {
                let first = step
                    .rules
                    .iter()
                    .position(|r| r.result == RuleResult::Matched);
                if let Some(first) = first {
                    for r in &mut step.rules[first + 1..] {
                        if r.span_event.is_none() {
                            r.result = RuleResult::Skipped;
                            r.error = None;
                            r.operands.clear();
                        }
                    }
                }
            }
        }
        let mut ended: Vec<usize> = Vec::new();
        self.journey.retain(|s| {
            if ended.contains(&s.entry) {
                return false;
            }
            if matches!(s.outcome, Outcome::Dropped | Outcome::SampledOut) {
                ended.push(s.entry);
            }
            true
        });
    }
}
