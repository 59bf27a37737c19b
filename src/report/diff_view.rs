//! `--show-diff`: for each rewriting processor, a unified diff (`similar`) of the first few
//! spans (or resources) it changed, before and after.
//!
//! Built from the edits processors record, so a value a rule protects arrives here already
//! masked (unless `--reveal`): this module never sees it. Only the fields a processor changed
//! are shown, under a line naming the span; the span's other attributes are not printed, so
//! the diff cannot leak a value no rule touched either.

use std::collections::BTreeMap;

use serde::Serialize;
use similar::TextDiff;

use crate::capture::model::{service_name, AnyValue, Resource, Scope, Span};
use crate::engine::Engine;
use crate::processors::api::{Edit, Observer, ProcRef, Recorded, RuleRef};

/// How many changed spans (or resources) each processor shows.
pub const MAX_SAMPLES: usize = 3;

/// One changed item: what it is, and its changed fields in first-touched order.
#[derive(Debug, Clone)]
struct Sample {
    id: String,
    header: String,
    /// field → (first before, last after)
    fields: Vec<(String, Recorded, Recorded)>,
}

/// An observer keeping the first [`MAX_SAMPLES`] changed items per processor.
#[derive(Debug, Default)]
pub struct EditSamples {
    samples: BTreeMap<ProcRef, Vec<Sample>>,
}

impl Observer for EditSamples {
    fn edited(
        &mut self,
        rule: RuleRef,
        resource: &Resource,
        _scope: &Scope,
        span: Option<&Span>,
        edit: &Edit,
    ) {
        let at = ProcRef {
            pipeline: rule.pipeline,
            processor: rule.processor,
        };
        let service = service_name(resource).unwrap_or_else(|| "<nil-service-name>".to_owned());
        let (id, header) = match span {
            Some(s) => {
                let (t, i) = (hex::encode(s.trace_id), hex::encode(s.span_id));
                (
                    format!("{t}/{i}"),
                    format!("span {:?} of {service} (trace {t}, span {i})", s.name),
                )
            }
            None => (
                format!("resource {:p}", std::ptr::from_ref(resource)),
                format!("resource of {service}"),
            ),
        };
        let list = self.samples.entry(at).or_default();
        // Edits of one item arrive together: a new id starts a new sample.
        if list.last().is_none_or(|s| s.id != id) {
            if list.len() >= MAX_SAMPLES {
                return;
            }
            list.push(Sample {
                id,
                header,
                fields: Vec::new(),
            });
        }
        let Some(sample) = list.last_mut() else {
            return;
        };
        match sample.fields.iter_mut().find(|(f, _, _)| *f == edit.field) {
            Some(entry) => entry.2 = edit.after.clone(),
            None => {
                sample
                    .fields
                    .push((edit.field.clone(), edit.before.clone(), edit.after.clone()))
            }
        }
    }
}

/// One processor's diff in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessorDiff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    pub pipeline: String,
    pub processor: String,
    /// The unified diff text.
    pub diff: String,
}

impl EditSamples {
    /// The diffs, in pipeline and processor order.
    pub fn render(&self, engine: &Engine) -> Vec<ProcessorDiff> {
        let mut out = Vec::new();
        for p in engine.pipelines() {
            for (i, slot) in p.processors.iter().enumerate() {
                let at = ProcRef {
                    pipeline: p.index,
                    processor: i,
                };
                let Some(samples) = self.samples.get(&at) else {
                    continue;
                };
                let diff = samples
                    .iter()
                    .map(|s| unified(&slot.id, s))
                    .collect::<String>();
                out.push(ProcessorDiff {
                    config: None,
                    pipeline: p.id.clone(),
                    processor: slot.id.clone(),
                    diff,
                });
            }
        }
        out
    }
}

fn unified(processor: &str, s: &Sample) -> String {
    let mut before = format!("# {}\n", s.header);
    let mut after = before.clone();
    for (field, b, a) in &s.fields {
        if let Some(t) = shown(b) {
            before.push_str(&format!("{field} = {t}\n"));
        }
        if let Some(t) = shown(a) {
            after.push_str(&format!("{field} = {t}\n"));
        }
    }
    TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("before {processor}"),
            &format!("after {processor}"),
        )
        .to_string()
}

/// A recorded value as a diff line shows it; `None` when the field is absent.
pub fn shown(r: &Recorded) -> Option<String> {
    match r {
        Recorded::Absent => None,
        Recorded::Masked { type_name, len } if *type_name == "string" => {
            Some(format!("<masked string, {len} chars>"))
        }
        Recorded::Masked { type_name, .. } => Some(format!("<masked {type_name}>")),
        Recorded::Shown(v) => Some(value_text(v)),
    }
}

fn value_text(v: &AnyValue) -> String {
    match v {
        AnyValue::Str(s) => serde_json::Value::String(s.to_string()).to_string(),
        other => format!(
            "{} ({})",
            crate::processors::attr_action::as_string(other),
            other.type_name()
        ),
    }
}

/// All diffs as text, one block per processor.
pub fn render_text(diffs: &[ProcessorDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let config = d
            .config
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\nchanges by {} in pipeline {}{config}:\n{}",
            d.processor, d.pipeline, d.diff
        ));
    }
    out
}
